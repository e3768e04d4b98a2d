/**
 * Hands each interval's latency histograms from the hot-path worker to the control plane
 * through shared memory (layout and protocol: interval-channel-layout.ts).
 *
 * The worker's histograms count straight into the channel's slot for the current interval, so
 * handing an interval over is a few stores: its times, the published count, and the histograms
 * pointed at the next slot, which the control plane zeroed when it read it. Copying the counts
 * out and resetting them, as this did before, took 0.5-0.7 ms of the worker once a second (eight
 * histograms of 25,600 counts), and every packet arriving meanwhile waited. A reader that falls
 * two intervals behind makes offer() refuse: the worker keeps recording in the same slot, and
 * that interval is simply longer. Nor does the worker wake the control plane: a wake-up (futex,
 * then the main thread's event loop) cost it 20-40 us; the control plane looks ten times a second.
 */
import type * as hdr from 'hdr-histogram-js';
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
} from './interval-channel-layout.js';
import type { ShiftIndexedHistogram } from './shift-indexed-histogram.js';
import { buildHistogram } from './latency-histogram.js';

/** One interval as the control plane receives it: its histograms in the order they were recorded. */
export interface HistogramInterval {
  startTimeMs: number;
  endTimeMs: number;
  histograms: hdr.JsHistogram[];
}

const NANOS_PER_MILLI = 1_000_000;
/** How often the control plane looks for published intervals: each reaches GET /latency at most this late. */
const RELAY_POLL_MS = 100;

export class IntervalChannel {
  readonly buffer: SharedArrayBuffer;
  readonly histogramCount: number;
  private readonly words: Int32Array;
  private readonly view: DataView;
  /** Byte offset of each slot. */
  private readonly slotOffsets = new Int32Array(SLOT_COUNT);
  /** Each slot's counts arrays, by slot then histogram: views made once. */
  private readonly slotCounts: Int32Array[][];
  /** Writer: the histograms counting into the current slot (recordInto). */
  private recording: readonly ShiftIndexedHistogram[] = [];
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
    const histogramCount = this.words[HISTOGRAM_COUNT_WORD]!;
    const countsLength = this.words[COUNTS_LENGTH_WORD]!;
    this.histogramCount = histogramCount;
    for (let slot = 0; slot < SLOT_COUNT; slot++) this.slotOffsets[slot] = slotOffset(slot, histogramCount, countsLength);
    this.slotCounts = Array.from(this.slotOffsets, (offset) =>
      Array.from({ length: histogramCount }, (_, index) => new Int32Array(buffer, offset + histogramCountsOffset(index, countsLength), countsLength)),
    );
    this.intervalStartMs[0] = Date.now();
  }

  /**
   * Worker, once: `histograms` (histogramCount of them, made by buildHistogram()) count into the
   * current interval's slot from now on, their own counts arrays left behind.
   */
  recordInto(histograms: readonly ShiftIndexedHistogram[]): void {
    if (histograms.length !== this.histogramCount) throw new RangeError(`recordInto: ${histograms.length} histograms for a channel of ${this.histogramCount}`);
    this.recording = histograms;
    this.countInto(Atomics.load(this.words, PUBLISHED_WORD) % SLOT_COUNT);
  }

  /**
   * Worker: publishes the interval ending at `now` (CLOCK_REALTIME) and moves the histograms on
   * to the next slot. False, with nothing changed, while the control plane has not handed that
   * slot back. Allocates nothing once V8 has optimised it (called once a second, it may long
   * run unoptimised, boxing its few doubles: tens of bytes an interval).
   */
  offer(now: TimeSource): boolean {
    const words = this.words;
    const published = Atomics.load(words, PUBLISHED_WORD);
    if (published + 1 - Atomics.load(words, CONSUMED_WORD) >= SLOT_COUNT) return false;
    const slot = this.slotOffsets[published % SLOT_COUNT]!;
    const endTimeMs = now.nanos / NANOS_PER_MILLI;
    this.view.setFloat64(slot + START_TIME_MS_OFFSET, this.intervalStartMs[0]!, true);
    this.view.setFloat64(slot + END_TIME_MS_OFFSET, endTimeMs, true);
    this.intervalStartMs[0] = endTimeMs;
    // Published before the histograms move on: a reader that sees the new count sees the slot complete.
    Atomics.store(words, PUBLISHED_WORD, published + 1);
    this.countInto((published + 1) % SLOT_COUNT);
    return true;
  }

  /** Control plane: hands each published interval not yet read to `consumer`, oldest first, and gives its slot back zeroed. */
  drain(consumer: (interval: HistogramInterval) => void): void {
    const words = this.words;
    for (let consumed = Atomics.load(words, CONSUMED_WORD); consumed !== Atomics.load(words, PUBLISHED_WORD); consumed++) {
      const interval = this.read(consumed % SLOT_COUNT);
      Atomics.store(words, CONSUMED_WORD, consumed + 1);
      consumer(interval);
    }
  }

  private countInto(slot: number): void {
    const counts = this.slotCounts[slot]!;
    for (let index = 0; index < this.recording.length; index++) this.recording[index]!.countInto(counts[index]!);
  }

  /** The interval in `slot` as histograms on this thread's heap; the slot is left zeroed for the worker. */
  private read(slot: number): HistogramInterval {
    const offset = this.slotOffsets[slot]!;
    const histograms = this.slotCounts[slot]!.map((counts) => {
      const histogram = buildHistogram();
      (histogram._counts as Int32Array).set(counts);
      histogram.establishInternalTackingValues();
      counts.fill(0);
      return histogram;
    });
    return {
      startTimeMs: this.view.getFloat64(offset + START_TIME_MS_OFFSET, true),
      endTimeMs: this.view.getFloat64(offset + END_TIME_MS_OFFSET, true),
      histograms,
    };
  }
}

/** Control plane: hands each interval of a channel to `add` within RELAY_POLL_MS of its publication. */
export class IntervalRelay {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly channel: IntervalChannel,
    private readonly add: (interval: HistogramInterval) => void,
  ) {
    // unref: the relay keeps no process alive
    this.timer = setInterval(() => channel.drain(add), RELAY_POLL_MS).unref();
  }

  /** Once the worker has stopped: takes the intervals it published last, and looks no more. */
  end(): void {
    clearInterval(this.timer);
    this.channel.drain(this.add);
  }
}
