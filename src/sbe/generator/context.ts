/**
 * What every part of the generator shares while emitting one schema's module.
 */
import type { TypeCatalog } from './catalog.js';

export interface EmitContext {
  readonly catalog: TypeCatalog;
  readonly littleEndian: boolean;
  readonly schemaId: number;
  readonly schemaVersion: number;
  /** Runtime exports the module uses; the import line lists exactly these, sorted. */
  readonly runtimeImports: Set<string>;
}

/** Marks runtime exports as used and returns nothing, so emitters can call it inline. */
export function useRuntime(context: EmitContext, ...names: string[]): void {
  for (const name of names) context.runtimeImports.add(name);
}

/** A JSDoc block (or nothing) for generated code, indented by `indent`. */
export function docComment(lines: ReadonlyArray<string | undefined>, indent = '  '): string[] {
  const text = lines.filter((line): line is string => line !== undefined && line.trim() !== '');
  if (text.length === 0) return [];
  if (text.length === 1) return [`${indent}/** ${sanitizeDoc(text[0]!)} */`];
  return [`${indent}/**`, ...text.map((line) => `${indent} * ${sanitizeDoc(line)}`), `${indent} */`];
}

function sanitizeDoc(text: string): string {
  return text.replace(/\*\//g, '*\\/').replace(/\s+/g, ' ').trim();
}
