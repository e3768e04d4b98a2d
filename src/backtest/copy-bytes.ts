/**
 * Copies a frame between two regions, each seen through its one DataView, 4 bytes at a time:
 * no subarray is made per frame, and the loads stay monomorphic (a byte loop over a Buffer in
 * one call and a plain Uint8Array in the next is not).
 */
export function copyBytes(from: DataView, fromOffset: number, to: DataView, toOffset: number, length: number): void {
  let copied = 0;
  for (; copied + 4 <= length; copied += 4) to.setUint32(toOffset + copied, from.getUint32(fromOffset + copied, true), true);
  for (; copied < length; copied++) to.setUint8(toOffset + copied, from.getUint8(fromOffset + copied));
}
