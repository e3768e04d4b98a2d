import { describe, expect, it } from 'vitest';
import { StageLatencyAggregate } from '../../src/metrics/stage-latency-aggregate.js';
import { STAGE_NAMES, StageLatencyRecorder } from '../../src/metrics/stage-latency.js';
import { CountingClock, EXPECTED_NANOS, ManualClock, recordOnePacket, recorderWith, takeInterval } from './stage-latency-fixture.js';

describe('StageLatencyRecorder', () => {
  it('records each stage from its clock marks: feed, wire, decode, strategy without the order path, risk_encode, send, tick_to_trade', () => {
    // given a packet taken through every stage with hand-set clocks
    const aggregate = new StageLatencyAggregate();
    aggregate.addIntervals(takeInterval(recorderWith(1).histograms));

    // then each stage holds one sample of the expected length (us, 3 significant digits)
    const summaries = aggregate.summaries();
    for (const stage of STAGE_NAMES) {
      expect(summaries[stage], stage).toMatchObject({ count: 1, p50: EXPECTED_NANOS[stage] / 1000, max: EXPECTED_NANOS[stage] / 1000 });
    }
  });

  it('records no strategy, decode or risk_encode for a packet no strategy saw', () => {
    const recorder = new StageLatencyRecorder({ realtime: new ManualClock(), monotonic: new ManualClock() });
    recorder.beginPacket(new DataView(new ArrayBuffer(12)), 0);
    recorder.endPacket();
    expect(STAGE_NAMES.map((_, stage) => recorder.count(stage))).toEqual([1, 0, 0, 0, 0, 0, 0]); // wire only (SendingTime 0: no feed sample)
  });

  it('times the breakdown on every sampleEvery-th packet, from the first, and feed and tick_to_trade on every packet', () => {
    const realtime = new CountingClock();
    const monotonic = new CountingClock();
    const recorder = new StageLatencyRecorder({ realtime, monotonic, sampleEvery: 4 });
    for (let packet = 0; packet < 8; packet++) recordOnePacket(recorder, realtime, monotonic);

    const counts = Object.fromEntries(STAGE_NAMES.map((name, stage) => [name, recorder.count(stage)]));
    expect(counts).toEqual({ wire: 2, decode: 2, strategy: 2, risk_encode: 2, send: 2, tick_to_trade: 8, feed: 8 });
    // a sampled packet reads both clocks at the start, the monotonic one six times more (strategy,
    // order path, send), the realtime one after the send; any other packet only that last one
    expect([realtime.reads, monotonic.reads]).toEqual([2 * 2 + 6 * 1, 2 * 7]);
    const summaries = new StageLatencyAggregate();
    summaries.addIntervals(takeInterval(recorder.histograms));
    expect(summaries.summaries().strategy).toMatchObject({ p50: EXPECTED_NANOS.strategy / 1000, max: EXPECTED_NANOS.strategy / 1000 });
  });

  it('does not time order calls made outside a packet (timers, execution reports)', () => {
    const monotonic = new CountingClock();
    const recorder = new StageLatencyRecorder({ realtime: new ManualClock(), monotonic });
    recorder.beginPacket(new DataView(new ArrayBuffer(12)), 0);
    recorder.endPacket();
    const readsAfterPacket = monotonic.reads;
    recorder.enterOrderPath();
    recorder.exitOrderPath();
    expect(monotonic.reads).toBe(readsAfterPacket);
  });

  it('starts a new interval at each hand-over; the aggregate adds them up and reset forgets them', () => {
    const realtime = new ManualClock();
    const monotonic = new ManualClock();
    const recorder = new StageLatencyRecorder({ realtime, monotonic });
    const aggregate = new StageLatencyAggregate();
    recordOnePacket(recorder, realtime, monotonic);
    aggregate.addIntervals(takeInterval(recorder.histograms));
    recordOnePacket(recorder, realtime, monotonic);
    recordOnePacket(recorder, realtime, monotonic);
    aggregate.addIntervals(takeInterval(recorder.histograms));
    expect(aggregate.summaries().wire.count).toBe(3);
    expect(aggregate.countsAtOrBelow('tick_to_trade', [5_000, 7_000])).toEqual([0, 3]);

    aggregate.reset();
    expect(aggregate.summaries().wire.count).toBe(0);
    expect(aggregate.intervalLog('wire')).not.toMatch(/^Tag|^\d/m);
  });

  it('clamps what it cannot hold: a negative span to 1 ns, beyond 10 s to 10 s', () => {
    const realtime = new ManualClock();
    const recorder = new StageLatencyRecorder({ realtime, monotonic: new ManualClock() });
    const aggregate = new StageLatencyAggregate();
    const packet = new DataView(new ArrayBuffer(12));
    recorder.marks[0] = 5_000; // received after the handler started: clock skew
    realtime.nanos = 1_000;
    recorder.beginPacket(packet, 0);
    recorder.marks[0] = 0;
    realtime.nanos = 60e9; // a minute
    recorder.beginPacket(packet, 0);
    aggregate.addIntervals(takeInterval(recorder.histograms));
    const wire = aggregate.cumulative('wire');
    expect([wire.totalCount, wire.minNonZeroValue]).toEqual([2, 1]);
    expect(wire.maxValue).toBeGreaterThanOrEqual(10e9);
    expect(wire.maxValue).toBeLessThan(10.01e9);
  });
});
