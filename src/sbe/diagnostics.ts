/**
 * Schema problems, reported the way compilers do: `file:line:col: error|warning: message`,
 * one per line, so editors and CI logs link straight to the place.
 */
import type { SourceLocation } from './ir.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  message: string;
  location: SourceLocation;
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column } = diagnostic.location;
  return `${file}:${line}:${column}: ${diagnostic.severity}: ${diagnostic.message}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown by APIs that need a valid schema; carries every diagnostic, formatted one per line. */
export class SchemaError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'SchemaError';
    this.diagnostics = diagnostics;
  }
}
