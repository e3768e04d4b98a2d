/**
 * SBE primitive types: their default null/min/max values (FIX SBE 1.0, section 2.3, as the
 * reference tool's PrimitiveType has them) and the parsing of literals written in a schema.
 *
 * Integers are parsed as bigint and then narrowed: a value that is a safe integer becomes a
 * number, anything beyond 2^53 stays a bigint (the IR's PrimitiveValue rule).
 */
import type { PrimitiveType, PrimitiveValue } from './ir.js';

export interface PrimitiveLimits {
  nullValue: PrimitiveValue;
  minValue: PrimitiveValue;
  maxValue: PrimitiveValue;
}

const FLOAT_MAX = 3.4028234663852886e38;

/** Every representable value of an integer primitive, null included: what a literal must fit in. */
const integerStorageRange: Readonly<Record<string, readonly [bigint, bigint]>> = {
  char: [0n, 255n],
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export const primitiveLimits: Readonly<Record<PrimitiveType, PrimitiveLimits>> = {
  char: { nullValue: 0, minValue: 0x20, maxValue: 0x7e },
  int8: signedLimits(8n),
  int16: signedLimits(16n),
  int32: signedLimits(32n),
  int64: signedLimits(64n),
  uint8: unsignedLimits(8n),
  uint16: unsignedLimits(16n),
  uint32: unsignedLimits(32n),
  uint64: unsignedLimits(64n),
  float: { nullValue: NaN, minValue: -FLOAT_MAX, maxValue: FLOAT_MAX },
  double: { nullValue: NaN, minValue: -Number.MAX_VALUE, maxValue: Number.MAX_VALUE },
};

/** Signed: null is the most negative value, so the range is symmetric. */
function signedLimits(bits: bigint): PrimitiveLimits {
  const max = 2n ** (bits - 1n) - 1n;
  return { nullValue: narrow(-max - 1n), minValue: narrow(-max), maxValue: narrow(max) };
}

/** Unsigned: null is the largest value. */
function unsignedLimits(bits: bigint): PrimitiveLimits {
  const all = 2n ** bits - 1n;
  return { nullValue: narrow(all), minValue: 0, maxValue: narrow(all - 1n) };
}

const primitiveNames: ReadonlySet<string> = new Set(Object.keys(primitiveLimits));

export function isPrimitiveType(name: string): name is PrimitiveType {
  return primitiveNames.has(name);
}

export function isFloatingPoint(type: PrimitiveType): boolean {
  return type === 'float' || type === 'double';
}

export function isUnsignedInteger(type: PrimitiveType): boolean {
  return type.startsWith('uint');
}

export function isInteger(type: PrimitiveType): boolean {
  return type !== 'char' && !isFloatingPoint(type);
}

/** char and the integers: the types an enum may be encoded as. */
export function isIntegral(type: PrimitiveType): boolean {
  return !isFloatingPoint(type);
}

/** A safe integer as a number, anything larger as a bigint. */
export function narrow(value: bigint): PrimitiveValue {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

export function toBigInt(value: PrimitiveValue): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

const INTEGER_LITERAL = /^[+-]?\d+$/;
const FLOAT_LITERAL = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;

export type ParseResult = { ok: true; value: PrimitiveValue } | { ok: false; reason: string };

/**
 * Parses a literal of `type` as the schema writes it: decimal integers, floats (NaN allowed),
 * and for char a single character (its code). The value must be representable in the type.
 */
export function parsePrimitiveValue(text: string, type: PrimitiveType): ParseResult {
  const literal = text.trim();
  if (type === 'char') return parseCharLiteral(text);
  if (isFloatingPoint(type)) {
    if (!FLOAT_LITERAL.test(literal)) return { ok: false, reason: `'${literal}' is not a ${type} literal` };
    return { ok: true, value: Number(literal.replace(/[fFdD]$/, '')) };
  }
  const parsed = parseIntegerLiteral(literal);
  if (parsed === undefined) return { ok: false, reason: `'${literal}' is not an integer` };
  const [low, high] = integerStorageRange[type]!;
  if (parsed < low || parsed > high) return { ok: false, reason: `${literal} does not fit in ${type} (${low}..${high})` };
  return { ok: true, value: narrow(parsed) };
}

/** An integer literal of any size (for enum values and choice bits, range-checked later), or undefined. */
export function parseIntegerLiteral(text: string): bigint | undefined {
  const literal = text.trim();
  return INTEGER_LITERAL.test(literal) ? BigInt(literal) : undefined;
}

/** A char literal is one character; its value is the character code (which must fit a byte). */
export function parseCharLiteral(text: string): ParseResult {
  // Whitespace is only trimmed when something else is there: a constant ' ' is a space.
  const literal = text.trim() === '' ? text : text.trim();
  if (literal.length !== 1) return { ok: false, reason: `'${literal}' is not a single character` };
  const code = literal.charCodeAt(0);
  if (code > 0xff) return { ok: false, reason: `'${literal}' is not a single-byte character` };
  return { ok: true, value: code };
}
