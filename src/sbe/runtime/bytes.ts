/**
 * Byte copies between a DataView (possibly over external native memory) and a caller's
 * Uint8Array. A plain loop: no subarray or temporary view is created, so the copy allocates
 * nothing, and SBE char arrays and var-data strings are short enough for it to be the fast way.
 */

export function copyToBytes(view: DataView, offset: number, dst: Uint8Array, dstOffset: number, length: number): void {
  for (let i = 0; i < length; i++) {
    dst[dstOffset + i] = view.getUint8(offset + i);
  }
}

export function copyFromBytes(view: DataView, offset: number, src: Uint8Array, srcOffset: number, length: number): void {
  for (let i = 0; i < length; i++) {
    view.setUint8(offset + i, src[srcOffset + i] ?? 0);
  }
}

/** Fills `length` bytes with zero (the SBE padding of a char array shorter than its type). */
export function fillZero(view: DataView, offset: number, length: number): void {
  for (let i = 0; i < length; i++) {
    view.setUint8(offset + i, 0);
  }
}

/** Index of the first NUL byte in [offset, offset + length), or `length` when there is none. */
export function lengthBeforeNul(view: DataView, offset: number, length: number): number {
  for (let i = 0; i < length; i++) {
    if (view.getUint8(offset + i) === 0) return i;
  }
  return length;
}

/**
 * The view a flyweight holds before its first `wrap`: a real DataView, so the field keeps one
 * shape from construction on (no undefined -> DataView transition for V8 to track).
 */
export const EMPTY_VIEW = new DataView(new ArrayBuffer(0));
