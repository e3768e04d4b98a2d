/**
 * The generator as a whole: every peer schema generates TypeScript that type-checks on its own
 * under strict tsc (one invocation over all of them, importing only `zerotick/sbe` through the
 * package's exports), output is deterministic, and names that collide with TypeScript or the
 * runtime are renamed rather than breaking the module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/sbe/diagnostics.js';
import { generateTypeScript, writeGeneratedCode } from '../../src/sbe/generator.js';
import type { Schema } from '../../src/sbe/ir.js';
import { loadSchema, parseSchemaText } from '../../src/sbe/parser.js';
import { schemaXml } from '../support/sbe-schema.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const peer = path.resolve(repoRoot, '../shared/peer');
const typecheckDir = path.join(repoRoot, 'test/.generated/typecheck');

function xmlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.xml'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Every schema the peer suite ships, except common-types.xml, which is an XInclude fragment. */
const peerSchemas = [
  ...xmlFiles(path.join(peer, 'sbe-schemas')),
  path.join(peer, 'sbe-schemas/sub/basic-schema.xml'),
  ...xmlFiles(path.join(peer, 'sbe-golden')).filter((file) => !file.endsWith('common-types.xml')),
  ...xmlFiles(path.join(peer, 'mdp3')),
];

function load(file: string): Schema {
  const { schema, diagnostics } = loadSchema(file);
  if (schema === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return schema;
}

/** Names chosen to collide: TS keywords, runtime exports, globals, flyweight members, a message and a composite both called Car. */
const COLLIDING_SCHEMA = schemaXml({ package: 'index', id: 9, version: 0, byteOrder: 'bigEndian' }, `
    <composite name="groupSizeEncoding">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/>
    </composite>
    <composite name="varDataEncoding">
      <type name="length" primitiveType="uint16"/>
      <type name="varData" primitiveType="uint8" length="0"/>
    </composite>
    <enum name="SbeBoundsError" encodingType="uint8">
      <validValue name="NULL_VALUE">1</validValue>
      <validValue name="__proto__">2</validValue>
    </enum>
    <enum name="DataView" encodingType="char">
      <validValue name="class">A</validValue>
    </enum>
    <set name="LITTLE_ENDIAN" encodingType="uint64">
      <choice name="wrap">0</choice>
      <choice name="constructor">63</choice>
    </set>
    <composite name="Car">
      <type name="offset" primitiveType="int64"/>
      <type name="view" primitiveType="char" length="3"/>
    </composite>
`, `
  <sbe:message name="Car" id="1">
    <field name="constructor" id="1" type="uint32"/>
    <field name="wrap" id="2" type="Car"/>
    <field name="limit" id="3" type="SbeBoundsError"/>
    <field name="super" id="4" type="DataView"/>
    <field name="toString" id="5" type="LITTLE_ENDIAN"/>
    <group name="super_" id="6" dimensionType="groupSizeEncoding">
      <field name="count" id="7" type="uint8"/>
      <group name="next" id="8" dimensionType="groupSizeEncoding">
        <field name="hasNext" id="9" type="double"/>
      </group>
      <data name="parent" id="10" type="varDataEncoding"/>
    </group>
    <data name="encodedLength" id="11" type="varDataEncoding"/>
  </sbe:message>
  <sbe:message name="CarDecoder" id="2"/>
`);

function collidingSchema(): Schema {
  const { schema, diagnostics } = parseSchemaText(COLLIDING_SCHEMA, 'colliding.xml');
  if (schema === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return schema;
}

function outDirName(file: string): string {
  return path.relative(peer, file).replace(/\.xml$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
}

describe('generated TypeScript type-checks under strict tsc', () => {
  beforeAll(() => {
    rmSync(typecheckDir, { recursive: true, force: true });
    mkdirSync(typecheckDir, { recursive: true });
  });

  it('for every peer schema and a schema of colliding names, in one tsc run with zero errors', () => {
    // given: every schema generated into its own directory inside the repo, so `zerotick/sbe`
    // resolves through package.json exports by self-reference (dist/ is built by npm ci / npm run build)
    expect(existsSync(path.join(repoRoot, 'dist/sbe/runtime/index.d.ts')), 'dist/ is missing: run npm run build').toBe(true);
    for (const file of peerSchemas) writeGeneratedCode(load(file), path.join(typecheckDir, outDirName(file)));
    writeGeneratedCode(collidingSchema(), path.join(typecheckDir, 'colliding'));
    writeFileSync(
      path.join(typecheckDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2022',
          lib: ['ES2022'],
          types: [],
          noEmit: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
          noImplicitReturns: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
        },
        include: ['**/*.ts'],
      }),
    );
    expect(peerSchemas.length).toBeGreaterThanOrEqual(60);
    // when
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(typecheckDir, 'tsconfig.json')], { encoding: 'utf8' });
    // then
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 180_000);
});

describe('generated module shape', () => {
  const car = load(path.join(peer, 'sbe-golden/example-schema.xml'));

  it('is one module named after the package plus an index re-exporting it', () => {
    const files = generateTypeScript(car);
    expect([...files.keys()]).toEqual(['baseline.ts', 'index.ts']);
    expect(files.get('index.ts')).toContain(`export * from './baseline.js';`);
  });

  it('opens with the generated-code banner and imports nothing but the runtime', () => {
    const source = generateTypeScript(car).get('baseline.ts')!;
    expect(source.split('\n')[0]).toBe('/* Generated SBE (Simple Binary Encoding) message codec. Do not edit: regenerate from the schema. */');
    const imports = source.split('\n').filter((line) => /^\s*import\b/.test(line) || /\bfrom\s+'/.test(line));
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatch(/ from 'zerotick\/sbe';$/);
  });

  it('imports the runtime from the given specifier', () => {
    const source = generateTypeScript(car, { runtimeImport: '../sbe/runtime/index.js' }).get('baseline.ts')!;
    expect(source).toMatch(/ from '\.\.\/sbe\/runtime\/index\.js';\n/);
    expect(source).not.toContain('zerotick/sbe');
  });

  it('renames colliding names deterministically', () => {
    const source = generateTypeScript(collidingSchema()).get('index-schema.ts')!;
    expect(source).toContain('export const SbeBoundsError_2 = {');
    expect(source).toContain('  NULL_VALUE_: 1,');
    expect(source).toContain('export class LITTLE_ENDIANDecoder {');
    expect(source).toContain('export const DataView_2 = {');
    expect(source).toContain('export class Car_2Decoder {');
    expect(source).toContain('  constructor_(): number {');
    expect(source).toContain('  wrap_(): Car');
    expect(source).toContain('  limit_(): number {');
  });
});

describe('determinism', () => {
  it('generates identical output twice for every peer schema, from separate loads', () => {
    for (const file of peerSchemas) {
      const first = generateTypeScript(load(file));
      const second = generateTypeScript(load(file));
      expect([...second.entries()], file).toEqual([...first.entries()]);
    }
  });
});

describe('zerotick sbe generate', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/main.ts'), 'sbe', 'generate', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });

  it('writes the module and index and lists them', () => {
    const out = path.join(repoRoot, 'test/.generated/cli');
    rmSync(out, { recursive: true, force: true });
    const result = run(path.join(peer, 'sbe-golden/example-schema.xml'), '--out', out, '--runtime', '../runtime.js');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([path.join(out, 'baseline.ts'), path.join(out, 'index.ts')]);
    expect(generateTypeScript(car(), { runtimeImport: '../runtime.js' }).get('baseline.ts')).toBe(
      spawnSync('cat', [path.join(out, 'baseline.ts')], { encoding: 'utf8' }).stdout,
    );
  });

  it('prints file:line:col diagnostics and exits 1 for a broken schema, writing nothing', () => {
    const broken = path.join(repoRoot, 'test/.generated/cli-broken.xml');
    mkdirSync(path.dirname(broken), { recursive: true });
    writeFileSync(broken, '<?xml version="1.0"?>\n<messageSchema package="x" id="1">\n  <types><type name="t" primitiveType="nope"/></types>\n</messageSchema>\n');
    const out = path.join(repoRoot, 'test/.generated/cli-broken-out');
    rmSync(out, { recursive: true, force: true });
    const result = run(broken, '--out', out);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cli-broken\.xml:\d+:\d+: error: /);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(out)).toBe(false);
  });

  function car(): Schema {
    return load(path.join(peer, 'sbe-golden/example-schema.xml'));
  }
});
