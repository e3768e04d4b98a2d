/**
 * A single-producer/single-consumer ring of variable-length records in a shared-memory file, in
 * the style of Agrona's OneToOneRingBuffer. Producer and consumer may be different processes (a
 * replayer or recorder and the gateway) or threads: each maps the file (native/zt_shm_ring.c)
 * and views it once; every record operation is plain TypeScript over those views. The layout is
 * drawn in shm-ring-layout.ts.
 *
 * Memory order. The producer writes a record's type and message with plain stores, then
 * publishes it by storing its positive length with Atomics.store; the consumer reads the length
 * with Atomics.load and only then the rest. Atomics.store is sequentially consistent (an xchg on
 * x86), so it is a release: the plain stores before it are visible to whoever loads the value it
 * wrote. Atomics.load is an acquire, and V8 never moves memory accesses across either one, so the
 * JIT cannot hoist the consumer's polling load out of its loop either. The same pair orders the
 * other direction: the consumer zeroes what it read, then stores the head with Atomics.store; the
 * producer loads the head with Atomics.load before it reuses that space. The file is not a
 * SharedArrayBuffer (koffi.view makes an external ArrayBuffer), but Atomics compile to the same
 * instructions over it, and both processes map the same physical pages.
 */
import { checkResult } from './errors.js';
import { koffi, nativeLibrary, realtimeNanos } from './native.js';
import {
  CAPACITY_OFFSET,
  CREATION_TIME_NANOS_OFFSET,
  CREATOR_PID_OFFSET,
  HEAD_CACHE_POSITION_OFFSET,
  HEAD_POSITION_OFFSET,
  HEADER_LENGTH,
  LAYOUT_VERSION,
  LAYOUT_VERSION_OFFSET,
  MAGIC,
  MAGIC_OFFSET,
  MAX_MESSAGE_LENGTH_OFFSET,
  PADDING_TYPE_ID,
  RECORD_ALIGNMENT,
  RECORD_ALIGNMENT_OFFSET,
  RECORD_HEADER_LENGTH,
  SIZE_OF_INT32,
  TAIL_POSITION_OFFSET,
  advancePosition,
  alignRecordLength,
  capacityProblem,
  encodedMessageOffset,
  fileLength,
  headerProblem,
  lengthOffset,
  loadPosition,
  loadPositionLowWord,
  maxMessageLength,
  positionWordIndex,
  typeOffset,
} from './shm-ring-layout.js';

/** Returned by tryClaim() when the ring has no room: back-pressure, as Agrona's INSUFFICIENT_CAPACITY. */
export const INSUFFICIENT_CAPACITY = -1;

/**
 * Called once per record by read(): the message is `length` bytes at `offset` in `view` (the
 * whole file), valid only until the handler returns. Pass a function made once, not a closure per call.
 */
export type ShmRingHandler = (view: DataView, offset: number, length: number, typeId: number) => void;

/** The file at `path` is not a ring this build can use; `problem` says what is wrong, with the value. */
export class ShmRingFormatError extends Error {
  readonly path: string;
  readonly problem: string;

  constructor(path: string, problem: string) {
    super(`shm ring ${path}: ${problem}`);
    this.name = 'ShmRingFormatError';
    this.path = path;
    this.problem = problem;
  }
}

const CREATE_FLAG = 1;
const FAILED_CALL_NAMES: Record<number, string> = { 1: 'open', 2: 'fstat', 3: 'ftruncate', 4: 'mmap', 5: 'unlink' };

const ShmRingMapping = koffi.struct('zt_shm_ring_mapping', {
  address: 'void *',
  length: 'uint64_t',
  failed_call: 'int32_t',
  reserved: 'int32_t',
});

interface ShmRingMappingResult {
  address: bigint | null;
  length: number;
  failed_call: number;
}

const ztShmRingMap: (path: string, createLength: number, flags: number, out: ShmRingMappingResult) => number =
  nativeLibrary.func('zt_shm_ring_map', 'int', ['const char *', 'uint64_t', 'uint32_t', koffi.out(koffi.pointer(ShmRingMapping))]);
const ztShmRingUnmap: (address: bigint | null, length: number) => number =
  nativeLibrary.func('int zt_shm_ring_unmap(void *address, uint64_t length)');

/** Where rings live by default: tmpfs, so the file is memory and never touches a disk. */
export function shmRingPath(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new RangeError(`shm ring name must be letters, digits, '.', '_' or '-': name=${JSON.stringify(name)}`);
  }
  return `/dev/shm/zerotick-${name}`;
}

export class ShmRing {
  readonly path: string;
  /** Bytes of records; a power of two. */
  readonly capacity: number;
  /** Largest message tryWrite/tryClaim take: capacity / 8. */
  readonly maxMessageLength: number;
  /** The whole file, viewed once; messages are offsets into it. Invalid after close(). */
  view: DataView;
  bytes: Uint8Array;

  private words: Int32Array;
  private readonly address: bigint | null;
  private readonly mappedLength: number;
  private readonly indexMask: number;
  private readonly tailWordIndex: number;
  private readonly headCacheWordIndex: number;
  private readonly headWordIndex: number;
  /**
   * Low words (int32) of the positions this side owns or caches: distances and indexes need
   * nothing more, and int32s never become heap numbers (see advancePosition).
   */
  private tailLow: number;
  private headCacheLow: number;
  private headLow: number;
  private closed = false;

  /** Creates a new, empty ring at `path`, replacing any file there (a process still mapping it keeps the old one). */
  static create(path: string, capacity: number): ShmRing {
    const problem = capacityProblem(capacity);
    if (problem !== null) throw new RangeError(`shm ring ${path}: ${problem}`);
    const mapping = mapFile(path, fileLength(capacity), CREATE_FLAG);
    const view = new DataView(koffi.view(mapping.address, mapping.length));
    view.setInt32(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION, true);
    view.setInt32(CAPACITY_OFFSET, capacity, true);
    view.setInt32(RECORD_ALIGNMENT_OFFSET, RECORD_ALIGNMENT, true);
    view.setInt32(MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength(capacity), true);
    view.setInt32(CREATOR_PID_OFFSET, process.pid, true);
    view.setFloat64(CREATION_TIME_NANOS_OFFSET, realtimeNanos(), true);
    // The magic goes last, published with a barrier: open() refuses a header without it.
    Atomics.store(new Int32Array(view.buffer), MAGIC_OFFSET / SIZE_OF_INT32, MAGIC);
    return new ShmRing(path, mapping, view, capacity);
  }

  /** Maps an existing ring; a file that is not one (foreign, stale version, wrong size) throws ShmRingFormatError. */
  static open(path: string): ShmRing {
    const mapping = mapFile(path, 0, 0);
    const view = mapping.address === null ? new DataView(new ArrayBuffer(0)) : new DataView(koffi.view(mapping.address, mapping.length));
    const problem = headerProblem(view, mapping.length);
    if (problem !== null) {
      ztShmRingUnmap(mapping.address, mapping.length);
      throw new ShmRingFormatError(path, problem);
    }
    return new ShmRing(path, mapping, view, view.getInt32(CAPACITY_OFFSET, true));
  }

  private constructor(path: string, mapping: ShmRingMappingResult, view: DataView, capacity: number) {
    this.path = path;
    this.capacity = capacity;
    this.maxMessageLength = maxMessageLength(capacity);
    this.address = mapping.address;
    this.mappedLength = mapping.length;
    this.view = view;
    this.bytes = new Uint8Array(view.buffer);
    this.words = new Int32Array(view.buffer);
    this.indexMask = capacity - 1;
    this.tailWordIndex = positionWordIndex(capacity, TAIL_POSITION_OFFSET);
    this.headCacheWordIndex = positionWordIndex(capacity, HEAD_CACHE_POSITION_OFFSET);
    this.headWordIndex = positionWordIndex(capacity, HEAD_POSITION_OFFSET);
    this.tailLow = loadPositionLowWord(this.words, this.tailWordIndex);
    this.headCacheLow = loadPositionLowWord(this.words, this.headCacheWordIndex);
    this.headLow = loadPositionLowWord(this.words, this.headWordIndex);
  }

  /**
   * Producer: copies `length` bytes of `source` from `sourceOffset` into a new record of type
   * `typeId` (>= 1) and publishes it. False when the ring has no room: back-pressure; try again
   * after the consumer has read.
   */
  tryWrite(typeId: number, source: Uint8Array, sourceOffset: number, length: number): boolean {
    this.checkMessage(typeId, length);
    if (sourceOffset < 0 || sourceOffset + length > source.length) {
      throw new RangeError(`source range out of bounds: sourceOffset=${sourceOffset} length=${length} source.length=${source.length}`);
    }
    const recordLength = length + RECORD_HEADER_LENGTH;
    const recordOffset = this.claimCapacity(recordLength);
    if (INSUFFICIENT_CAPACITY === recordOffset) return false;
    // Byte by byte into the file: Uint8Array.set would need a subarray (an allocation) per record.
    const bytes = this.bytes;
    const messageOffset = encodedMessageOffset(recordOffset);
    for (let i = 0; i < length; i++) bytes[messageOffset + i] = source[sourceOffset + i]!;
    this.view.setInt32(typeOffset(recordOffset), typeId, true);
    Atomics.store(this.words, lengthOffset(recordOffset) / SIZE_OF_INT32, recordLength); // publish
    return true;
  }

  /**
   * Producer, zero copy: reserves a record of type `typeId` for a `length`-byte message and
   * returns the message's offset in `view`/`bytes` (encode it there, then commit(offset) or
   * abort(offset)), or INSUFFICIENT_CAPACITY (-1) when the ring has no room.
   */
  tryClaim(typeId: number, length: number): number {
    this.checkMessage(typeId, length);
    const recordLength = length + RECORD_HEADER_LENGTH;
    const recordOffset = this.claimCapacity(recordLength);
    if (INSUFFICIENT_CAPACITY === recordOffset) return INSUFFICIENT_CAPACITY;
    // A negative length marks the record as being written and keeps its length for commit().
    this.words[lengthOffset(recordOffset) / SIZE_OF_INT32] = -recordLength;
    this.view.setInt32(typeOffset(recordOffset), typeId, true);
    return encodedMessageOffset(recordOffset);
  }

  /** Producer: publishes the record whose message tryClaim() placed at `messageOffset`. */
  commit(messageOffset: number): void {
    const lengthWordIndex = this.claimedLengthWordIndex(messageOffset);
    Atomics.store(this.words, lengthWordIndex, -this.words[lengthWordIndex]!); // publish
  }

  /** Producer: gives up a claimed record; the consumer skips it as padding. */
  abort(messageOffset: number): void {
    const lengthWordIndex = this.claimedLengthWordIndex(messageOffset);
    this.view.setInt32(typeOffset(messageOffset - RECORD_HEADER_LENGTH), PADDING_TYPE_ID, true);
    Atomics.store(this.words, lengthWordIndex, -this.words[lengthWordIndex]!);
  }

  /**
   * Consumer: calls `handler` for up to `maxRecords` published records, in order, then frees
   * their space with one head update for the whole batch. Stops at the end of the records
   * region; the next call continues from its start. Returns the number of records handled.
   * A record whose handler throws is consumed all the same (as in Agrona), and the error rethrown.
   * A record length that cannot be (the file was written by something else) throws
   * ShmRingFormatError before the handler sees anything of it.
   */
  read(handler: ShmRingHandler, maxRecords: number): number {
    const words = this.words;
    const view = this.view;
    const headLow = this.headLow;
    const headIndex = headLow & this.indexMask;
    const contiguousLength = this.capacity - headIndex;
    let bytesRead = 0;
    let recordsRead = 0;
    try {
      while (bytesRead < contiguousLength && recordsRead < maxRecords) {
        const recordOffset = HEADER_LENGTH + headIndex + bytesRead;
        const recordLength = Atomics.load(words, lengthOffset(recordOffset) / SIZE_OF_INT32); // acquire
        if (recordLength <= 0) break;
        if (recordLength < RECORD_HEADER_LENGTH || recordLength > contiguousLength - bytesRead) {
          throw this.corruptRecord(recordOffset, recordLength, contiguousLength - bytesRead);
        }
        bytesRead += alignRecordLength(recordLength);
        const typeId = view.getInt32(typeOffset(recordOffset), true);
        if (PADDING_TYPE_ID === typeId) continue;
        recordsRead++;
        handler(view, encodedMessageOffset(recordOffset), recordLength - RECORD_HEADER_LENGTH, typeId);
      }
    } finally {
      if (bytesRead !== 0) this.releaseRead(headLow, headIndex, bytesRead);
    }
    return recordsRead;
  }

  /** Bytes published and not yet consumed, read from the shared counters (either side, any process). */
  size(): number {
    return this.producerPosition() - this.consumerPosition();
  }

  /** Bytes the producer has claimed since the ring was created (records and padding). */
  producerPosition(): number {
    return loadPosition(this.words, this.tailWordIndex);
  }

  /** Bytes the consumer has freed since the ring was created. */
  consumerPosition(): number {
    return loadPosition(this.words, this.headWordIndex);
  }

  /**
   * Unmaps the file; the file itself stays (remove it with fs.rmSync when no process needs it).
   * `view`/`bytes` taken before this call must not be used afterwards: the memory is gone. The
   * ring's own views become empty, so a late call throws a RangeError instead of touching it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.bytes = new Uint8Array(0);
    this.view = new DataView(this.bytes.buffer);
    this.words = new Int32Array(0);
    checkResult(ztShmRingUnmap(this.address, this.mappedLength), 'munmap', this.path);
  }

  /**
   * Reserves `recordLength` bytes (aligned) at the tail, first filling the end of the region
   * with a padding record when they would not fit before the wrap. Returns the record's offset
   * in the file, or INSUFFICIENT_CAPACITY. Reads the consumer's head only when the cached one
   * says there is no room, so the producer rarely touches the consumer's cache line.
   */
  private claimCapacity(recordLength: number): number {
    const capacity = this.capacity;
    const required = alignRecordLength(recordLength);
    const tailLow = this.tailLow;
    let headLow = this.headCacheLow;
    // (tail - head) | 0 is the exact number of bytes in use: it is at most capacity <= 2^30.
    if (required > capacity - ((tailLow - headLow) | 0)) {
      headLow = this.refreshHeadCache();
      if (required > capacity - ((tailLow - headLow) | 0)) return INSUFFICIENT_CAPACITY;
    }
    let tailIndex = tailLow & this.indexMask;
    const toRegionEnd = capacity - tailIndex;
    let padding = 0;
    if (required > toRegionEnd) {
      let headIndex = headLow & this.indexMask;
      if (required > headIndex) {
        headLow = this.refreshHeadCache();
        headIndex = headLow & this.indexMask;
        if (required > headIndex) return INSUFFICIENT_CAPACITY;
      }
      padding = toRegionEnd;
    }
    this.tailLow = advancePosition(this.words, this.tailWordIndex, tailLow, required + padding);
    if (padding !== 0) {
      this.writePaddingRecord(HEADER_LENGTH + tailIndex, padding);
      tailIndex = 0;
    }
    return HEADER_LENGTH + tailIndex;
  }

  private writePaddingRecord(recordOffset: number, length: number): void {
    this.view.setInt32(typeOffset(recordOffset), PADDING_TYPE_ID, true);
    Atomics.store(this.words, lengthOffset(recordOffset) / SIZE_OF_INT32, length); // publish
  }

  /** Reads the consumer's head (its low word is enough) and caches it, in the file too for monitoring. */
  private refreshHeadCache(): number {
    const headLow = loadPositionLowWord(this.words, this.headWordIndex); // acquire: the space is zeroed
    const advance = (headLow - this.headCacheLow) | 0;
    // A producer spinning on a full ring finds the head unchanged: no store, no barrier then.
    if (advance !== 0) this.headCacheLow = advancePosition(this.words, this.headCacheWordIndex, this.headCacheLow, advance);
    return headLow;
  }

  /** Zeroes what was read, so that a stale length is never taken for a new record, then frees it. */
  private releaseRead(headLow: number, headIndex: number, bytesRead: number): void {
    const start = HEADER_LENGTH + headIndex;
    this.bytes.fill(0, start, start + bytesRead);
    this.headLow = advancePosition(this.words, this.headWordIndex, headLow, bytesRead); // after the zeroing: a release
  }

  /** A length no producer of this ring writes: the file was written by something else. */
  private corruptRecord(recordOffset: number, recordLength: number, bytesToRegionEnd: number): ShmRingFormatError {
    return new ShmRingFormatError(
      this.path,
      `record at byte ${recordOffset} has length ${recordLength}, outside ${RECORD_HEADER_LENGTH}..${bytesToRegionEnd}: the ring is corrupt`,
    );
  }

  private checkMessage(typeId: number, length: number): void {
    if (!(typeId >= 1 && typeId <= 0x7fffffff && (typeId | 0) === typeId)) {
      throw new RangeError(`typeId must be a positive int32: typeId=${typeId}`);
    }
    if (!(length >= 0 && length <= this.maxMessageLength && (length | 0) === length)) {
      throw new RangeError(`message length must be an integer in 0..${this.maxMessageLength} (capacity / 8): length=${length}`);
    }
  }

  private claimedLengthWordIndex(messageOffset: number): number {
    const recordOffset = messageOffset - RECORD_HEADER_LENGTH;
    const lengthWordIndex = lengthOffset(recordOffset) / SIZE_OF_INT32;
    if (!(recordOffset >= HEADER_LENGTH && (recordOffset & (RECORD_ALIGNMENT - 1)) === 0 && this.words[lengthWordIndex]! < 0)) {
      throw new RangeError(`no claimed record at messageOffset=${messageOffset}: commit/abort take what tryClaim returned, once`);
    }
    return lengthWordIndex;
  }
}

function mapFile(path: string, createLength: number, flags: number): ShmRingMappingResult {
  const mapping = {} as ShmRingMappingResult;
  const result = ztShmRingMap(path, createLength, flags, mapping);
  checkResult(result, FAILED_CALL_NAMES[mapping.failed_call] ?? 'zt_shm_ring_map', path);
  mapping.length = Number(mapping.length);
  return mapping;
}
