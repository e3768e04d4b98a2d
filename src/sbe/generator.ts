/**
 * The SBE code generator: one TypeScript module per schema (enums, sets, composites, messages
 * and groups as zero-allocation decoder/encoder flyweights) plus an `index.ts` re-exporting it.
 *
 * Generated code imports only the runtime (`zerotick/sbe` by default) and type-checks on its own
 * under strict tsc with module nodenext. Output is a pure function of the IR: the same schema
 * always generates the same bytes.
 *
 * Names (schema names sanitised; a clash gets a deterministic `_2` / trailing `_`):
 * - message `Car` -> `CarDecoder` / `CarEncoder`; group `Car.fuelFigures` ->
 *   `CarFuelFiguresDecoder` / `CarFuelFiguresEncoder` (nested groups prefix their whole path);
 *   composite or set `Engine` -> `EngineDecoder` / `EngineEncoder`; enum `Model` -> const
 *   `Model` (`Model.A`, `Model.NULL_VALUE`), type `Model`, lookup `ModelNames[value]`.
 * - accessors are the schema name with its first letter lowered (`MDEntryPx` -> `mDEntryPx`).
 *   Decoders: `x()`; `xBigInt()` for 64-bit; arrays `x(index)`, byte arrays `getX(dst, dstOffset)`,
 *   char arrays `xAsString()`; composites and sets `x()` return a reused flyweight; groups `x()`
 *   then `count()`/`hasNext()`/`next()`; var data `xLength()`, `xOffset()`, `skipX()`,
 *   `getX(dst, dstOffset)`, `xAsString()`. Encoders: `x(value)` returning `this`, `xBigInt`,
 *   `x(index, value)`, `putX(src, srcOffset[, length])`, `xFromString(s)`, groups `xCount(n)`.
 *   Fields that may hold doubles (float, double, uint32, 64-bit) also get `xInto(dst, i)` on
 *   decoders and `xFrom(src, i)` on encoders, over a Float64Array.
 * - static metadata: `BLOCK_LENGTH`, `TEMPLATE_ID`, `SCHEMA_ID`, `SCHEMA_VERSION`, `ENCODED_LENGTH`
 *   (composites), `HEADER_SIZE` (groups) and per element `xId`, `xSinceVersion`,
 *   `xEncodingOffset`, `xEncodingLength`, `xNullValue`/`xMinValue`/`xMaxValue` (numbers; plus
 *   `...BigInt` for 64-bit), `xLength` (array elements), `xCharacterEncoding`.
 *
 * Zero allocation: accessors create nothing. A double (float field, 64-bit integer past 2^31)
 * passed to or returned from a call V8 did not inline is boxed by V8 itself, so accessors are kept
 * small enough to inline (32-bit getters fit V8's always-inline size). Where that is not enough
 * (a loop touching many 64-bit fields outgrows V8's default inlining budget), either use the
 * typed-array accessors `xInto(dst: Float64Array, i)` / `xFrom(src: Float64Array, i)`, which never
 * pass a double across a call (test/sbe/zero-alloc-typed-arrays, default flags), or run with
 * --max-inlined-bytecode-size-cumulative=1500 (test/sbe/zero-alloc).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Schema } from './ir.js';
import { TypeCatalog } from './generator/catalog.js';
import type { EmitContext } from './generator/context.js';
import { messageCode } from './generator/message-codecs.js';
import { stringLiteral } from './generator/primitives.js';
import { compositeCode, enumCode, setCode } from './generator/type-codecs.js';

export interface GenerateOptions {
  /** Module specifier of the runtime. Default 'zerotick/sbe'; in-package builds use a relative path. */
  runtimeImport?: string;
}

const DEFAULT_RUNTIME_IMPORT = 'zerotick/sbe';

/** Every export of the runtime: schema names that collide with these are renamed. */
const RUNTIME_EXPORTS = [
  'SbeBoundsError',
  'SbeHeaderError',
  'SbeRangeError',
  'blockError',
  'headerError',
  'nextError',
  'EMPTY_VIEW',
  'copyFromBytes',
  'copyToBytes',
  'fillZero',
  'decodeCharArray',
  'decodeString',
  'encodeCharArray',
  'encodeString',
];

const BANNER = '/* Generated SBE (Simple Binary Encoding) message codec. Do not edit: regenerate from the schema. */';

/** The module's file name, from the schema package: `baseline` -> `baseline.ts`. */
export function moduleFileName(schema: Schema): string {
  const base = schema.package.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'schema';
  return base === 'index' ? 'index-schema.ts' : `${base}.ts`;
}

export function generateTypeScript(schema: Schema, options: GenerateOptions = {}): Map<string, string> {
  const context: EmitContext = {
    catalog: new TypeCatalog(schema, RUNTIME_EXPORTS),
    littleEndian: schema.byteOrder === 'littleEndian',
    schemaId: schema.id,
    schemaVersion: schema.version,
    runtimeImports: new Set(),
  };
  const body: string[] = [];
  for (const type of context.catalog.types) {
    if (type.kind === 'enum') body.push('', ...enumCode(type, context));
    else if (type.kind === 'set') body.push('', ...setCode(type, context));
    else body.push('', ...compositeCode(type, context));
  }
  for (const message of context.catalog.messages) body.push('', ...messageCode(message, context, schema.headerType));

  const fileName = moduleFileName(schema);
  const runtime = [...context.runtimeImports].sort();
  const source = [
    BANNER,
    `// Schema: package ${schema.package}, id ${schema.id}, version ${schema.version}${schema.semanticVersion !== undefined ? ` (${schema.semanticVersion})` : ''}, ${schema.byteOrder}.`,
    `import { ${runtime.join(', ')} } from ${stringLiteral(options.runtimeImport ?? DEFAULT_RUNTIME_IMPORT)};`,
    `// Byte order: the \`${schema.byteOrder === 'littleEndian'}\` passed to every multi-byte DataView access (littleEndian flag).`,
    '',
    `export const SCHEMA_ID = ${schema.id};`,
    `export const SCHEMA_VERSION = ${schema.version};`,
    `export const SCHEMA_PACKAGE = ${stringLiteral(schema.package)};`,
    ...body,
    '',
  ].join('\n');
  const index = [BANNER, `export * from './${fileName.replace(/\.ts$/, '.js')}';`, ''].join('\n');
  return new Map([
    [fileName, source],
    ['index.ts', index],
  ]);
}

/** Writes the generated files into `outDir` (created if missing); returns their paths. */
export function writeGeneratedCode(schema: Schema, outDir: string, options: GenerateOptions = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [fileName, source] of generateTypeScript(schema, options)) {
    const filePath = path.join(outDir, fileName);
    writeFileSync(filePath, source);
    written.push(filePath);
  }
  return written;
}
