/**
 * Build step: generates the product's own codecs (schemas/*.xml -> src/generated/) before the
 * rest of the source compiles. It imports only the SBE toolchain, not the CLI, because most of
 * the CLI imports the very code this writes.
 */
import { writeGeneratedCode } from '../src/sbe/generator.js';
import { loadSchemaOrThrow } from '../src/sbe/parser.js';

const RUNTIME_IMPORT = '../../sbe/runtime/index.js';
const CODECS = [
  { schema: 'schemas/mdp3.xml', out: 'src/generated/mdp3' },
  { schema: 'schemas/order-entry.xml', out: 'src/generated/order-entry' },
];

for (const { schema, out } of CODECS) {
  writeGeneratedCode(loadSchemaOrThrow(schema), out, { runtimeImport: RUNTIME_IMPORT });
}
