/**
 * `zerotick sbe`: SBE schema tools. `validate` reports every problem of a schema the way
 * compilers do (`file:line:col: error|warning: message`) and exits 1 when there is an error.
 * Other subcommands (generate) register on the returned command.
 */
import type { Command } from 'commander';
import { formatDiagnostic, type Diagnostic } from '../sbe/diagnostics.js';
import { loadSchema } from '../sbe/parser.js';
import { registerSbeGenerate } from './sbe-generate.js';

export function registerSbeCommand(program: Command): Command {
  const sbe = program.command('sbe').description('SBE (Simple Binary Encoding) schema tools');
  sbe
    .command('validate')
    .description('check an SBE XML schema (XIncludes resolved) and report every problem with its file:line:col')
    .argument('<schema>', 'SBE XML schema file')
    .action((schemaPath: string) => {
      const { diagnostics } = loadSchema(schemaPath);
      for (const diagnostic of diagnostics) process.stdout.write(`${formatDiagnostic(diagnostic)}\n`);
      process.stdout.write(`${summary(schemaPath, diagnostics)}\n`);
      if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) process.exitCode = 1;
    });
  registerSbeGenerate(sbe);
  return sbe;
}

function summary(schemaPath: string, diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const verdict = errors === 0 ? 'valid' : 'invalid';
  return `${schemaPath}: ${verdict}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
