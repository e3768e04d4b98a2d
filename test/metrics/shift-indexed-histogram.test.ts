import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { ShiftIndexedHistogram } from '../../src/metrics/shift-indexed-histogram.js';
import { HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS } from '../../src/metrics/latency-histogram.js';

const library = (): hdr.JsHistogram => new hdr.Int32Histogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);
const shifted = (): hdr.JsHistogram => new ShiftIndexedHistogram(1, HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS);

describe('ShiftIndexedHistogram', () => {
  it("puts every value in the library's own bucket: Smis by shifts, the rest (fractions, >= 2^30) by the library", () => {
    const reference = library();
    const histogram = shifted();
    const value = fc.oneof(
      fc.integer({ min: 0, max: 0x3fff_ffff }),
      fc.integer({ min: 0, max: 40 }).map((bits) => 2 ** bits + (bits % 3) - 1),
      fc.integer({ min: 0x4000_0000, max: HIGHEST_TRACKABLE_NANOS }),
      fc.double({ min: 0, max: HIGHEST_TRACKABLE_NANOS, noNaN: true }),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(histogram.countsArrayIndex(v)).toBe(reference.countsArrayIndex(v));
      }),
      { numRuns: 20_000 },
    );
  });

  it('records the same distribution as the library: counts, percentiles and encoding', () => {
    // given the same latencies, 1 ns to 10 s, recorded into both
    const reference = library();
    const histogram = shifted();
    for (let i = 1; i < 200_000; i++) {
      const nanos = Math.round(1.00013 ** i) % HIGHEST_TRACKABLE_NANOS || 1;
      reference.recordValue(nanos);
      histogram.recordValue(nanos);
    }
    // then they are the same histogram
    expect(histogram.totalCount).toBe(reference.totalCount);
    for (const percentile of [0, 50, 90, 99, 99.9, 99.99, 100]) {
      expect(histogram.getValueAtPercentile(percentile)).toBe(reference.getValueAtPercentile(percentile));
    }
    expect(hdr.encodeIntoCompressedBase64(histogram)).toBe(hdr.encodeIntoCompressedBase64(reference));
  });
});
