/**
 * Identifiers in generated code. Schema names are used as written where that is valid
 * TypeScript and safe; otherwise they get a deterministic `_` suffix, so the same schema always
 * generates the same names. Class-level names are PascalCase (`fuelFigures` ->
 * `FuelFigures`), accessors camelCase with the first letter lowered as the reference Java
 * generator does (`MDEntryPx` -> `mDEntryPx`).
 */

/** Words that cannot name a top-level binding, plus the globals and constants generated code uses. */
const RESERVED_TOP_LEVEL = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface',
  'package', 'private', 'protected', 'public', 'await', 'async', 'any', 'boolean', 'number',
  'string', 'symbol', 'bigint', 'object', 'never', 'unknown', 'undefined', 'type', 'as',
  'arguments', 'eval', 'NaN', 'Infinity', 'DataView', 'Uint8Array', 'Math', 'Number', 'BigInt',
  'Object', 'Error', 'RangeError', 'String', 'Symbol', 'Array', 'Readonly', 'Record',
]);

/**
 * Members every generated class may have (state, wrap, iteration, metadata getters): a schema
 * field with one of these names gets a `_` suffix on its accessors.
 */
const RESERVED_MEMBERS = new Set([
  'constructor', 'prototype', '__proto__', 'toString', 'toJSON', 'valueOf', 'hasOwnProperty',
  'wrap', 'wrapAndApplyHeader', 'wrapEmpty', 'view', 'offset', 'limit', 'actingBlockLength',
  'actingVersion', 'bufferEnd', 'parent', 'count', 'index', 'hasNext', 'next', 'encodedLength',
  'sbeSkip', 'sbeSkipEntries', 'sbeWrapInBlock', 'sbeBlockLength', 'sbeTemplateId', 'sbeSchemaId', 'sbeSchemaVersion',
  'sbeSemanticVersion', 'clear', 'rawValue', 'rawValueBigInt', 'isEmpty',
]);

/** Enum const keys that are not value names. */
const RESERVED_ENUM_KEYS = new Set(['NULL_VALUE', '__proto__']);

/** Replaces characters that cannot appear in an identifier and guards a leading digit. */
export function toIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(cleaned) || cleaned === '' ? `_${cleaned}` : cleaned;
}

export function pascalCase(name: string): string {
  const id = toIdentifier(name);
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/** The accessor name for a field, group, var data, composite member or set choice. */
export function memberName(name: string): string {
  const id = toIdentifier(name);
  const lowered = id.charAt(0).toLowerCase() + id.slice(1);
  return RESERVED_MEMBERS.has(lowered) ? `${lowered}_` : lowered;
}

/** A key of an enum const object (`Side.Buy`). */
export function enumKey(name: string): string {
  const id = toIdentifier(name);
  return RESERVED_ENUM_KEYS.has(id) ? `${id}_` : id;
}

/**
 * Hands out top-level names in a module, first come first served. A taken name gets `_2`,
 * `_3`, ...; the order of claims is the schema's declaration order, so output is deterministic.
 */
export class NameRegistry {
  readonly #taken = new Set<string>(RESERVED_TOP_LEVEL);

  constructor(alsoReserved: Iterable<string>) {
    for (const name of alsoReserved) this.#taken.add(name);
  }

  /** Claims `base + suffix` for every suffix at once (e.g. Decoder and Encoder) and returns the base. */
  claim(base: string, suffixes: readonly string[]): string {
    let candidate = base;
    for (let n = 2; suffixes.some((suffix) => this.#taken.has(candidate + suffix)); n++) {
      candidate = `${base}_${n}`;
    }
    for (const suffix of suffixes) this.#taken.add(candidate + suffix);
    return candidate;
  }
}
