import type { Diagnostic } from './diagnostics.js';
import type { Schema } from './ir.js';

export function validateSchema(_schema: Schema): Diagnostic[] {
  return [];
}
