/**
 * `zerotick sbe generate <schema.xml> --out <dir> [--runtime <specifier>]`: writes the TypeScript
 * codecs of a schema (one module plus index.ts). A schema with errors prints its diagnostics,
 * one `file:line:col: error: message` per line, and exits 1 without writing anything.
 */
import type { Command } from 'commander';
import { formatDiagnostic } from '../sbe/diagnostics.js';
import { writeGeneratedCode } from '../sbe/generator.js';
import { loadSchema } from '../sbe/parser.js';

interface GenerateCommandOptions {
  out: string;
  runtime?: string;
}

export function registerSbeGenerate(sbe: Command): void {
  sbe
    .command('generate')
    .description('generate zero-allocation TypeScript decoders/encoders from an SBE XML schema')
    .argument('<schema>', 'SBE XML schema file')
    .requiredOption('-o, --out <dir>', 'directory to write the generated modules to')
    .option('--runtime <specifier>', "module the generated code imports its runtime from (default 'zerotick/sbe')")
    .action((schemaPath: string, options: GenerateCommandOptions) => {
      const { schema, diagnostics } = loadSchema(schemaPath);
      for (const diagnostic of diagnostics) process.stderr.write(`${formatDiagnostic(diagnostic)}\n`);
      if (schema === undefined) {
        process.exitCode = 1;
        return;
      }
      const written = writeGeneratedCode(schema, options.out, options.runtime === undefined ? {} : { runtimeImport: options.runtime });
      for (const file of written) process.stdout.write(`${file}\n`);
    });
}
