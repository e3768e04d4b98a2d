/**
 * Control-plane side of the per-stage latency (stage-latency.ts): from the worker's intervals
 * (one a second, through an IntervalChannel), the last interval and the cumulative histogram of
 * each stage, plus the recent intervals themselves, encoded, for the HdrHistogram interval log (.hlog).
 * Everything here runs on the main thread, on request: never on the hot path.
 *
 * The data changes once a second, when an interval arrives, while a scraper may ask ten times a
 * second: what is derived from it (summaries, .hgrm, .hlog, the Prometheus histograms) is
 * computed once per change and kept (`derived`). Measured on a minute of 7k samples/s, a
 * /metrics computed afresh took 120 ms of the main thread, /latency 20 ms.
 */
import * as hdr from 'hdr-histogram-js';
import type { HistogramInterval } from './interval-channel.js';
import { STAGE_NAMES, type StageName } from './stage-latency.js';
import { BIT_BUCKET_SIZE, buildHistogram } from './latency-histogram.js';

/** Intervals kept for the .hlog: ten minutes at one a second. */
export const KEPT_INTERVALS = 600;
const NANOS_PER_MICRO = 1_000;
const MILLIS_PER_SECOND = 1_000;
const SIGNIFICANT_DIGITS = 3;
/** outputPercentileDistribution's resolution: ticks per half distance to 100%. */
const PERCENTILE_TICKS_PER_HALF_DISTANCE = 5;

/** One stage's figures, in microseconds with 3 significant digits. */
export interface StageSummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

interface KeptInterval {
  startTimeMs: number;
  endTimeMs: number;
  encoded: string;
}

class StageHistograms {
  cumulative = buildHistogram();
  lastInterval: hdr.JsHistogram = buildHistogram();
  intervals: KeptInterval[] = [];
}

export class StageLatencyAggregate {
  private readonly stages = new Map<StageName, StageHistograms>(STAGE_NAMES.map((name) => [name, new StageHistograms()]));
  /** Wall-clock ms of the start of the data held (start, or the last reset). */
  startTimeMs = Date.now();
  /** Intervals received since start (a reset does not count back): one a second while the worker runs. */
  intervalCount = 0;
  /** Values derived from the data held, by key; emptied whenever the data changes. */
  private readonly derivedValues = new Map<string, unknown>();

  /** Takes one interval of every stage (histograms in STAGE_NAMES order; the aggregate keeps them). */
  addIntervals(intervals: HistogramInterval): void {
    STAGE_NAMES.forEach((name, index) => {
      const interval = intervals.histograms[index];
      if (interval === undefined) return;
      const stage = this.stages.get(name)!;
      stage.cumulative.add(interval);
      stage.lastInterval = interval;
      const encoded = hdr.encodeIntoCompressedBase64(interval);
      stage.intervals.push({ startTimeMs: intervals.startTimeMs, endTimeMs: intervals.endTimeMs, encoded });
      if (stage.intervals.length > KEPT_INTERVALS) stage.intervals.shift();
    });
    this.intervalCount++;
    this.derivedValues.clear();
  }

  /** `compute()`'s value, computed once until the data changes (an interval arrives, or a reset). */
  derived<T>(key: string, compute: () => T): T {
    if (this.derivedValues.has(key)) return this.derivedValues.get(key) as T;
    const value = compute();
    this.derivedValues.set(key, value);
    return value;
  }

  /** Forgets everything received so far: cumulative, last interval and the interval log. */
  reset(): void {
    for (const name of STAGE_NAMES) this.stages.set(name, new StageHistograms());
    this.startTimeMs = Date.now();
    this.derivedValues.clear();
  }

  cumulative(stage: StageName): hdr.Histogram {
    return this.stages.get(stage)!.cumulative;
  }

  /** The last interval received of `stage` (empty before the first). */
  lastInterval(stage: StageName): hdr.Histogram {
    return this.stages.get(stage)!.lastInterval;
  }

  /** Every stage's cumulative figures since start or the last reset. */
  summaries(): Record<StageName, StageSummary> {
    return this.derived('summaries', () => Object.fromEntries(STAGE_NAMES.map((name) => [name, summarize(this.cumulative(name))])) as Record<StageName, StageSummary>);
  }

  /** HdrHistogram's percentile distribution text of the cumulative histogram, values in microseconds. */
  percentileDistribution(stage: StageName): string {
    return this.derived(`hgrm ${stage}`, () => this.cumulative(stage).outputPercentileDistribution(PERCENTILE_TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO));
  }

  /** HdrHistogram log format v1.3: the kept intervals of `stage`, values in nanoseconds. */
  intervalLog(stage: StageName): string {
    return this.derived(`hlog ${stage}`, () => this.writeIntervalLog(stage));
  }

  private writeIntervalLog(stage: StageName): string {
    let log = '';
    const writer = new hdr.HistogramLogWriter((text) => (log += text));
    const intervals = this.stages.get(stage)!.intervals;
    const baseTimeMs = intervals[0]?.startTimeMs ?? this.startTimeMs;
    writer.outputComment(`zerotick stage ${stage}, values in nanoseconds`);
    writer.outputLogFormatVersion();
    writer.outputStartTime(baseTimeMs);
    writer.baseTime = baseTimeMs;
    writer.outputLegend();
    for (const interval of intervals) {
      const histogram = hdr.decodeFromCompressedBase64(interval.encoded, BIT_BUCKET_SIZE, false);
      writer.outputIntervalHistogram(histogram, interval.startTimeMs / MILLIS_PER_SECOND, interval.endTimeMs / MILLIS_PER_SECOND);
    }
    return log;
  }

  /**
   * Count of recorded values at or below each bound (ns, ascending), cumulative as Prometheus
   * buckets are: one pass over the counts array (hdr's value iterator took ~15 ms a stage).
   * A bound inside a bucket of the histogram counts that bucket (3 significant digits).
   */
  countsAtOrBelow(stage: StageName, boundsNanos: readonly number[]): number[] {
    const histogram = this.cumulative(stage) as unknown as hdr.JsHistogram;
    const counts: number[] = [];
    let index = 0;
    let total = 0;
    for (const bound of boundsNanos) {
      const lastIndex = Math.min(histogram.countsArrayIndex(bound), histogram.countsArrayLength - 1);
      for (; index <= lastIndex; index++) total += histogram.getCountAtIndex(index);
      counts.push(total);
    }
    return counts;
  }
}

function micros(nanos: number): number {
  return Number((nanos / NANOS_PER_MICRO).toPrecision(SIGNIFICANT_DIGITS));
}

const SUMMARY_PERCENTILES = [50, 90, 99, 99.9, 99.99] as const;
/** Below one count: keeps ceil() from rounding a count that is exact up to floating-point error. */
const COUNT_EPSILON = 1e-9;

/**
 * Count, min, mean, percentiles and max in one pass over the counts array. hdr's own `mean`
 * walks its value iterator, and each getValueAtPercentile walks the array again: 40 ms for
 * the seven stages of a minute's data, against under 1 ms here.
 */
function summarize(histogram: hdr.Histogram): StageSummary {
  const total = histogram.totalCount;
  if (total === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, p9999: 0, max: 0 };
  const counts = histogram as unknown as hdr.JsHistogram;
  const targets = SUMMARY_PERCENTILES.map((percentile) => Math.max(1, Math.ceil((percentile / 100) * total - COUNT_EPSILON)));
  const atPercentile: number[] = [];
  let cumulative = 0;
  let sum = 0;
  for (let index = 0; index < counts.countsArrayLength && cumulative < total; index++) {
    const count = counts.getCountAtIndex(index);
    if (count === 0) continue;
    const value = counts.valueFromIndex(index);
    sum += count * counts.medianEquivalentValue(value);
    cumulative += count;
    while (atPercentile.length < targets.length && cumulative >= targets[atPercentile.length]!) atPercentile.push(counts.highestEquivalentValue(value));
  }
  const [p50, p90, p99, p999, p9999] = atPercentile.map(micros) as [number, number, number, number, number];
  return { count: total, min: micros(histogram.minNonZeroValue), mean: micros(sum / total), p50, p90, p99, p999, p9999, max: micros(histogram.maxValue) };
}
