import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { IntervalChannel, type HistogramInterval } from '../../src/metrics/interval-channel.js';
import { SLOT_COUNT } from '../../src/metrics/interval-channel-layout.js';
import { HIGHEST_TRACKABLE_NANOS, buildHistogram } from '../../src/metrics/latency-histogram.js';
import { ManualClock } from './stage-latency-fixture.js';

function clockAtMs(ms: number): ManualClock {
  const clock = new ManualClock();
  clock.nanos = ms * 1_000_000;
  return clock;
}

function drained(channel: IntervalChannel): HistogramInterval[] {
  const intervals: HistogramInterval[] = [];
  channel.drain((interval) => intervals.push(interval));
  return intervals;
}

describe('IntervalChannel', () => {
  it('hands the control plane each interval as recorded: counts, extremes, times; the worker starts afresh', () => {
    // given two histograms counting into the channel, values across the range in one, the other empty
    const worker = new IntervalChannel(IntervalChannel.create(2).buffer);
    const histograms = [buildHistogram(), buildHistogram()];
    worker.recordInto(histograms);
    for (const value of [1, 700, 25_000, 25_000, 3_000_000, HIGHEST_TRACKABLE_NANOS]) histograms[0]!.recordValue(value);
    const expectedEncoding = hdr.encodeIntoCompressedBase64(histograms[0]!);

    // when the worker offers two intervals, recording one more value in the second, and the control plane drains
    expect(worker.offer(clockAtMs(1_764_000_001_000))).toBe(true);
    expect(histograms[0]!.totalCount).toBe(0);
    histograms[1]!.recordValue(42);
    worker.offer(clockAtMs(1_764_000_002_000));
    const [first, second] = drained(worker);

    // then the control plane holds the same histogram (its .hlog payload too), the interval's end is the next one's start
    expect(first!.histograms.map((histogram) => histogram.totalCount)).toEqual([6, 0]);
    expect(hdr.encodeIntoCompressedBase64(first!.histograms[0]!)).toBe(expectedEncoding);
    expect(first!.histograms[0]!.minNonZeroValue).toBe(1);
    expect(first!.histograms[0]!.maxValue).toBeGreaterThanOrEqual(HIGHEST_TRACKABLE_NANOS);
    expect(first!.endTimeMs).toBe(1_764_000_001_000);
    expect([second!.startTimeMs, second!.endTimeMs]).toEqual([1_764_000_001_000, 1_764_000_002_000]);
    expect(second!.histograms.map((histogram) => histogram.totalCount)).toEqual([0, 1]);
    expect(drained(worker)).toEqual([]);
  });

  it('gives every slot back zeroed: an interval recorded in a reused slot holds only its own values', () => {
    const channel = IntervalChannel.create(1);
    const histogram = buildHistogram();
    channel.recordInto([histogram]);
    for (let interval = 0; interval < 2 * SLOT_COUNT; interval++) {
      for (let value = 0; value <= interval; value++) histogram.recordValue(1_000 * (interval + 1));
      channel.offer(clockAtMs(interval + 1));
      const [read] = drained(channel);
      expect([read!.histograms[0]!.totalCount, read!.histograms[0]!.minNonZeroValue]).toEqual([interval + 1, 1_000 * (interval + 1)]);
    }
  });

  it('refuses an interval while the control plane holds every slot but the one recorded, leaving the histograms recording', () => {
    const channel = IntervalChannel.create(1);
    const histogram = buildHistogram();
    channel.recordInto([histogram]);
    const lag = SLOT_COUNT - 1;
    for (let interval = 0; interval < lag; interval++) {
      histogram.recordValue(1_000);
      expect(channel.offer(clockAtMs(interval + 1))).toBe(true);
    }
    histogram.recordValue(2_000);
    expect(channel.offer(clockAtMs(10))).toBe(false);
    expect(histogram.totalCount).toBe(1);

    // once read, a slot is free again and the longer interval goes through whole
    expect(drained(channel)).toHaveLength(lag);
    histogram.recordValue(3_000);
    expect(channel.offer(clockAtMs(11))).toBe(true);
    const [longer] = drained(channel);
    expect([longer!.histograms[0]!.totalCount, longer!.startTimeMs, longer!.endTimeMs]).toEqual([2, lag, 11]);
  });

  it('takes as many histograms as the channel was made for', () => {
    expect(() => IntervalChannel.create(2).recordInto([buildHistogram()])).toThrow('recordInto: 1 histograms for a channel of 2');
  });
});
