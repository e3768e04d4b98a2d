/**
 * Tick-to-trade latency: from the kernel receive time of the packet that triggered an order to
 * the return of the writev that sent it, in nanoseconds.
 *
 * The worker records into its own HdrHistogram (recording allocates nothing) and, about once a
 * second, hands the interval's histogram to the control plane through an IntervalChannel
 * (shared memory), which resets it. That is one hand-over per second, not per tick; the control
 * plane adds the intervals into a running total.
 */
import type * as hdr from 'hdr-histogram-js';
import { ShiftIndexedHistogram } from './shift-indexed-histogram.js';

/** Values above this (10 s) are clamped: a stuck order is still counted, in the top bucket. */
export const HIGHEST_TRACKABLE_NANOS = 10_000_000_000;
export const SIGNIFICANT_DIGITS = 3;
/** Counts are uint32 (Int32Histogram): what decodeFromCompressedBase64 is told for our encodings. */
export const BIT_BUCKET_SIZE = 32;

/** The latency histogram every recorder and aggregate uses: 1 ns to 10 s, 3 significant digits, 32-bit counts, no resizing. */
export function buildHistogram(): ShiftIndexedHistogram {
  return new ShiftIndexedHistogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
}

/** Worker side: records the current interval. */
export class TickToTradeRecorder {
  private readonly interval = buildHistogram();
  /** The current interval's histogram, for IntervalChannel.recordInto. */
  readonly histograms: readonly ShiftIndexedHistogram[] = [this.interval];

  record(latencyNanos: number): void {
    const clamped = latencyNanos < 1 ? 1 : latencyNanos > HIGHEST_TRACKABLE_NANOS ? HIGHEST_TRACKABLE_NANOS : latencyNanos;
    this.interval.recordValue(Math.round(clamped));
  }

  get count(): number {
    return this.interval.totalCount;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Control-plane side: the last interval and the running total, from the worker's intervals. */
export class TickToTradeAggregate {
  /** Intervals received so far: one a second while the worker runs. */
  intervalCount = 0;
  private lastInterval: hdr.JsHistogram = buildHistogram();
  private readonly total = buildHistogram();

  /** Takes `interval` (the aggregate keeps it as the last interval). */
  addInterval(interval: hdr.JsHistogram): void {
    this.total.add(interval);
    this.lastInterval = interval;
    this.intervalCount++;
  }

  intervalSummary(): LatencySummary {
    return summarize(this.lastInterval);
  }

  totalSummary(): LatencySummary {
    return summarize(this.total);
  }
}

function summarize(histogram: hdr.Histogram): LatencySummary {
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}
