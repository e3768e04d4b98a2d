/**
 * HdrHistogramJS's Int32Histogram with a cheaper counts index for the values the worker records.
 * The library finds a value's bucket with Math.log2 and two Math.pow calls, each a call into
 * V8's C++ runtime: about 0.1 us a value, and the worker records eight values a packet (seven
 * stages and tick-to-trade). For a positive Smi (< 2^30, as every sub-second latency in ns is)
 * the same index is a count of leading zeros and two shifts, as the Java HdrHistogram computes
 * it; anything else goes to the library's own computation. Everything else (counts, encoding,
 * percentiles) is the library's.
 *
 * Its counts array can also be pointed elsewhere (countInto): the worker's histograms count
 * straight into an IntervalChannel's shared memory.
 */
import * as hdr from 'hdr-histogram-js';

/** Below this a value is a Smi, and its bits are the value's: clz32 and shifts apply. */
export const SHIFTABLE_LIMIT = 0x4000_0000;

export class ShiftIndexedHistogram extends hdr.Int32Histogram {
  override countsArrayIndex(value: number): number {
    if (!(value >= 1 && value < SHIFTABLE_LIMIT && value === (value | 0))) return super.countsArrayIndex(value);
    const halfCountMagnitude = this.subBucketHalfCountMagnitude;
    // floor(log2(value)) - halfCountMagnitude - unitMagnitude, at least 0: the power of two above bucket 0's top
    const bucketIndex = Math.max(31 - Math.clz32(value) - halfCountMagnitude - this.unitMagnitude, 0);
    const subBucketIndex = value >>> (bucketIndex + this.unitMagnitude);
    return ((bucketIndex + 1) << halfCountMagnitude) + subBucketIndex - this.subBucketHalfCount;
  }

  /**
   * From now on, counts into `counts` (a countsArrayLength Int32Array, all zero: an
   * IntervalChannel slot its reader has cleared), as an empty histogram. Unlike reset(), clears
   * nothing: a few field stores, whatever the array's length.
   */
  countInto(counts: Int32Array): void {
    this._counts = counts;
    this.setTotalCount(0);
    this.maxValue = 0;
    this.minNonZeroValue = Number.MAX_SAFE_INTEGER;
  }
}
