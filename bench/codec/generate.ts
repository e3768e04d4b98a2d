/**
 * Generates zerotick's flyweights for the two benchmarked schemas into bench/build/generated,
 * with the project's own generator, at bench start (generated code is build output, never
 * committed). The runtime import points at the sources so that no `npm run build` is needed.
 *
 *   node --import tsx bench/codec/generate.ts
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSchemaOrThrow } from '../../src/sbe/parser.js';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { benchDirectory, repoDirectory } from '../lib/paths.js';

export const generatedDirectory = path.join(benchDirectory, 'build', 'generated');

const schemas = [
  { schemaPath: path.join(repoDirectory, 'schemas', 'mdp3.xml'), outDir: 'mdp3' },
  { schemaPath: path.resolve(repoDirectory, '..', 'shared', 'peer', 'sbe-golden', 'example-schema.xml'), outDir: 'car' },
];

/** From bench/build/generated/<schema>/ to src/sbe/runtime. */
const RUNTIME_IMPORT = '../../../../src/sbe/runtime/index.js';

export function generateBenchCodecs(): string[] {
  return schemas.flatMap(({ schemaPath, outDir }) =>
    writeGeneratedCode(loadSchemaOrThrow(schemaPath), path.join(generatedDirectory, outDir), { runtimeImport: RUNTIME_IMPORT }),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const file of generateBenchCodecs()) process.stdout.write(`${path.relative(process.cwd(), file)}\n`);
}
