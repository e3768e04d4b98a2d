/**
 * Tick-to-trade latency: from the kernel receive time of the packet that triggered an order to
 * the return of the writev that sent it, in nanoseconds.
 *
 * The worker records into its own HdrHistogram (recording allocates nothing) and, about once a
 * second, ships the interval's histogram to the control plane in HdrHistogram's compressed
 * base64 form (the .hlog payload format other tools read), then resets it. That is one message
 * per second, not per tick; the control plane adds the intervals into a running total.
 */
import * as hdr from 'hdr-histogram-js';

/** Values above this (10 s) are clamped: a stuck order is still counted, in the top bucket. */
export const HIGHEST_TRACKABLE_NANOS = 10_000_000_000;
export const SIGNIFICANT_DIGITS = 3;
export const BIT_BUCKET_SIZE = 32;

export function buildHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_NANOS,
    numberOfSignificantValueDigits: SIGNIFICANT_DIGITS,
    useWebAssembly: false,
  });
}

/** Worker side: record, and hand out the interval's snapshot. */
export class TickToTradeRecorder {
  private readonly interval = buildHistogram();

  record(latencyNanos: number): void {
    const clamped = latencyNanos < 1 ? 1 : latencyNanos > HIGHEST_TRACKABLE_NANOS ? HIGHEST_TRACKABLE_NANOS : latencyNanos;
    this.interval.recordValue(Math.round(clamped));
  }

  get count(): number {
    return this.interval.totalCount;
  }

  /** The interval since the last call, encoded; the recorder starts a new interval. */
  takeIntervalSnapshot(): string {
    const encoded = hdr.encodeIntoCompressedBase64(this.interval);
    this.interval.reset();
    return encoded;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Control-plane side: the last interval and the running total, from the worker's snapshots. */
export class TickToTradeAggregate {
  private lastInterval = buildHistogram();
  private readonly total = buildHistogram();

  addIntervalSnapshot(encoded: string): void {
    const interval = hdr.decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
    this.total.add(interval);
    this.lastInterval = interval;
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
