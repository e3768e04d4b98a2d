/**
 * Layout of an IntervalChannel (interval-channel.ts): one SharedArrayBuffer through which the
 * hot-path worker hands the control plane each interval's latency histograms (their counts
 * arrays, copied as they are), with no message and nothing allocated on the worker's heap.
 *
 *   0               4                8                 12              16
 *   +---------------+----------------+-----------------+---------------+
 *   | published     | consumed       | histogram count | counts length |   header
 *   +---------------+----------------+-----------------+---------------+
 *   | slot 0: one interval                                             |
 *   |   0  start time, ms since 1970 (float64)                         |
 *   |   8  end time, ms since 1970 (float64)                           |
 *   |  16  used counts of each histogram (int32 x histogram count,     |
 *   |      padded to 8): the counts past the last non-zero one are     |
 *   |      not copied                                                  |
 *   |  ..  counts of each histogram (uint32 x counts length)           |
 *   +------------------------------------------------------------------+
 *   | slot 1 ... slot SLOT_COUNT - 1                                   |
 *   +------------------------------------------------------------------+
 *
 * Protocol (single writer, single reader): interval n lives in slot n % SLOT_COUNT. The worker
 * fills that slot only while published - consumed < SLOT_COUNT, then increments `published`
 * (Atomics.store: the counts are visible before the count is) and notifies it. The control
 * plane reads slots consumed .. published - 1, incrementing `consumed` after each, which hands
 * the slot back.
 */

/** Intervals the control plane may lag behind: two, so the worker fills one while the other is read. */
export const SLOT_COUNT = 2;

/** Int32 word index: intervals published by the worker. The reader waits on this word. */
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
export const USED_COUNTS_OFFSET = 16;

const COUNT_BYTES = Uint32Array.BYTES_PER_ELEMENT;
const ALIGNMENT = 8;

function alignUp(length: number): number {
  return Math.ceil(length / ALIGNMENT) * ALIGNMENT;
}

/** Offset, within a slot, of the first histogram's counts. */
export function countsOffset(histogramCount: number): number {
  return USED_COUNTS_OFFSET + alignUp(histogramCount * Int32Array.BYTES_PER_ELEMENT);
}

export function slotLength(histogramCount: number, countsLength: number): number {
  return countsOffset(histogramCount) + histogramCount * alignUp(countsLength * COUNT_BYTES);
}

export function slotOffset(slot: number, histogramCount: number, countsLength: number): number {
  return HEADER_LENGTH + slot * slotLength(histogramCount, countsLength);
}

/** Offset, within a slot, of histogram `histogram`'s counts. */
export function histogramCountsOffset(histogram: number, histogramCount: number, countsLength: number): number {
  return countsOffset(histogramCount) + histogram * alignUp(countsLength * COUNT_BYTES);
}

/** Offset, within a slot, of histogram `histogram`'s used-counts word. */
export function usedCountsOffset(histogram: number): number {
  return USED_COUNTS_OFFSET + histogram * Int32Array.BYTES_PER_ELEMENT;
}

export function channelByteLength(histogramCount: number, countsLength: number): number {
  return HEADER_LENGTH + SLOT_COUNT * slotLength(histogramCount, countsLength);
}
