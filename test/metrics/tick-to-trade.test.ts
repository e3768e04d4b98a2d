import { describe, expect, it } from 'vitest';
import { HIGHEST_TRACKABLE_NANOS, TickToTradeAggregate, TickToTradeRecorder } from '../../src/metrics/tick-to-trade.js';
import { takeInterval } from './stage-latency-fixture.js';

describe('tick-to-trade histogram', () => {
  it('hands over each interval; the control plane keeps the last interval and the total', () => {
    // given a worker-side recorder and a control-plane aggregate
    const recorder = new TickToTradeRecorder();
    const aggregate = new TickToTradeAggregate();

    // when two intervals are recorded and handed over
    for (let i = 1; i <= 100; i++) recorder.record(i * 1000); // 1..100 us
    aggregate.addInterval(takeInterval(recorder.histograms).histograms[0]!);
    for (let i = 0; i < 100; i++) recorder.record(500_000); // 500 us
    aggregate.addInterval(takeInterval(recorder.histograms).histograms[0]!);

    // then the last interval is the second, the total holds both (3 significant digits)
    expect(aggregate.intervalSummary()).toMatchObject({ count: 100 });
    expect(aggregate.intervalSummary().p50).toBeCloseTo(500_000, -3);
    const total = aggregate.totalSummary();
    expect(total.count).toBe(200);
    expect(total.p50).toBeCloseTo(100_000, -3);
    expect(total.p99).toBeCloseTo(500_000, -3);
    expect(recorder.count).toBe(0); // the recorder started a new interval
  });

  it('clamps values outside the trackable range instead of throwing on the hot path', () => {
    const recorder = new TickToTradeRecorder();
    recorder.record(-5); // clocks of two hosts can disagree
    recorder.record(HIGHEST_TRACKABLE_NANOS * 10);
    const aggregate = new TickToTradeAggregate();
    aggregate.addInterval(takeInterval(recorder.histograms).histograms[0]!);
    expect(aggregate.totalSummary().count).toBe(2);
    expect(aggregate.totalSummary().max).toBeGreaterThanOrEqual(HIGHEST_TRACKABLE_NANOS * 0.999);
  });
});
