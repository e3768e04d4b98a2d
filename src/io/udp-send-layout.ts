/**
 * Layout of a UDP send context (native/zt_udp_send.c is the C side of the same picture). One
 * mmap'd region per sender; TypeScript views the header and the entries once, writes where
 * each packet's bytes are, then one zt_udp_tx_send sends the batch to every destination.
 *
 *   0                   64                              sharedLength(N)
 *   +-------------------+-------------------------------+----------------------------------+
 *   | header (64 bytes) | entry[N], 16 bytes each,      | destinations, iovec[N],          |
 *   |                   | written by TS before a send   | mmsghdr[N * D]  (C only)         |
 *   +-------------------+-------------------------------+----------------------------------+
 *
 * Header (little-endian):
 *    0          4             8         12         16                  24                  32
 *   +----------+-------------+---------+----------+-------------------+-------------------+
 *   | capacity | destination | fd      | reserved | datagramsSent     | blockedCount      |
 *   | N (u32)  | Count (u32) | (int32) |          | (float64, cumul.) | (float64, cumul.) |
 *   +----------+-------------+---------+----------+-------------------+-------------------+
 *    32                  40                  48            52              56..63
 *   +-------------------+-------------------+-------------+---------------+--------+
 *   | gsoSends          | gsoDatagrams      | gsoRefused  | gsoRefused    |reserved|
 *   | (float64, cumul.) | (float64, cumul.) | Errno (i32) | Size (u32)    |        |
 *   +-------------------+-------------------+-------------+---------------+--------+
 *
 * Entry (16 bytes): the packet's bytes are region[offset, offset + length) of the region
 * passed to that send (a mapped capture, a pool):
 *    0                     8          12         16
 *   +---------------------+----------+----------+
 *   | offset (float64)    | length   | reserved |
 *   |                     | (uint32) |          |
 *   +---------------------+----------+----------+
 *
 * Counters are float64 so they never wrap and TypeScript reads them without BigInt.
 */

export const HEADER_LENGTH = 64;
export const CAPACITY_OFFSET = 0;
export const DESTINATION_COUNT_OFFSET = 4;
export const FD_OFFSET = 8;
/** Datagrams the kernel accepted, every destination counted. */
export const DATAGRAMS_SENT_OFFSET = 16;
/** Sends that found the socket buffer full and waited for it to drain. */
export const BLOCKED_COUNT_OFFSET = 24;
/** sendmsg calls that sent a run of datagrams by UDP GSO (UDP_SEGMENT). */
export const GSO_SENDS_OFFSET = 32;
/** Datagrams that left in those calls, every destination counted (also in datagramsSent). */
export const GSO_DATAGRAMS_OFFSET = 40;
/** 0 while GSO is in use; else the errno of the kernel's refusal, after which every send is sendmmsg. */
export const GSO_REFUSED_ERRNO_OFFSET = 48;
/** 0, or the smallest segment length the route refused (EMSGSIZE): that length and longer go by sendmmsg. */
export const GSO_REFUSED_SIZE_OFFSET = 52;

export const ENTRY_LENGTH = 16;
export const ENTRY_OFFSET_OFFSET = 0;
export const ENTRY_LENGTH_OFFSET = 8;

/** Largest batch zt_udp_tx_create accepts (the kernel's UIO_MAXIOV). */
export const MAX_SEND_BATCH = 1024;
/** Destinations one sender duplicates each packet to (A/B lines and a few more). */
export const MAX_DESTINATIONS = 8;

const CACHE_LINE_LENGTH = 64;

export function entryOffset(index: number): number {
  return HEADER_LENGTH + ENTRY_LENGTH * index;
}

/** Bytes of the region that TypeScript views. */
export function sharedLength(capacity: number): number {
  return Math.ceil(entryOffset(capacity) / CACHE_LINE_LENGTH) * CACHE_LINE_LENGTH;
}
