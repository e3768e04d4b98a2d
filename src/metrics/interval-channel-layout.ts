/**
 * Layout of an IntervalChannel (interval-channel.ts): one SharedArrayBuffer into which the
 * hot-path worker's latency histograms count directly, one slot per interval, so that handing
 * an interval to the control plane copies nothing and allocates nothing on the worker's heap.
 *
 *   0               4                8                 12              16
 *   +---------------+----------------+-----------------+---------------+
 *   | published     | consumed       | histogram count | counts length |   header
 *   +---------------+----------------+-----------------+---------------+
 *   | slot 0: one interval                                             |
 *   |   0  start time, ms since 1970 (float64)                         |
 *   |   8  end time, ms since 1970 (float64)                           |
 *   |  16  counts of each histogram (int32 x counts length, padded     |
 *   |      to 8), as HdrHistogramJS's Int32Histogram keeps them        |
 *   +------------------------------------------------------------------+
 *   | slot 1 ... slot SLOT_COUNT - 1                                   |
 *   +------------------------------------------------------------------+
 *
 * Protocol (single writer, single reader): interval n is recorded in slot n % SLOT_COUNT. To
 * publish it the worker needs the next slot back, zeroed by the reader: only while
 * published + 1 - consumed < SLOT_COUNT. It writes the interval's times, increments `published`
 * (Atomics.store: the counts are visible before the count is) and points its histograms at the
 * next slot; it wakes no one, the control plane looks every so often. The control plane copies
 * slots consumed .. published - 1 out, zeroes each, and increments `consumed` after each, which
 * hands the slot back.
 */

/** The slot being recorded, and two published intervals the control plane may lag behind. */
export const SLOT_COUNT = 3;

/** Int32 word index: intervals published by the worker. */
export const PUBLISHED_WORD = 0;
/** Int32 word index: intervals the control plane has read. */
export const CONSUMED_WORD = 1;
/** Int32 word index: histograms per interval. */
export const HISTOGRAM_COUNT_WORD = 2;
/** Int32 word index: the length of each histogram's counts array. */
export const COUNTS_LENGTH_WORD = 3;
export const HEADER_LENGTH = 16;

export const START_TIME_MS_OFFSET = 0;
export const END_TIME_MS_OFFSET = 8;
/** Offset, within a slot, of the first histogram's counts. */
export const COUNTS_OFFSET = 16;

const COUNT_BYTES = Int32Array.BYTES_PER_ELEMENT;
const ALIGNMENT = 8;

function alignUp(length: number): number {
  return Math.ceil(length / ALIGNMENT) * ALIGNMENT;
}

export function slotLength(histogramCount: number, countsLength: number): number {
  return COUNTS_OFFSET + histogramCount * alignUp(countsLength * COUNT_BYTES);
}

export function slotOffset(slot: number, histogramCount: number, countsLength: number): number {
  return HEADER_LENGTH + slot * slotLength(histogramCount, countsLength);
}

/** Offset, within a slot, of histogram `histogram`'s counts. */
export function histogramCountsOffset(histogram: number, countsLength: number): number {
  return COUNTS_OFFSET + histogram * alignUp(countsLength * COUNT_BYTES);
}

export function channelByteLength(histogramCount: number, countsLength: number): number {
  return HEADER_LENGTH + SLOT_COUNT * slotLength(histogramCount, countsLength);
}
