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

export function isFloatingPoint(type: PrimitiveType): boolean {
  return type === 'float' || type === 'double';
}

/** Where the generated module keeps its byte order: `const LITTLE_ENDIAN = true|false`. */
export const BYTE_ORDER_CONSTANT = 'LITTLE_ENDIAN';

function endianArgument(type: PrimitiveType): string {
  return primitiveSize[type] === 1 ? '' : `, ${BYTE_ORDER_CONSTANT}`;
}

/**
 * An expression reading `type` at `offset` from `view` as a number. 64-bit integers are two
 * 32-bit reads combined (`hi * 2^32 + lo`): no BigInt, exact up to 2^53.
 */
export function readNumber(view: string, offset: string, type: PrimitiveType, littleEndian: boolean): string {
  if (is64Bit(type)) {
    const [lowOffset, highOffset] = littleEndian ? [offset, `${offset} + 4`] : [`${offset} + 4`, offset];
    const highGetter = type === 'int64' ? 'getInt32' : 'getUint32';
    return (
      `${view}.${highGetter}(${highOffset}, ${BYTE_ORDER_CONSTANT}) * 4294967296 + ` +
      `${view}.getUint32(${lowOffset}, ${BYTE_ORDER_CONSTANT})`
    );
  }
  return `${view}.get${DATA_VIEW_SUFFIX[type]}(${offset}${endianArgument(type)})`;
}

/** An expression reading a 64-bit integer exactly, as a bigint (allocates: the cold path). */
export function readBigInt(view: string, offset: string, type: PrimitiveType): string {
  return `${view}.get${DATA_VIEW_SUFFIX[type]}(${offset}, ${BYTE_ORDER_CONSTANT})`;
}

/** A statement writing the number `value`; 64-bit goes through the runtime's saturating helper. */
export function writeNumber(view: string, offset: string, type: PrimitiveType, value: string): string {
  if (type === 'int64') return `setInt64FromNumber(${view}, ${offset}, ${value}, ${BYTE_ORDER_CONSTANT});`;
  if (type === 'uint64') return `setUint64FromNumber(${view}, ${offset}, ${value}, ${BYTE_ORDER_CONSTANT});`;
  return `${view}.set${DATA_VIEW_SUFFIX[type]}(${offset}, ${value}${endianArgument(type)});`;
}

export function writeBigInt(view: string, offset: string, type: PrimitiveType, value: string): string {
  return `${view}.set${DATA_VIEW_SUFFIX[type]}(${offset}, ${value}, ${BYTE_ORDER_CONSTANT});`;
}

/** Runtime helpers a write of `type` needs. */
export function writeHelpers(type: PrimitiveType): string[] {
  if (type === 'int64') return ['setInt64FromNumber'];
  if (type === 'uint64') return ['setUint64FromNumber'];
  return [];
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

/** The literal of a schema value in the type its static metadata uses: bigint for 64-bit integers. */
export function metadataLiteral(value: PrimitiveValue, type: PrimitiveType): string {
  return is64Bit(type) ? bigintLiteral(value) : numberLiteral(value);
}

/** A string literal (single-quoted, escaped) for generated code. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&').replace(/[\u0000-\u001f\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}
