/**
 * Binary layout of a zerotick single-producer/single-consumer shared-memory ring file, in the
 * style of Agrona's RingBufferDescriptor and RecordDescriptor. Every offset used by
 * shm-ring.ts is named here; all fields are little-endian.
 *
 * The file (e.g. /dev/shm/zerotick-feed):
 *
 *   0               HEADER_LENGTH                  HEADER_LENGTH + capacity
 *   +---------------+------------------------------+------------------------+
 *   | file header   | records: `capacity` bytes,   | trailer: positions,    |
 *   | (128 bytes)   | a power of two               | each on its own lines  |
 *   +---------------+------------------------------+------------------------+
 *   fileLength(capacity) = HEADER_LENGTH + capacity + TRAILER_LENGTH
 *
 * File header (written once by the creator; the magic last, so that a reader never accepts a
 * half-written header):
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                    Magic "ZTSR"                               |  0
 *   +---------------------------------------------------------------+
 *   |                    Layout version                             |  4
 *   +---------------------------------------------------------------+
 *   |                    Capacity (bytes of records)                |  8
 *   +---------------------------------------------------------------+
 *   |                    Record alignment (8)                       | 12
 *   +---------------------------------------------------------------+
 *   |                    Max message length (capacity / 8)          | 16
 *   +---------------------------------------------------------------+
 *   |                    Creator pid                                | 20
 *   +---------------------------------------------------------------+
 *   |                    Creation time, ns since the epoch          | 24
 *   |                    (float64)                                  |
 *   +---------------------------------------------------------------+
 *   |                    Zero padding to 128 bytes                 ...
 *
 * Trailer (offsets from the trailer's start). Each position sits alone on a pair of cache lines
 * (128 bytes), as in Agrona: the producer's writes of the tail and the consumer's writes of the
 * head never invalidate each other's line, and the adjacent-line prefetcher, which fetches
 * 128-byte pairs, cannot drag one into the other's core either.
 *
 *   +-----------------------+  0
 *   | padding (128)         |      keeps the records' last line away from the tail
 *   +-----------------------+  TAIL_POSITION_OFFSET = 128        written by the producer
 *   | tail position         |
 *   +-----------------------+  HEAD_CACHE_POSITION_OFFSET = 256  the producer's last read of head
 *   | head cache position   |
 *   +-----------------------+  HEAD_POSITION_OFFSET = 384        written by the consumer
 *   | head position         |
 *   +-----------------------+  TRAILER_LENGTH = 512
 *
 * A position counts bytes since the ring was created (records and padding), so `position &
 * (capacity - 1)` is the index in the records region. Agrona stores it as an int64; JS can
 * neither load an int64 atomically without a BigInt (an allocation) nor store one without it,
 * so a position is two int32 words, each stored and loaded with Atomics:
 *
 *   +0  low word   position mod 2^32. The hot path uses only this word: capacity is at most 2^30,
 *                  so every distance between two positions, (a - b) >>> 0, is exact.
 *   +4  high word  floor(position / 2^31). It overlaps the low word's top bit on purpose: a reader
 *                  that catches the two words from different writes sees (high & 1) differ from
 *                  (low >>> 31) and reads again. So the whole position (exact up to 2^53) can be
 *                  read without a lock or a BigInt (see loadPosition).
 */

/** Bytes read and written as one unit by Atomics on an Int32Array. */
export const SIZE_OF_INT32 = 4;
/** x86 and most ARM cores; the padding below doubles it against the adjacent-line prefetcher. */
export const CACHE_LINE_LENGTH = 64;

/** "ZTSR" as a little-endian int32: the bytes read Z, T, S, R in a hex dump. */
export const MAGIC = 0x5253545a;
export const MAGIC_TEXT = 'ZTSR';
/** Bumped on any change to this file's layout; a ring of another version is refused. */
export const LAYOUT_VERSION = 1;

export const MAGIC_OFFSET = 0;
export const LAYOUT_VERSION_OFFSET = 4;
export const CAPACITY_OFFSET = 8;
export const RECORD_ALIGNMENT_OFFSET = 12;
export const MAX_MESSAGE_LENGTH_OFFSET = 16;
export const CREATOR_PID_OFFSET = 20;
export const CREATION_TIME_NANOS_OFFSET = 24;
export const HEADER_LENGTH = CACHE_LINE_LENGTH * 2;

export const TAIL_POSITION_OFFSET = CACHE_LINE_LENGTH * 2;
export const HEAD_CACHE_POSITION_OFFSET = TAIL_POSITION_OFFSET + CACHE_LINE_LENGTH * 2;
export const HEAD_POSITION_OFFSET = HEAD_CACHE_POSITION_OFFSET + CACHE_LINE_LENGTH * 2;
export const TRAILER_LENGTH = HEAD_POSITION_OFFSET + CACHE_LINE_LENGTH * 2;

export const POSITION_LOW_WORD_OFFSET = 0;
export const POSITION_HIGH_WORD_OFFSET = 4;
/** The high word counts halves of the 2^32 range so that it shares one bit with the low word. */
const POSITION_HIGH_WORD_UNIT = 2 ** 31;

/** Smallest ring: its largest message (capacity / 8) still holds 8 bytes of payload. */
export const MIN_CAPACITY = 128;
/** Largest ring: offsets stay int32 and distances between position low words stay exact. */
export const MAX_CAPACITY = 2 ** 30;

/**
 * A record in the records region:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |R|                         Length                              |
 *   +-+-------------------------------------------------------------+
 *   |                           Type                                |
 *   +---------------------------------------------------------------+
 *   |                       Encoded message                       ...
 *  ...                                                              |
 *   +---------------------------------------------------------------+
 *
 * Length counts the header and the message, not the alignment padding after it. Writing a
 * positive length publishes the record: it is negative while the message is being written and
 * zero where nothing has been written yet (the consumer zeroes what it has read).
 */
export const RECORD_HEADER_LENGTH = SIZE_OF_INT32 * 2;
export const RECORD_ALIGNMENT = 8;
/** Type of the record that fills the end of the region when the next one would not fit before the wrap. */
export const PADDING_TYPE_ID = -1;

export function lengthOffset(recordOffset: number): number {
  return recordOffset;
}

export function typeOffset(recordOffset: number): number {
  return recordOffset + SIZE_OF_INT32;
}

export function encodedMessageOffset(recordOffset: number): number {
  return recordOffset + RECORD_HEADER_LENGTH;
}

export function alignRecordLength(recordLength: number): number {
  return (recordLength + RECORD_ALIGNMENT - 1) & ~(RECORD_ALIGNMENT - 1);
}

/** Largest message (without its header) a ring of this capacity takes, as in Agrona: capacity / 8. */
export function maxMessageLength(capacity: number): number {
  return capacity / 8;
}

export function trailerOffset(capacity: number): number {
  return HEADER_LENGTH + capacity;
}

export function fileLength(capacity: number): number {
  return HEADER_LENGTH + capacity + TRAILER_LENGTH;
}

/** Null when the capacity is usable, else what is wrong with it (with the value). */
export function capacityProblem(capacity: number): string | null {
  if (!Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    return `capacity must be a power of two from ${MIN_CAPACITY} to ${MAX_CAPACITY}: capacity=${capacity}`;
  }
  return null;
}

/** Index of a position's low word in an Int32Array over the whole file. */
export function positionWordIndex(capacity: number, positionOffset: number): number {
  return (trailerOffset(capacity) + positionOffset + POSITION_LOW_WORD_OFFSET) / SIZE_OF_INT32;
}

/**
 * Moves a position forward by `advance` (< 2^31) bytes and returns its new low word; only the
 * side that owns the position may call this. Positions live in int32s on the hot path because
 * V8 keeps int32s unboxed everywhere, while a number above 2^31 becomes a heap number (an
 * allocation) whenever it crosses a call that is not inlined. The low word is stored first: it
 * is what the other side synchronises on, and Atomics.store is a full barrier, hence a release.
 * The high word changes only when the low word's top bit flips (a multiple of 2^31 was crossed).
 */
export function advancePosition(words: Int32Array, lowWordIndex: number, previousLow: number, advance: number): number {
  const low = (previousLow + advance) | 0;
  Atomics.store(words, lowWordIndex, low);
  if ((low ^ previousLow) < 0) {
    const highWordIndex = lowWordIndex + POSITION_HIGH_WORD_OFFSET / SIZE_OF_INT32;
    Atomics.store(words, highWordIndex, (words[highWordIndex]! + 1) | 0);
  }
  return low;
}

/** The low word alone: enough for distances (see the file comment). */
export function loadPositionLowWord(words: Int32Array, lowWordIndex: number): number {
  return Atomics.load(words, lowWordIndex);
}

/** Sets a whole position (cold path: tools and tests; the owner moves it with advancePosition). */
export function storePosition(words: Int32Array, lowWordIndex: number, position: number): void {
  Atomics.store(words, lowWordIndex, position | 0);
  Atomics.store(words, lowWordIndex + POSITION_HIGH_WORD_OFFSET / SIZE_OF_INT32, Math.floor(position / POSITION_HIGH_WORD_UNIT));
}

/** A writer stores its two words nanoseconds apart; words that disagree for this long were never written together. */
const MAX_POSITION_READS = 1_000_000;

/**
 * The whole position, read from another process without a lock: retries until both words
 * agree. Throws if they never do (a corrupt file), rather than spinning forever.
 */
export function loadPosition(words: Int32Array, lowWordIndex: number): number {
  const highWordIndex = lowWordIndex + POSITION_HIGH_WORD_OFFSET / SIZE_OF_INT32;
  let low = 0;
  let high = 0;
  for (let read = 0; read < MAX_POSITION_READS; read++) {
    low = Atomics.load(words, lowWordIndex);
    high = Atomics.load(words, highWordIndex);
    if (low === Atomics.load(words, lowWordIndex) && (high & 1) === low >>> 31) {
      return high * POSITION_HIGH_WORD_UNIT + (low & 0x7fffffff);
    }
  }
  throw new Error(`position words at byte ${lowWordIndex * SIZE_OF_INT32} disagree (low=${low}, high=${high}): the ring file is corrupt`);
}

/**
 * Null when `view` (the whole file, `length` bytes) holds a ring this build can use, else what
 * is wrong, with the value found: the file is foreign, stale, still being created, or cut short.
 */
export function headerProblem(view: DataView, length: number): string | null {
  if (length < HEADER_LENGTH) {
    return `file is ${length} bytes, shorter than the ${HEADER_LENGTH}-byte ring header: not a zerotick shm ring`;
  }
  const magic = view.getUint32(MAGIC_OFFSET, true);
  if (magic !== MAGIC) {
    return `magic is ${hex(magic)}, expected ${hex(MAGIC)} ("${MAGIC_TEXT}"): not a zerotick shm ring, or one still being created`;
  }
  const version = view.getInt32(LAYOUT_VERSION_OFFSET, true);
  if (version !== LAYOUT_VERSION) {
    return `layout version is ${version}, this build reads version ${LAYOUT_VERSION}: recreate the ring with this build`;
  }
  const capacity = view.getInt32(CAPACITY_OFFSET, true);
  const badCapacity = capacityProblem(capacity);
  if (badCapacity !== null) return `header field capacity: ${badCapacity}`;
  const alignment = view.getInt32(RECORD_ALIGNMENT_OFFSET, true);
  if (alignment !== RECORD_ALIGNMENT) {
    return `header field record alignment is ${alignment}, expected ${RECORD_ALIGNMENT}`;
  }
  if (length !== fileLength(capacity)) {
    return `file is ${length} bytes but capacity=${capacity} needs ${fileLength(capacity)} ` +
      `(header ${HEADER_LENGTH} + capacity + trailer ${TRAILER_LENGTH}): truncated, resized or foreign`;
  }
  return null;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
