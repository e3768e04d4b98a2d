/**
 * 64-bit integers as `number`, without BigInt: two 32-bit accesses combined arithmetically.
 * Exact for |value| <= 2^53 (Number.MAX_SAFE_INTEGER); beyond that the result is the nearest
 * double. Use the generated `xxxBigInt()` accessors (DataView.getBigInt64) when every bit matters.
 *
 * Generated decoders inline the read (`hi * 2^32 + lo`); these functions are for hand-written
 * code and for the writes, which need clamping.
 */

/** 2^32: the weight of the high word. */
export const TWO_POW_32 = 4294967296;
const TWO_POW_64 = 18446744073709551616;
const TWO_POW_63 = 9223372036854775808;

function lowWordOffset(offset: number, littleEndian: boolean): number {
  return littleEndian ? offset : offset + 4;
}

function highWordOffset(offset: number, littleEndian: boolean): number {
  return littleEndian ? offset + 4 : offset;
}

export function getUint64AsNumber(view: DataView, offset: number, littleEndian: boolean): number {
  return (
    view.getUint32(highWordOffset(offset, littleEndian), littleEndian) * TWO_POW_32 +
    view.getUint32(lowWordOffset(offset, littleEndian), littleEndian)
  );
}

export function getInt64AsNumber(view: DataView, offset: number, littleEndian: boolean): number {
  return (
    view.getInt32(highWordOffset(offset, littleEndian), littleEndian) * TWO_POW_32 +
    view.getUint32(lowWordOffset(offset, littleEndian), littleEndian)
  );
}

/**
 * Writes a non-negative integer as uint64. Values at or above 2^64 (such as the double nearest
 * to the uint64 null value 2^64-1) saturate to 0xFFFFFFFF_FFFFFFFF rather than wrap to 0.
 */
export function setUint64FromNumber(view: DataView, offset: number, value: number, littleEndian: boolean): void {
  if (value >= TWO_POW_64) {
    view.setUint32(offset, 0xffffffff, littleEndian);
    view.setUint32(offset + 4, 0xffffffff, littleEndian);
    return;
  }
  const high = Math.floor(value / TWO_POW_32);
  view.setUint32(highWordOffset(offset, littleEndian), high, littleEndian);
  view.setUint32(lowWordOffset(offset, littleEndian), value - high * TWO_POW_32, littleEndian);
}

/** Writes an integer as int64, saturating outside [-2^63, 2^63-1] (2^63 is where int64 max rounds to). */
export function setInt64FromNumber(view: DataView, offset: number, value: number, littleEndian: boolean): void {
  if (value >= TWO_POW_63) {
    view.setInt32(highWordOffset(offset, littleEndian), 0x7fffffff, littleEndian);
    view.setUint32(lowWordOffset(offset, littleEndian), 0xffffffff, littleEndian);
    return;
  }
  const clamped = value < -TWO_POW_63 ? -TWO_POW_63 : value;
  const high = Math.floor(clamped / TWO_POW_32);
  view.setInt32(highWordOffset(offset, littleEndian), high, littleEndian);
  view.setUint32(lowWordOffset(offset, littleEndian), clamped - high * TWO_POW_32, littleEndian);
}
