/**
 * Control-plane side of the per-stage latency (stage-latency.ts): from the worker's interval
 * snapshots (one message a second), the last interval and the cumulative histogram of each
 * stage, plus the recent intervals themselves for the HdrHistogram interval log (.hlog).
 * Everything here runs on the main thread, on request: never on the hot path.
 */
import * as hdr from 'hdr-histogram-js';
import { STAGE_NAMES, type StageIntervals, type StageName } from './stage-latency.js';
import { BIT_BUCKET_SIZE, buildHistogram } from './tick-to-trade.js';

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
  lastInterval = buildHistogram();
  intervals: KeptInterval[] = [];
}

export class StageLatencyAggregate {
  private readonly stages = new Map<StageName, StageHistograms>(STAGE_NAMES.map((name) => [name, new StageHistograms()]));
  /** Wall-clock ms of the start of the data held (start, or the last reset). */
  startTimeMs = Date.now();

  addIntervals(intervals: StageIntervals): void {
    STAGE_NAMES.forEach((name, index) => {
      const encoded = intervals.histograms[index];
      if (encoded === undefined) return;
      const stage = this.stages.get(name)!;
      const interval = hdr.decodeFromCompressedBase64(encoded, BIT_BUCKET_SIZE, false);
      stage.cumulative.add(interval);
      stage.lastInterval = interval;
      stage.intervals.push({ startTimeMs: intervals.startTimeMs, endTimeMs: intervals.endTimeMs, encoded });
      if (stage.intervals.length > KEPT_INTERVALS) stage.intervals.shift();
    });
  }

  /** Forgets everything received so far: cumulative, last interval and the interval log. */
  reset(): void {
    for (const name of STAGE_NAMES) this.stages.set(name, new StageHistograms());
    this.startTimeMs = Date.now();
  }

  cumulative(stage: StageName): hdr.Histogram {
    return this.stages.get(stage)!.cumulative;
  }

  /** Every stage's cumulative figures since start or the last reset. */
  summaries(): Record<StageName, StageSummary> {
    return Object.fromEntries(STAGE_NAMES.map((name) => [name, summarize(this.cumulative(name))])) as Record<StageName, StageSummary>;
  }

  /** HdrHistogram's percentile distribution text of the cumulative histogram, values in microseconds. */
  percentileDistribution(stage: StageName): string {
    return this.cumulative(stage).outputPercentileDistribution(PERCENTILE_TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO);
  }

  /** HdrHistogram log format v1.3: the kept intervals of `stage`, values in nanoseconds. */
  intervalLog(stage: StageName): string {
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

  /** Count of recorded values at or below each bound (ns), cumulative as Prometheus buckets are. */
  countsAtOrBelow(stage: StageName, boundsNanos: readonly number[]): number[] {
    const histogram = this.cumulative(stage) as unknown as hdr.JsHistogram;
    const counts = boundsNanos.map(() => 0);
    const values = histogram.recordedValuesIterator;
    values.reset();
    while (values.hasNext()) {
      const step = values.next();
      for (let i = 0; i < boundsNanos.length; i++) {
        if (histogram.highestEquivalentValue(step.valueIteratedTo) <= boundsNanos[i]!) counts[i]! += step.countAddedInThisIterationStep;
      }
    }
    return counts;
  }
}

function micros(nanos: number): number {
  return Number((nanos / NANOS_PER_MICRO).toPrecision(SIGNIFICANT_DIGITS));
}

function summarize(histogram: hdr.Histogram): StageSummary {
  const empty = histogram.totalCount === 0;
  return {
    count: histogram.totalCount,
    min: empty ? 0 : micros(histogram.minNonZeroValue),
    mean: micros(histogram.mean),
    p50: micros(histogram.getValueAtPercentile(50)),
    p90: micros(histogram.getValueAtPercentile(90)),
    p99: micros(histogram.getValueAtPercentile(99)),
    p999: micros(histogram.getValueAtPercentile(99.9)),
    p9999: micros(histogram.getValueAtPercentile(99.99)),
    max: micros(histogram.maxValue),
  };
}
