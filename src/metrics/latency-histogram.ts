/**
 * The latency histogram of the gateway: every stage (stage-latency.ts), tick-to-trade among
 * them, is recorded into one of these, in nanoseconds; and the summary /status and the live
 * line print of it.
 */
import type * as hdr from 'hdr-histogram-js';
import { SHIFTABLE_LIMIT, ShiftIndexedHistogram } from './shift-indexed-histogram.js';

/** Values above this (10 s) are clamped: a stuck order is still counted, in the top bucket. */
export const HIGHEST_TRACKABLE_NANOS = 10_000_000_000;
export const SIGNIFICANT_DIGITS = 3;
/** Counts are uint32 (Int32Histogram): what decodeFromCompressedBase64 is told for our encodings. */
export const BIT_BUCKET_SIZE = 32;

/** The latency histogram every recorder and aggregate uses: 1 ns to 10 s, 3 significant digits, 32-bit counts, no resizing. */
export function buildHistogram(): ShiftIndexedHistogram {
  return new ShiftIndexedHistogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
}

/**
 * Records `samples[index]` (ns) clamped to [1, HIGHEST_TRACKABLE_NANOS] (a sample of 0 or less
 * is "at once"; one past the top is still counted), passed on to the histogram as a Smi when it
 * fits. The sample is read from an array rather than passed: a double argument of a call V8
 * does not inline is boxed, an allocation per sample.
 */
export function recordNanos(histogram: hdr.Histogram, samples: Float64Array, index: number): void {
  const nanos = samples[index]!;
  if (nanos < 1) histogram.recordValue(1);
  else if (nanos < SHIFTABLE_LIMIT) histogram.recordValue(nanos | 0); // a Smi: never boxed, indexed by shifts
  else histogram.recordValue(nanos < HIGHEST_TRACKABLE_NANOS ? Math.round(nanos) : HIGHEST_TRACKABLE_NANOS);
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Count, p50, p99, p99.9 and max of `histogram`, in its unit (ns). */
export function summarizeLatency(histogram: hdr.Histogram): LatencySummary {
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}
