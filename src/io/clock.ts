/**
 * Clock reads that allocate nothing, for hot-path timestamps (the order path's SendingTimeEpoch and risk
 * windows, the latency stages). A koffi function returning a double (realtimeNanos, monotonicNanos in
 * io/native.ts) boxes every result in a fresh HeapNumber: 16 bytes a read, measured at 15
 * scavenges per 2 M reads. Here clock_gettime writes its struct timespec into native memory
 * viewed once, the call itself returns an int (a Smi), and the time is built from two reads.
 *
 * The time is kept in a field (`update()`, then read `nanos`) rather than returned: a double
 * returned from, or passed to, a call V8 does not inline is boxed too. Storing it into a field
 * of double representation overwrites the field's box in place.
 *
 *   struct timespec (x86-64 / aarch64 Linux)
 *   +-------------------------------+-------------------------------+
 *   | tv_sec (int64)                | tv_nsec (long, < 1e9)         |
 *   +-------------------------------+-------------------------------+
 *   0                               8                               16
 */
import { checkResult } from './errors.js';
import { libc } from './native.js';
import { BufferPool } from './pool.js';

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;

const TV_SEC_OFFSET = 0;
const TV_NSEC_OFFSET = 8;
const TIMESPEC_LENGTH = 16;
const TWO_TO_32 = 0x1_0000_0000;
const NANOS_PER_SECOND = 1e9;

const clockGettime: (clockId: number, timespec: bigint) => number = libc.func('int clock_gettime(int clock_id, void *tp)');

/** A clock read into a field: update() reads it, `nanos` holds the value until the next update(). */
export interface TimeSource {
  readonly nanos: number;
  update(): void;
}

export class NanosecondClock implements TimeSource {
  readonly clockId: number;
  /** The time at the last update(), in ns. */
  nanos = 0.5; // a double from the start, so the field never changes representation
  private readonly timespec: BufferPool;
  private readonly view: DataView;
  private readonly address: bigint;

  constructor(clockId: number) {
    this.clockId = clockId;
    this.timespec = BufferPool.create({ slotSize: TIMESPEC_LENGTH, slotCount: 1 });
    this.view = this.timespec.view;
    this.address = this.timespec.address;
    checkResult(clockGettime(clockId, this.address) === 0 ? 0 : -22, 'clock_gettime', `clock ${clockId}`);
    this.update();
  }

  /** Reads the clock into `nanos`; the computation is here, not in a call, so nothing is boxed. */
  update(): void {
    clockGettime(this.clockId, this.address);
    const view = this.view;
    const seconds = view.getInt32(TV_SEC_OFFSET + 4, true) * TWO_TO_32 + view.getUint32(TV_SEC_OFFSET, true);
    this.nanos = seconds * NANOS_PER_SECOND + view.getUint32(TV_NSEC_OFFSET, true);
  }

  /**
   * Nanoseconds as a double (exact below 2^53 ns; CLOCK_REALTIME today rounds to 256 ns, as
   * realtimeNanos does). The returned double is boxed unless the call is inlined: hot paths use
   * update() and `nanos`.
   */
  read(): number {
    this.update();
    return this.nanos;
  }

  /** Frees the timespec; update() must not be called afterwards. */
  destroy(): void {
    this.timespec.destroy();
  }
}
