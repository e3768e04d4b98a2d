/**
 * Hands each interval's latency histograms from the hot-path worker to the control plane
 * through shared memory (layout and protocol: interval-channel-layout.ts).
 *
 * The worker used to encode each interval into HdrHistogram's compressed base64 and post it:
 * strings, zlib streams and byte buffers, about 40% of everything its heap allocated. Here it
 * copies the counts arrays into a slot (a few typed-array stores, nothing allocated) and wakes
 * the control plane, which rebuilds the histograms on its own heap and encodes them itself
 * where a format needs it (.hlog). A reader that falls two intervals behind makes offer()
 * refuse: the worker keeps recording, and its next interval is simply longer.
 */
import * as hdr from 'hdr-histogram-js';
import type { TimeSource } from '../io/clock.js';
import {
  CONSUMED_WORD,
  COUNTS_LENGTH_WORD,
  END_TIME_MS_OFFSET,
  HISTOGRAM_COUNT_WORD,
  PUBLISHED_WORD,
  SLOT_COUNT,
  START_TIME_MS_OFFSET,
  channelByteLength,
  histogramCountsOffset,
  slotOffset,
  usedCountsOffset,
} from './interval-channel-layout.js';
import { buildHistogram } from './tick-to-trade.js';

/** One interval as the control plane receives it: its histograms in the order they were offered. */
export interface HistogramInterval {
  startTimeMs: number;
  endTimeMs: number;
  histograms: hdr.JsHistogram[];
}

const NANOS_PER_MILLI = 1_000_000;
const COUNT_BYTES = Uint32Array.BYTES_PER_ELEMENT;

// Node 20 has Atomics.waitAsync (V8 8.7); TypeScript declares it only from lib ES2024.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

export class IntervalChannel {
  readonly buffer: SharedArrayBuffer;
  readonly histogramCount: number;
  private readonly words: Int32Array;
  private readonly view: DataView;
  private readonly counts: Uint32Array;
  /** Byte offset of each slot, and within a slot of each histogram's counts: computed once (no arithmetic returning doubles per interval). */
  private readonly slotOffsets = new Int32Array(SLOT_COUNT);
  private readonly countsOffsets: Int32Array;
  /** Writer: the start of the interval being recorded (ms), in a typed array so it is never boxed. */
  private readonly intervalStartMs = new Float64Array(1);

  /** A channel for intervals of `histogramCount` histograms as buildHistogram() makes them. */
  static create(histogramCount: number): IntervalChannel {
    const countsLength = buildHistogram().countsArrayLength;
    const buffer = new SharedArrayBuffer(channelByteLength(histogramCount, countsLength));
    const words = new Int32Array(buffer);
    words[HISTOGRAM_COUNT_WORD] = histogramCount;
    words[COUNTS_LENGTH_WORD] = countsLength;
    return new IntervalChannel(buffer);
  }

  /** The channel over a buffer made by create(), in another thread. The first interval starts now. */
  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer);
    this.view = new DataView(buffer);
    this.counts = new Uint32Array(buffer);
    const histogramCount = this.words[HISTOGRAM_COUNT_WORD]!;
    const countsLength = this.words[COUNTS_LENGTH_WORD]!;
    this.histogramCount = histogramCount;
    for (let slot = 0; slot < SLOT_COUNT; slot++) this.slotOffsets[slot] = slotOffset(slot, histogramCount, countsLength);
    this.countsOffsets = Int32Array.from({ length: histogramCount }, (_, index) => histogramCountsOffset(index, histogramCount, countsLength));
    this.intervalStartMs[0] = Date.now();
  }

  /**
   * Worker: publishes the interval ending at `now` (CLOCK_REALTIME): copies each histogram's
   * counts into the next slot and resets it. False, with nothing changed, when the control plane
   * still holds every slot. Allocates nothing once V8 has optimised it (called once a second, it
   * may long run unoptimised, boxing its few doubles: tens of bytes an interval).
   */
  offer(histograms: readonly hdr.JsHistogram[], now: TimeSource): boolean {
    const words = this.words;
    const published = Atomics.load(words, PUBLISHED_WORD);
    if (published - Atomics.load(words, CONSUMED_WORD) >= SLOT_COUNT) return false;
    const slot = this.slotOffsets[published % SLOT_COUNT]!;
    const endTimeMs = now.nanos / NANOS_PER_MILLI;
    this.view.setFloat64(slot + START_TIME_MS_OFFSET, this.intervalStartMs[0]!, true);
    this.view.setFloat64(slot + END_TIME_MS_OFFSET, endTimeMs, true);
    this.intervalStartMs[0] = endTimeMs;
    for (let index = 0; index < this.histogramCount; index++) {
      const histogram = histograms[index]!;
      this.copyCounts(histogram, slot, index);
      histogram.reset();
    }
    // Published last: a reader that sees the new count sees the slot filled.
    Atomics.store(words, PUBLISHED_WORD, published + 1);
    Atomics.notify(words, PUBLISHED_WORD);
    return true;
  }

  /** Control plane: hands each published interval not yet read to `consumer`, oldest first, and gives its slot back. */
  drain(consumer: (interval: HistogramInterval) => void): void {
    const words = this.words;
    for (let consumed = Atomics.load(words, CONSUMED_WORD); consumed !== Atomics.load(words, PUBLISHED_WORD); consumed++) {
      const interval = this.read(this.slotOffsets[consumed % SLOT_COUNT]!);
      Atomics.store(words, CONSUMED_WORD, consumed + 1);
      consumer(interval);
    }
  }

  /**
   * Control plane: resolves once there is an interval drain() has not read (at once if there is
   * one), or at wake(). Atomics.waitAsync: no timer, and a pending wait keeps no process alive.
   */
  async whenPublished(): Promise<void> {
    const result = waitAsync(this.words, PUBLISHED_WORD, Atomics.load(this.words, CONSUMED_WORD));
    if (result.async) await result.value;
  }

  /** Control plane: ends a pending whenPublished(). */
  wake(): void {
    Atomics.notify(this.words, PUBLISHED_WORD);
  }

  /** Copies counts up to the last non-zero one (found by scanning: nothing is passed as a double). */
  private copyCounts(histogram: hdr.JsHistogram, slot: number, index: number): void {
    let used = histogram.countsArrayLength;
    while (used > 0 && histogram.getCountAtIndex(used - 1) === 0) used--;
    this.view.setInt32(slot + usedCountsOffset(index), used, true);
    const counts = this.counts;
    const first = (slot + this.countsOffsets[index]!) / COUNT_BYTES;
    for (let i = 0; i < used; i++) counts[first + i] = histogram.getCountAtIndex(i);
  }

  private read(slot: number): HistogramInterval {
    const histograms: hdr.JsHistogram[] = [];
    for (let index = 0; index < this.histogramCount; index++) {
      const histogram = buildHistogram();
      const used = this.view.getInt32(slot + usedCountsOffset(index), true);
      const first = (slot + this.countsOffsets[index]!) / COUNT_BYTES;
      for (let i = 0; i < used; i++) histogram.setCountAtIndex(i, this.counts[first + i]!);
      histogram.establishInternalTackingValues(used);
      histograms.push(histogram);
    }
    return {
      startTimeMs: this.view.getFloat64(slot + START_TIME_MS_OFFSET, true),
      endTimeMs: this.view.getFloat64(slot + END_TIME_MS_OFFSET, true),
      histograms,
    };
  }
}

/** Control plane: hands each interval of a channel to `add` as soon as the worker publishes it. */
export class IntervalRelay {
  private ended = false;

  constructor(
    private readonly channel: IntervalChannel,
    private readonly add: (interval: HistogramInterval) => void,
  ) {
    void this.run();
  }

  /** Once the worker has stopped: takes the intervals it published last and ends the wait. */
  end(): void {
    this.ended = true;
    this.channel.drain(this.add);
    this.channel.wake();
  }

  private async run(): Promise<void> {
    while (!this.ended) {
      await this.channel.whenPublished();
      if (!this.ended) this.channel.drain(this.add);
    }
  }
}
