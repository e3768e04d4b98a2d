/**
 * A responder's latency run as an HdrHistogram: the exchange's per-packet latencies recorded
 * in nanoseconds (the gateway's own histogram settings, src/metrics/latency-histogram.ts), read out
 * as the report's figures, its percentile spectrum, and the files other tools read: .hgrm
 * (outputPercentileDistribution, in microseconds) and .hlog (HistogramLogWriter, one interval,
 * in nanoseconds).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { buildHistogram, HIGHEST_TRACKABLE_NANOS } from '../../src/metrics/latency-histogram.js';
import type { LatencyFigures, SpectrumPoint } from './results.js';

const NANOS_PER_MICRO = 1000;
/** outputPercentileDistribution's resolution: ticks per half distance to 100%, as the gateway's routes. */
const PERCENTILE_TICKS_PER_HALF_DISTANCE = 5;
/** The spectrum runs from the median to 99.999%: x = 1/(1-p) from 2 to 10^5. */
export const SPECTRUM_MIN_DECADE = Math.log10(2);
export const SPECTRUM_MAX_DECADE = 5;
const SPECTRUM_POINTS_PER_DECADE = 20;

/** Records one trial's latencies (-1: lost, not recorded); returns how many were lost. */
export function recordLatencies(histogram: hdr.Histogram, latencyNs: BigInt64Array): number {
  let lost = 0;
  for (const value of latencyNs) {
    if (value < 0n) {
      lost++;
      continue;
    }
    const nanos = Number(value);
    histogram.recordValue(Math.max(1, Math.min(nanos, HIGHEST_TRACKABLE_NANOS)));
  }
  return lost;
}

export function newLatencyHistogram(): hdr.Histogram {
  return buildHistogram();
}

/** Value at `percentile` (0..100) in microseconds, to 0.1 us. */
export function percentileUs(histogram: hdr.Histogram, percentile: number): number {
  return Math.round(histogram.getValueAtPercentile(percentile) / 100) / 10;
}

/**
 * Value at `percentile` (0..100) over every packet sent, in microseconds: a lost packet counts as
 * never answered, slower than any that was. That is the answered ones' value at the percentile
 * scaled by sent/answered, or null when the lost ones reach that far.
 */
export function percentileOfSentUs(histogram: hdr.Histogram, percentile: number, sent: number): number | null {
  const ofAnswered = (percentile * sent) / histogram.totalCount;
  return histogram.totalCount === 0 || ofAnswered > 100 ? null : percentileUs(histogram, ofAnswered);
}

export function summarize(histogram: hdr.Histogram): Pick<LatencyFigures, 'count' | 'p50' | 'p90' | 'p99' | 'p999' | 'p9999' | 'max'> {
  return {
    count: histogram.totalCount,
    p50: percentileUs(histogram, 50),
    p90: percentileUs(histogram, 90),
    p99: percentileUs(histogram, 99),
    p999: percentileUs(histogram, 99.9),
    p9999: percentileUs(histogram, 99.99),
    max: Math.round(histogram.maxValue / 100) / 10,
  };
}

/** Points evenly spaced in log10(1/(1-p)), the spectrum chart's x axis. */
export function spectrum(histogram: hdr.Histogram): SpectrumPoint[] {
  const points: SpectrumPoint[] = [];
  const steps = Math.round((SPECTRUM_MAX_DECADE - SPECTRUM_MIN_DECADE) * SPECTRUM_POINTS_PER_DECADE);
  for (let step = 0; step <= steps; step++) {
    const decade = SPECTRUM_MIN_DECADE + ((SPECTRUM_MAX_DECADE - SPECTRUM_MIN_DECADE) * step) / steps;
    const percentile = 100 * (1 - 10 ** -decade);
    points.push({ percentile, us: percentileUs(histogram, percentile) });
  }
  return points;
}

/** Writes `<base>.hgrm` and `<base>.hlog` into `directory`; returns their paths. */
export function writeHistogramFiles(histogram: hdr.Histogram, directory: string, base: string, title: string): { hgrm: string; hlog: string } {
  const hgrm = path.join(directory, `${base}.hgrm`);
  const hlog = path.join(directory, `${base}.hlog`);
  writeFileSync(hgrm, histogram.outputPercentileDistribution(PERCENTILE_TICKS_PER_HALF_DISTANCE, NANOS_PER_MICRO));
  let log = '';
  const writer = new hdr.HistogramLogWriter((text) => (log += text));
  const startTimeMs = histogram.startTimeStampMsec > 0 ? histogram.startTimeStampMsec : Date.now();
  writer.outputComment(`zerotick t2t ${title}: tick-to-trade, values in nanoseconds`);
  writer.outputLogFormatVersion();
  writer.outputStartTime(startTimeMs);
  writer.baseTime = startTimeMs;
  writer.outputLegend();
  writer.outputIntervalHistogram(histogram, startTimeMs / 1000, Math.max(startTimeMs, histogram.endTimeStampMsec) / 1000);
  writeFileSync(hlog, log);
  return { hgrm, hlog };
}

/** A file name for a responder: "zerotick zero-copy" -> "t2t-zerotick-zero-copy". */
export function histogramBaseName(responder: string): string {
  return `t2t-${responder.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
}
