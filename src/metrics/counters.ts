/**
 * The gateway's counters over shared memory (layout in counters-layout.ts). The worker creates
 * nothing per increment: `add` and `set` are one typed-array store. The control plane wraps the
 * same SharedArrayBuffer and reads whenever it likes.
 */
import {
  COUNTERS_BYTE_LENGTH,
  COUNTER_SLOT_COUNT,
  dropSlot,
  feedSlot,
  rejectSlot,
  strategySlot,
} from './counters-layout.js';

export class GatewayCounters {
  readonly buffer: SharedArrayBuffer;
  readonly slots: Float64Array;

  /** Wraps `buffer` (from the other thread), or allocates a zeroed one. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(COUNTERS_BYTE_LENGTH)) {
    if (buffer.byteLength < COUNTERS_BYTE_LENGTH) {
      throw new RangeError(`counters buffer too small: byteLength=${buffer.byteLength}, need ${COUNTERS_BYTE_LENGTH}`);
    }
    this.buffer = buffer;
    this.slots = new Float64Array(buffer, 0, COUNTER_SLOT_COUNT);
  }

  add(slot: number, amount: number): void {
    this.slots[slot] += amount;
  }

  increment(slot: number): void {
    this.slots[slot] += 1;
  }

  set(slot: number, value: number): void {
    this.slots[slot] = value;
  }

  get(slot: number): number {
    return this.slots[slot]!;
  }

  incrementFeed(feed: number, slot: number): void {
    this.slots[feedSlot(feed, slot)] += 1;
  }

  incrementStrategy(strategy: number, slot: number): void {
    this.slots[strategySlot(strategy, slot)] += 1;
  }

  incrementDrop(reason: number): void {
    this.slots[dropSlot(reason)] += 1;
  }

  incrementReject(reason: number): void {
    this.slots[rejectSlot(reason)] += 1;
  }

  feed(feed: number, slot: number): number {
    return this.slots[feedSlot(feed, slot)]!;
  }

  strategy(strategy: number, slot: number): number {
    return this.slots[strategySlot(strategy, slot)]!;
  }
}
