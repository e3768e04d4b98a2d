import { describe, expect, it } from 'vitest';
import type { ReceiverSweep } from '../../bench/io/sweep.js';
import { newLatencyHistogram, percentileOfSentUs } from '../../bench/t2t/latency.js';
import { checkGoals, renderT2tSection } from '../../bench/t2t/report.js';
import { C_REFERENCE, COPY, ZERO_COPY } from '../../bench/t2t/responders.js';
import type { LatencyFigures, ResponderResult, T2tSuiteResult } from '../../bench/t2t/results.js';

function latency(p99: number, p999: number): LatencyFigures {
  return { count: 1000, p50: p99 / 2, p90: Math.round(p99 * 0.7), p99, p999, p9999: p999, max: p999, ordersPerSecond: 40_000, lost: 0, sent: 1000, ofSent: { p99, p999 }, priceMismatches: 0, roundP99s: [p99] };
}

function responder(name: string, figures: LatencyFigures | string): ResponderResult {
  return typeof figures === 'string' ? { name, description: name, unavailable: figures } : { name, description: name, latency: figures };
}

/** A sweep whose best clean trial ran at `rate`; `exact`: a higher rate lost, so the figure is not a bound. */
function sweep(receiver: string, rate: number, exact: boolean): ReceiverSweep {
  const clean = { offeredRate: rate, achievedRate: rate, sent: 1000, received: 1000, lost: 0, senderBound: !exact };
  return { receiver, trials: [clean], lossFreeRate: rate, limitedBySender: !exact };
}

function result(responders: ResponderResult[], sweeps: ReceiverSweep[], gcRuns: number | null = 0): T2tSuiteResult {
  return {
    responders,
    sweeps,
    zeroCopyWorkerGc: { runs: gcRuns, note: 'test' },
    rounds: 2,
    packetsPerRound: 1000,
    warmUpPackets: 100,
    latencyIntervalNs: 25_000,
    sweepLadder: [25_000],
    sweepTrialMs: 100,
    drainMs: 200,
    pinning: 'test',
    durationSeconds: 1,
  };
}

function statuses(run: T2tSuiteResult): string[] {
  return checkGoals(run).map((goal) => goal.status);
}

describe('the tick-to-trade goals', () => {
  it('are met when zero-copy is within 1.3x/1.6x of C, copy is 2x slower, the rate is 0.9x C and no GC ran', () => {
    const run = result(
      [responder(C_REFERENCE, latency(20, 30)), responder(ZERO_COPY, latency(26, 48)), responder(COPY, latency(52, 100))],
      [sweep(C_REFERENCE, 200_000, true), sweep(ZERO_COPY, 180_000, true)],
    );
    expect(statuses(run)).toEqual(['met', 'met', 'met', 'met', 'met']);
  });

  it('are missed, with the numbers, when zero-copy is too slow, copy too close, the rate too low or a GC ran', () => {
    const run = result(
      [responder(C_REFERENCE, latency(20, 30)), responder(ZERO_COPY, latency(27, 49)), responder(COPY, latency(50, 100))],
      [sweep(C_REFERENCE, 200_000, true), sweep(ZERO_COPY, 170_000, true)],
      3,
    );
    const goals = checkGoals(run);
    expect(goals.map((goal) => goal.status)).toEqual(['missed', 'missed', 'missed', 'missed', 'missed']);
    expect(goals[0]!.detail).toBe('27 us vs 20 us: 1.35x');
  });

  it('say why a goal cannot be judged: a responder that could not run, a rate that is only a lower bound, no GC count', () => {
    const run = result(
      [responder(C_REFERENCE, latency(20, 30)), responder(ZERO_COPY, latency(26, 48)), responder(COPY, "'copy' is not yet available")],
      [sweep(C_REFERENCE, 200_000, false), sweep(ZERO_COPY, 190_000, true)],
      null,
    );
    const goals = checkGoals(run);
    expect(goals.map((goal) => goal.status)).toEqual(['met', 'met', 'not measured', 'not measured', 'not measured']);
    expect(goals[2]!.detail).toContain("'copy' is not yet available");
  });

  it('count a lost packet as never answered: the percentiles compared are over every packet sent', () => {
    // C lost 2 of 1000: its p99 over them all is a little higher than its survivors'
    const reference = { ...latency(20, 30), count: 998, lost: 2, ofSent: { p99: 21, p999: null } };
    // copy lost 20 of 1000: its lost packets alone are past its p99
    const copy = { ...latency(30, 60), count: 980, lost: 20, ofSent: { p99: null, p999: null } };
    const run = result([responder(C_REFERENCE, reference), responder(ZERO_COPY, latency(26, 48)), responder(COPY, copy)], []);

    const goals = checkGoals(run);

    expect(goals.map((goal) => goal.status)).toEqual(['met', 'not measured', 'met', 'not measured', 'met']);
    expect(goals[0]!.detail).toBe('26 us vs 21 us: 1.24x (over every packet sent, a lost one counted as never answered: C reference lost 2 of 1000)');
    expect(goals[1]!.detail).toBe("C reference's lost packets reach its p99.9 (over every packet sent, a lost one counted as never answered: C reference lost 2 of 1000)");
    expect(goals[2]!.detail).toBe("zerotick copy's lost packets reach its p99 (over every packet sent, a lost one counted as never answered: zerotick copy lost 20 of 1000)");
  });

  it("that lose past the percentile miss a goal they must stay under", () => {
    const zeroCopy = { ...latency(26, 48), count: 980, lost: 20, ofSent: { p99: null, p999: null } };
    const run = result([responder(C_REFERENCE, latency(20, 30)), responder(ZERO_COPY, zeroCopy), responder(COPY, latency(52, 100))], []);

    expect(statuses(run).slice(0, 3)).toEqual(['missed', 'missed', 'not measured']);
  });
});

describe('a percentile over every packet sent', () => {
  // 1000 answered packets of 1..1000 us
  const histogram = newLatencyHistogram();
  for (let us = 1; us <= 1000; us++) histogram.recordValue(us * 1000);

  it('is the answered ones\' when none was lost', () => {
    expect(percentileOfSentUs(histogram, 99, 1000)).toBeCloseTo(990, 0);
  });

  it('moves up the answered ones by the share lost', () => {
    // 990 of 1100 sent are answered within 990 us: 90%
    expect(percentileOfSentUs(histogram, 90, 1100)).toBeCloseTo(990, 0);
  });

  it('has no value when the lost ones reach it', () => {
    expect(percentileOfSentUs(histogram, 99, 1011)).toBeNull();
  });
});

describe('the tick-to-trade report', () => {
  it('are reported in the RESULTS.md section, under a table with a row per responder', () => {
    const run = result([responder(C_REFERENCE, latency(20, 30)), responder(COPY, 'not yet available')], [sweep(C_REFERENCE, 200_000, true)]);

    const section = renderT2tSection({ suite: 't2t', quick: true, machine: { cpuModel: 'x', cores: 2, kernel: 'k', node: 'v20', date: 'd' }, result: run });

    expect(section).toContain('## Tick-to-trade (quick)');
    expect(section).toContain('| C reference | 10 | 14 | 20 | 30 |');
    expect(section).toContain('| zerotick copy | not available yet: not yet available |');
    expect(section).toContain('- not measured: copy p99 >= 2x zero-copy p99');
    expect(section).toContain('![tick-to-trade percentile spectrum](t2t-spectrum.svg)');
  });

  it("reads zero-copy's p99 against the C reference's round by round too", () => {
    const reference = { ...latency(20, 30), roundP99s: [20, 40, 30] };
    const zeroCopy = { ...latency(26, 48), roundP99s: [24, 60, 33] };
    const run = result([responder(C_REFERENCE, reference), responder(ZERO_COPY, zeroCopy)], []);

    const section = renderT2tSection({ suite: 't2t', quick: false, machine: { cpuModel: 'x', cores: 2, kernel: 'k', node: 'v20', date: 'd' }, result: run });

    expect(section).toContain("Round by round, zero-copy's p99 over the C reference's in the same round: median 1.20x, from 1.10x to 1.50x; at most 1.3x in 2 of 3 rounds.");
  });

  it("lists every gateway's worker GC runs, the goal's zero-copy among them", () => {
    const counted = (name: string, runs: number | null) => responder(name, { ...latency(26, 48), workerGc: { runs, note: 'test' } });
    const run = result([responder(C_REFERENCE, latency(20, 30)), counted(ZERO_COPY, 0), counted(COPY, 12), counted('zerotick SPSC ring', null)], []);

    const section = renderT2tSection({ suite: 't2t', quick: false, machine: { cpuModel: 'x', cores: 2, kernel: 'k', node: 'v20', date: 'd' }, result: run });

    expect(section).toContain("Each gateway's worker GC runs over the latency run (GET /status workerGcCount before and after, warm-ups included): zerotick zero-copy 0, zerotick copy 12, zerotick SPSC ring not exposed.");
  });

  it("sets each gateway's own tick-to-trade tail beside the table, the part of its figures spent inside it", () => {
    const own = (p99: number, max: number) => ({ count: 1000, p50: 10, p99, p999: p99 * 2, p9999: p99 * 3, max });
    const run = result(
      [responder(C_REFERENCE, latency(20, 30)), responder(ZERO_COPY, { ...latency(26, 48), ownTickToTrade: own(30, 900) }), responder(COPY, { ...latency(90, 4000), ownTickToTrade: own(2000, 9000) })],
      [],
    );

    const section = renderT2tSection({ suite: 't2t', quick: false, machine: { cpuModel: 'x', cores: 2, kernel: 'k', node: 'v20', date: 'd' }, result: run });

    expect(section).toContain(
      "Each gateway's own tick-to-trade over the latency run (GET /latency, warm-ups excluded), from the packet's receive time to the return of the order's send, p99 / p99.9 / p99.99 / max in us: zerotick zero-copy 30 / 60 / 90 / 900; zerotick copy 2000 / 4000 / 6000 / 9000.",
    );
  });
});
