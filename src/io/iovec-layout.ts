/**
 * Layout of the iovec array the TCP sender hands to sendmsg (struct iovec on x86-64/aarch64
 * Linux), written from TypeScript through one DataView:
 *
 *    0                               8                               16
 *   +-------------------------------+-------------------------------+
 *   | iov_base (uint64 address)     | iov_len (uint64 bytes)        |
 *   +-------------------------------+-------------------------------+
 *
 * 64-bit fields are written as two uint32 halves from a `number`: user-space addresses are
 * below 2^47 and lengths below 2^32, so no BigInt is needed on the hot path.
 */
export const IOVEC_LENGTH = 16;
export const BASE_OFFSET = 0;
export const LENGTH_OFFSET = 8;
/** The kernel's IOV_MAX: sendmsg takes at most this many segments per call. */
export const IOV_MAX = 1024;

const TWO_TO_32 = 0x1_0000_0000;

export function iovecOffset(entry: number): number {
  return entry * IOVEC_LENGTH;
}

export function readBase(view: DataView, entry: number): number {
  const offset = iovecOffset(entry) + BASE_OFFSET;
  return view.getUint32(offset + 4, true) * TWO_TO_32 + view.getUint32(offset, true);
}

export function writeBase(view: DataView, entry: number, address: number): void {
  const offset = iovecOffset(entry) + BASE_OFFSET;
  const low = address % TWO_TO_32;
  view.setUint32(offset, low, true);
  view.setUint32(offset + 4, (address - low) / TWO_TO_32, true);
}

export function readLength(view: DataView, entry: number): number {
  return view.getUint32(iovecOffset(entry) + LENGTH_OFFSET, true);
}

export function writeLength(view: DataView, entry: number, length: number): void {
  const offset = iovecOffset(entry) + LENGTH_OFFSET;
  view.setUint32(offset, length, true);
  view.setUint32(offset + 4, 0, true);
}
