/**
 * Layout of a UDP receive context (native/zt_udp.h is the C side of the same picture). One
 * mmap'd region per receiver; TypeScript views the shared part once (a DataView for the header,
 * typed arrays for the per-datagram fields) and reads each batch in place; the tail belongs to
 * the kernel and zt_udp.c.
 *
 *   0                   64                      messagesOffset(N)            sharedLength(N)
 *   +-------------------+-----------------------+----------------------------+------------------------+
 *   | header (64 bytes) | int32 slotIndex[N]    | message[N], 32 bytes each  | mmsghdr, iovec, peers, |
 *   |                   | written by TS before  | written by C for each      | control[N]  (C only)   |
 *   |                   | each recvmmsg         | datagram received          |                        |
 *   +-------------------+-----------------------+----------------------------+------------------------+
 *
 * Header (uint32 unless noted):
 *    0          4          8          12         16                    24         28         32
 *   +----------+----------+----------+----------+---------------------+----------+----------+
 *   | capacity | slotSize | slot     | slot     | poolBase (uint64,   | fd       | kernel   |
 *   | N        |          | Stride   | Count    | address of slot 0)  | (int32)  | DropCount|
 *   +----------+----------+----------+----------+---------------------+----------+----------+
 *   32         36         40         44..63
 *   +----------+----------+----------+----------+
 *   | options  | slots    | armed    | reserved |
 *   |          | Changed  | Count    |          |
 *   |          |          | (C only) |          |
 *   +----------+----------+----------+----------+
 *
 * options are fixed at creation (SOURCE_ADDRESS_OPTION). TypeScript sets slotsChanged to 1 after
 * writing slotIndex; the next receive re-arms the iovecs from it. kernelDropCount is written by
 * zt_udp_rx_read_drops (SO_MEMINFO), which UdpReceiver.kernelDropCount calls: on demand, never
 * per receive.
 *
 * Message (32 bytes, little-endian):
 *    0                     8          12         16          20         24         28       30     32
 *   +---------------------+----------+----------+-----------+----------+----------+--------+------+
 *   | timestampNanos      | slot     | length   | datagram  | flags    | source   | source | pad  |
 *   | (float64)           | Index    | (int32)  | Length    | (uint32) | Address  | Port   |      |
 *   |                     | (int32)  |          | (int32)   |          | (uint32) | (u16)  |      |
 *   +---------------------+----------+----------+-----------+----------+----------+--------+------+
 *
 * timestampNanos is the kernel receive time (SO_TIMESTAMPNS, CLOCK_REALTIME) in ns since the
 * epoch as a double: exact to ~0.25 us, comparable with realtimeNanos(), and no BigInt.
 * It is 0 when the socket's SO_TIMESTAMPNS is off. sourceAddress is IPv4 in host byte order;
 * it and sourcePort are 0 unless the context has SOURCE_ADDRESS_OPTION. length <= slotSize are
 * the bytes in the slot; datagramLength is the size on the wire (larger when TRUNCATED_FLAG is set).
 */

export const HEADER_LENGTH = 64;
export const CAPACITY_OFFSET = 0;
export const SLOT_SIZE_OFFSET = 4;
export const SLOT_STRIDE_OFFSET = 8;
export const SLOT_COUNT_OFFSET = 12;
export const POOL_BASE_OFFSET = 16;
export const FD_OFFSET = 24;
/** Datagrams the socket dropped for lack of buffer space, cumulative (uint32, wraps). */
export const KERNEL_DROP_COUNT_OFFSET = 28;
export const OPTIONS_OFFSET = 32;
export const SLOTS_CHANGED_OFFSET = 36;

/** options: the kernel reports each datagram's source (msg_name), at the cost of a copy per datagram. */
export const SOURCE_ADDRESS_OPTION = 1;

/** int32 slotIndex[N] starts right after the header. */
export const SLOT_INDEX_OFFSET = HEADER_LENGTH;
export const SLOT_INDEX_LENGTH = 4;

export const MESSAGE_LENGTH = 32;
export const TIMESTAMP_NANOS_OFFSET = 0;
export const MESSAGE_SLOT_INDEX_OFFSET = 8;
export const LENGTH_OFFSET = 12;
export const DATAGRAM_LENGTH_OFFSET = 16;
export const FLAGS_OFFSET = 20;
export const SOURCE_ADDRESS_OFFSET = 24;
export const SOURCE_PORT_OFFSET = 28;

/**
 * The hot fields as indexes into typed arrays over the message array (native byte order, as C
 * wrote them): a typed-array load per field instead of a DataView getter.
 */
export const MESSAGE_LENGTH_WORDS = MESSAGE_LENGTH / Int32Array.BYTES_PER_ELEMENT;
export const MESSAGE_LENGTH_DOUBLES = MESSAGE_LENGTH / Float64Array.BYTES_PER_ELEMENT;
export const TIMESTAMP_NANOS_DOUBLE = TIMESTAMP_NANOS_OFFSET / Float64Array.BYTES_PER_ELEMENT;
export const MESSAGE_SLOT_INDEX_WORD = MESSAGE_SLOT_INDEX_OFFSET / Int32Array.BYTES_PER_ELEMENT;
export const LENGTH_WORD = LENGTH_OFFSET / Int32Array.BYTES_PER_ELEMENT;
export const DATAGRAM_LENGTH_WORD = DATAGRAM_LENGTH_OFFSET / Int32Array.BYTES_PER_ELEMENT;
export const FLAGS_WORD = FLAGS_OFFSET / Int32Array.BYTES_PER_ELEMENT;

/** The datagram was longer than the slot; only `length` bytes were kept. */
export const TRUNCATED_FLAG = 1;
/** timestampNanos holds a kernel receive time (always set when SO_TIMESTAMPNS is on). */
export const TIMESTAMPED_FLAG = 2;

/** Largest batch zt_udp_rx_create accepts (the kernel's UIO_MAXIOV). */
export const MAX_BATCH = 1024;

const CACHE_LINE_LENGTH = 64;

function alignToCacheLine(value: number): number {
  return Math.ceil(value / CACHE_LINE_LENGTH) * CACHE_LINE_LENGTH;
}

/** Where message[0] starts for a context of `capacity` messages. */
export function messagesOffset(capacity: number): number {
  return alignToCacheLine(SLOT_INDEX_OFFSET + SLOT_INDEX_LENGTH * capacity);
}

/** Bytes of the region that TypeScript views. */
export function sharedLength(capacity: number): number {
  return alignToCacheLine(messagesOffset(capacity) + MESSAGE_LENGTH * capacity);
}

export function messageOffset(firstMessageOffset: number, position: number): number {
  return firstMessageOffset + MESSAGE_LENGTH * position;
}
