/**
 * How each SBE primitive maps onto DataView calls and TypeScript literals in generated code.
 */
import type { PrimitiveType, PrimitiveValue } from '../ir.js';
import { primitiveSize } from '../ir.js';

/** DataView method suffix per primitive (`get${suffix}` / `set${suffix}`); 64-bit ones are special-cased. */
const DATA_VIEW_SUFFIX: Readonly<Record<PrimitiveType, string>> = {
  char: 'Uint8',
  int8: 'Int8',
  uint8: 'Uint8',
  int16: 'Int16',
  uint16: 'Uint16',
  int32: 'Int32',
  uint32: 'Uint32',
  int64: 'BigInt64',
  uint64: 'BigUint64',
  float: 'Float32',
  double: 'Float64',
};

export function is64Bit(type: PrimitiveType): boolean {
  return type === 'int64' || type === 'uint64';
}

/**
 * Types whose values may be doubles rather than small integers (fractions, or integers past
 * 2^31): V8 boxes such a value into a HeapNumber when it crosses a call it did not inline.
 */
export function mayBeDouble(type: PrimitiveType): boolean {
  return is64Bit(type) || type === 'uint32' || type === 'float' || type === 'double';
}

/** `offset + delta` without a `+ 0`: every bytecode counts for V8's small-function inlining. */
export function plus(offset: string, delta: number): string {
  const folded = /^(.*) \+ (\d+)$/.exec(offset);
  if (folded !== null) return plus(folded[1]!, Number(folded[2]) + delta);
  return delta === 0 ? offset : `${offset} + ${delta}`;
}

/**
 * The byte order is passed to DataView as a literal `true`/`false`, not a module constant: a
 * 32-bit getter then compiles to 27 bytes of bytecode, the size V8 always inlines
 * (--max-inlined-bytecode-size-small), so a double it returns is never boxed into a HeapNumber.
 */
function endianArgument(type: PrimitiveType, littleEndian: boolean): string {
  return primitiveSize[type] === 1 ? '' : `, ${littleEndian}`;
}

/** Offsets of the low and high 32-bit words of a 64-bit integer at `offset`. */
function wordOffsets(offset: string, littleEndian: boolean): { low: string; high: string } {
  return littleEndian ? { low: offset, high: plus(offset, 4) } : { low: plus(offset, 4), high: offset };
}

/**
 * An expression reading `type` at `offset` from `view` as a number. 64-bit integers are two
 * 32-bit reads combined (`hi * 2^32 + lo`): no BigInt, exact up to 2^53.
 */
export function readNumber(view: string, offset: string, type: PrimitiveType, littleEndian: boolean): string {
  if (is64Bit(type)) {
    const { low, high } = wordOffsets(offset, littleEndian);
    const highGetter = type === 'int64' ? 'getInt32' : 'getUint32';
    return `${view}.${highGetter}(${high}, ${littleEndian}) * 4294967296 + ${view}.getUint32(${low}, ${littleEndian})`;
  }
  return `${view}.get${DATA_VIEW_SUFFIX[type]}(${offset}${endianArgument(type, littleEndian)})`;
}

/** An expression reading a 64-bit integer exactly, as a bigint (allocates: the cold path). */
export function readBigInt(view: string, offset: string, type: PrimitiveType, littleEndian: boolean): string {
  return `${view}.get${DATA_VIEW_SUFFIX[type]}(${offset}, ${littleEndian})`;
}

/** Where a 64-bit number setter saturates: 2^63 (where int64 max rounds to) and 2^64 (uint64 max). */
const SATURATION: Readonly<Record<'int64' | 'uint64', { limit: string; max: string; high: string }>> = {
  int64: { limit: '9223372036854775808', max: '9223372036854775807n', high: '2147483647' },
  uint64: { limit: '18446744073709551616', max: '18446744073709551615n', high: '4294967295' },
};

/**
 * Statements writing the number `value`. A 64-bit integer is split into two 32-bit words with
 * arithmetic only (no BigInt): high = floor(value / 2^32), low = value - high * 2^32, which is
 * right for negative values too. At or above 2^63 (int64) / 2^64 (uint64), where the nearest double of the max or
 * null value lands, the write saturates to the maximum instead of wrapping around:
 * `saturate(maxBigIntLiteral)` is the statement that writes it (a setter passes its BigInt
 * sibling, which keeps the number setter small); without it both cases are written inline.
 * Either way there is no `cond ? double : constant`: such a phi makes TurboFan box the double.
 */
export function writeNumber(
  view: string,
  offset: string,
  type: PrimitiveType,
  value: string,
  littleEndian: boolean,
  saturate?: (max: string) => string,
): string[] {
  if (type === 'int64' || type === 'uint64') {
    const { low, high } = wordOffsets(offset, littleEndian);
    const { limit, max, high: saturatedHigh } = SATURATION[type];
    const highSetter = type === 'int64' ? 'setInt32' : 'setUint32';
    // Math.floor compiles to one instruction; `%` on doubles would be a call to fmod.
    const inRange = [
      `const high = Math.floor(${value} / 4294967296);`,
      `${view}.${highSetter}(${high}, high, ${littleEndian});`,
      `${view}.setUint32(${low}, ${value} - high * 4294967296, ${littleEndian});`,
    ];
    if (saturate !== undefined) return [`if (${value} >= ${limit}) return ${saturate(max)};`, ...inRange];
    return [
      `if (${value} < ${limit}) {`,
      ...inRange.map((line) => `  ${line}`),
      `} else {`,
      `  ${view}.${highSetter}(${high}, ${saturatedHigh}, ${littleEndian});`,
      `  ${view}.setUint32(${low}, 4294967295, ${littleEndian});`,
      `}`,
    ];
  }
  return [`${view}.set${DATA_VIEW_SUFFIX[type]}(${offset}, ${value}${endianArgument(type, littleEndian)});`];
}

export function writeBigInt(view: string, offset: string, type: PrimitiveType, value: string, littleEndian: boolean): string {
  return `${view}.set${DATA_VIEW_SUFFIX[type]}(${offset}, ${value}, ${littleEndian});`;
}

/** A number literal; values beyond 2^53 in exponent form so the literal is the same double without a precision warning. */
export function numberLiteral(value: PrimitiveValue): string {
  const n = Number(value);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) return n.toExponential();
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

export function bigintLiteral(value: PrimitiveValue): string {
  return `${BigInt(value)}n`;
}


/** A string literal (single-quoted, escaped) for generated code. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&').replace(/[\u0000-\u001f\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}
