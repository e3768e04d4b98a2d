import { describe, expect, it } from 'vitest';
import { buildHistogram, summarizeLatency } from '../../src/metrics/latency-histogram.js';

describe('summarizeLatency', () => {
  it('gives count, p50, p99, p99.9 and max of a latency histogram in its nanoseconds, to 3 significant digits', () => {
    // given 1..100 us, then 100 samples of 500 us
    const histogram = buildHistogram();
    for (let i = 1; i <= 100; i++) histogram.recordValue(i * 1000);
    for (let i = 0; i < 100; i++) histogram.recordValue(500_000);

    // when summarized
    const summary = summarizeLatency(histogram);

    // then
    expect(summary.count).toBe(200);
    expect(summary.p50).toBeCloseTo(100_000, -3);
    expect(summary.p99).toBeCloseTo(500_000, -3);
    expect(summary.p999).toBeCloseTo(500_000, -3);
    expect(summary.max).toBeCloseTo(500_000, -3);
  });

  it('is all zeros for an empty histogram', () => {
    expect(summarizeLatency(buildHistogram())).toEqual({ count: 0, p50: 0, p99: 0, p999: 0, max: 0 });
  });
});
