/**
 * A buffer pool: one page-aligned native region (native/zt_pool.c) cut into fixed-size slots
 * that the kernel writes into (recvmmsg) and reads from (writev) across calls, which is why the
 * memory is native and not a JS buffer.
 *
 *   region (page aligned: 4 KiB, or 2 MiB with huge pages)
 *   +-----------+-----------+-----+-------------------+
 *   | slot 0    | slot 1    | ... | slot slotCount-1  |
 *   +-----------+-----------+-----+-------------------+
 *   ^ slotOffset(i) = i * slotStride, slotStride = slotSize rounded up to 64 bytes
 *
 * The whole region is viewed once (`bytes`, `view`); a slot is an offset into those views,
 * never a view of its own. The free list is a stack in an Int32Array and an in-use flag per
 * slot: acquire and release are O(1), allocate nothing, and a slot is never handed out twice.
 */
import { constants } from 'node:os';
import { checkResult, SyscallError } from './errors.js';
import { koffi, nativeLibrary } from './native.js';

/** Slots start on a cache line so that two slots never share one (native/zt_pool.h). */
export const SLOT_ALIGNMENT = 64;
/** Largest slot zt_pool_create accepts: 16 MiB. */
export const MAX_SLOT_SIZE = 1 << 24;
/** Returned by acquire() when every slot is in use. */
export const NO_SLOT = -1;

const HUGE_PAGES_FLAG = 1;
const LOCKED_FLAG = 2;
const FAILED_CALL_NAMES: Record<number, string> = { 1: 'mmap', 2: 'mlock' };

/**
 * What happens when a receiver finds the pool empty:
 * - 'backpressure': it stops receiving until slots come back; the kernel queues, then drops
 *   (counted by the kernel per socket: SO_MEMINFO's drops).
 * - 'drop': it keeps receiving into a scratch slot and discards those datagrams, counted; the
 *   socket stays drained so that fresh data is not stuck behind stale data.
 */
export type ExhaustionPolicy = 'backpressure' | 'drop';

export interface BufferPoolOptions {
  /** Usable bytes per slot. */
  slotSize: number;
  slotCount: number;
  /** Ask for 2 MiB huge pages; falls back to 4 KiB pages (see `hugePageFallbackReason`). Default false. */
  hugePages?: boolean;
  /** mlock the region so it is never paged out; fails with an mlock error if not allowed. Default false. */
  locked?: boolean;
  /** Default 'backpressure'. */
  exhaustionPolicy?: ExhaustionPolicy;
}

/** Plain data that lets another thread view the same region: postMessage it, then BufferPool.attach(). */
export interface BufferPoolHandle {
  address: bigint;
  regionLength: number;
  slotSize: number;
  slotStride: number;
  slotCount: number;
  pageSize: number;
  exhaustionPolicy: ExhaustionPolicy;
}

const PoolRegion = koffi.struct('zt_pool_region', {
  base: 'void *',
  length: 'uint64_t',
  slot_stride: 'uint32_t',
  page_size: 'uint32_t',
  huge_page_errno: 'int32_t',
  failed_call: 'int32_t',
});

interface PoolRegionResult {
  base: bigint;
  length: number;
  slot_stride: number;
  page_size: number;
  huge_page_errno: number;
  failed_call: number;
}

const ztPoolCreate: (slotSize: number, slotCount: number, flags: number, out: PoolRegionResult) => number =
  nativeLibrary.func('zt_pool_create', 'int', ['uint32_t', 'uint32_t', 'uint32_t', koffi.out(koffi.pointer(PoolRegion))]);
const ztPoolDestroy: (base: bigint, length: number) => number = nativeLibrary.func('int zt_pool_destroy(void *base, uint64_t length)');

export class BufferPool {
  /** Address of slot 0, for native calls (a BigInt made once). */
  readonly address: bigint;
  /** The same address as a number (exact: user-space addresses are below 2^47), for writing iovecs. */
  readonly addressNumber: number;
  readonly regionLength: number;
  readonly slotSize: number;
  readonly slotStride: number;
  readonly slotCount: number;
  /** 4096, or 2 MiB when huge pages were granted. */
  readonly pageSize: number;
  readonly exhaustionPolicy: ExhaustionPolicy;
  /** Why huge pages were asked for and not used (e.g. "mmap MAP_HUGETLB: ENOMEM (...)"); undefined otherwise. */
  readonly hugePageFallbackReason: string | undefined;

  /** The whole region; slot i starts at slotOffset(i). Invalid after destroy(). */
  bytes: Uint8Array;
  view: DataView;

  /** acquire() calls that found no free slot. */
  exhaustedCount = 0;

  private readonly freeSlots: Int32Array;
  private freeCount: number;
  private readonly inUse: Uint8Array;
  private readonly ownsRegion: boolean;
  private destroyed = false;

  static create(options: BufferPoolOptions): BufferPool {
    checkPoolOptions(options);
    const flags = (options.hugePages === true ? HUGE_PAGES_FLAG : 0) | (options.locked === true ? LOCKED_FLAG : 0);
    const region = {} as PoolRegionResult;
    const result = ztPoolCreate(options.slotSize, options.slotCount, flags, region);
    const target = `${options.slotCount} slots of ${options.slotSize} bytes`;
    checkResult(result, FAILED_CALL_NAMES[region.failed_call] ?? 'zt_pool_create', target);
    const handle: BufferPoolHandle = {
      address: region.base,
      regionLength: Number(region.length),
      slotSize: options.slotSize,
      slotStride: region.slot_stride,
      slotCount: options.slotCount,
      pageSize: region.page_size,
      exhaustionPolicy: options.exhaustionPolicy ?? 'backpressure',
    };
    const fallbackReason = region.huge_page_errno === 0 ? undefined : describeHugePageFallback(region.huge_page_errno);
    return new BufferPool(handle, true, fallbackReason);
  }

  /**
   * Views a region created by another thread of this process. The attaching thread gets its
   * own free list with every slot free: exactly one thread may acquire from a region, and only
   * the creator may destroy it.
   */
  static attach(handle: BufferPoolHandle): BufferPool {
    return new BufferPool(handle, false, undefined);
  }

  private constructor(handle: BufferPoolHandle, ownsRegion: boolean, hugePageFallbackReason: string | undefined) {
    this.address = handle.address;
    this.addressNumber = Number(handle.address);
    this.regionLength = handle.regionLength;
    this.slotSize = handle.slotSize;
    this.slotStride = handle.slotStride;
    this.slotCount = handle.slotCount;
    this.pageSize = handle.pageSize;
    this.exhaustionPolicy = handle.exhaustionPolicy;
    this.hugePageFallbackReason = hugePageFallbackReason;
    this.ownsRegion = ownsRegion;
    const region = koffi.view(handle.address, handle.regionLength);
    this.bytes = new Uint8Array(region);
    this.view = new DataView(region);
    this.inUse = new Uint8Array(handle.slotCount);
    this.freeSlots = new Int32Array(handle.slotCount);
    // Lowest index on top of the stack, so a fresh pool hands out slots 0, 1, 2, ...
    for (let i = 0; i < handle.slotCount; i++) this.freeSlots[i] = handle.slotCount - 1 - i;
    this.freeCount = handle.slotCount;
  }

  /** A free slot's index, or NO_SLOT (-1) when all are in use (counted in exhaustedCount). */
  acquire(): number {
    if (this.freeCount === 0) {
      this.exhaustedCount++;
      return NO_SLOT;
    }
    const slot = this.freeSlots[--this.freeCount]!;
    this.inUse[slot] = 1;
    return slot;
  }

  /** Returns a slot to the pool. Releasing a free slot or an index that is not a slot is a bug: it throws. */
  release(slot: number): void {
    if (!this.isInUse(slot)) {
      throw new RangeError(`release of a slot that is not in use: slot=${slot} (slotCount=${this.slotCount})`);
    }
    this.inUse[slot] = 0;
    this.freeSlots[this.freeCount++] = slot;
  }

  isInUse(slot: number): boolean {
    return slot >= 0 && slot < this.slotCount && this.inUse[slot] === 1;
  }

  /** Byte offset of slot `slot` in `bytes`/`view`. */
  slotOffset(slot: number): number {
    return slot * this.slotStride;
  }

  get availableCount(): number {
    return this.freeCount;
  }

  get inUseCount(): number {
    return this.slotCount - this.freeCount;
  }

  handle(): BufferPoolHandle {
    return {
      address: this.address,
      regionLength: this.regionLength,
      slotSize: this.slotSize,
      slotStride: this.slotStride,
      slotCount: this.slotCount,
      pageSize: this.pageSize,
      exhaustionPolicy: this.exhaustionPolicy,
    };
  }

  /**
   * Unmaps the region (creator only; an attached pool only drops its views). Views taken from
   * `bytes`/`view` before this call must not be used afterwards: the memory is gone.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.bytes = new Uint8Array(0);
    this.view = new DataView(this.bytes.buffer);
    this.freeCount = 0;
    if (this.ownsRegion) checkResult(ztPoolDestroy(this.address, this.regionLength), 'munmap', `pool of ${this.slotCount} slots`);
  }
}

function checkPoolOptions(options: BufferPoolOptions): void {
  const { slotSize, slotCount } = options;
  if (!Number.isInteger(slotSize) || slotSize <= 0 || slotSize > MAX_SLOT_SIZE) {
    throw new RangeError(`slotSize must be an integer in 1..${MAX_SLOT_SIZE}: slotSize=${slotSize}`);
  }
  if (!Number.isInteger(slotCount) || slotCount <= 0 || slotCount > 0x7fffffff) {
    throw new RangeError(`slotCount must be a positive 32-bit integer: slotCount=${slotCount}`);
  }
}

function describeHugePageFallback(errno: number): string {
  const cause = new SyscallError('mmap', 'MAP_HUGETLB', errno).message;
  const hint = errno === constants.errno.ENOMEM ? ' (no free 2 MiB pages reserved: see /proc/sys/vm/nr_hugepages)' : '';
  return `${cause}${hint}; using 4 KiB pages`;
}
