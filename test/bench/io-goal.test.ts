import { describe, expect, it } from 'vitest';
import { judgeDrainGoal, judgeRecvmmsgGoal } from '../../bench/io/report.js';
import type { PayloadSweep } from '../../bench/io/results.js';
import type { ReceiverSweep } from '../../bench/io/sweep.js';

/** A sweep whose best clean trial ran at `rate`; `exact`: a higher rate lost, so the figure is not a bound. */
function sweep(receiver: string, rate: number, exact: boolean): ReceiverSweep {
  const clean = { offeredRate: rate, achievedRate: rate, sent: 1000, received: 1000, lost: 0, senderBound: !exact };
  const lossy = { offeredRate: rate * 2, achievedRate: rate * 2, sent: 1000, received: 990, lost: 10, senderBound: false };
  return { receiver, trials: exact ? [clean, lossy] : [clean], lossFreeRate: rate, limitedBySender: !exact };
}

function payload(c: ReceiverSweep, zerotick: ReceiverSweep): PayloadSweep {
  return { payloadBytes: 64, sweeps: [c, zerotick], unavailable: {} };
}

describe('the recvmmsg goal (>= 0.9x the C loop)', () => {
  it('is met when zerotick reaches 0.9x an exact C figure, even as a lower bound itself', () => {
    expect(judgeRecvmmsgGoal(payload(sweep('C recvmmsg (limit)', 100, true), sweep('zerotick recvmmsg', 95, true))).verdict).toBe('met');
    expect(judgeRecvmmsgGoal(payload(sweep('C recvmmsg (limit)', 100, true), sweep('zerotick recvmmsg', 95, false))).verdict).toBe('met');
  });

  it('is missed when an exact zerotick figure is below 0.9x the C figure', () => {
    expect(judgeRecvmmsgGoal(payload(sweep('C recvmmsg (limit)', 100, false), sweep('zerotick recvmmsg', 80, true))).verdict).toBe('NOT met');
  });

  it('is not decidable when the side that matters is only a lower bound', () => {
    expect(judgeRecvmmsgGoal(payload(sweep('C recvmmsg (limit)', 100, false), sweep('zerotick recvmmsg', 120, false))).verdict).toBe('not decidable');
    expect(judgeRecvmmsgGoal(payload(sweep('C recvmmsg (limit)', 100, true), sweep('zerotick recvmmsg', 50, false))).verdict).toBe('not decidable');
  });

  it('is not measured when a receiver is missing', () => {
    const only = { payloadBytes: 64, sweeps: [sweep('C recvmmsg (limit)', 100, true)], unavailable: { 'zerotick recvmmsg': 'src/io/udp.ts is not in this build' } };
    expect(judgeRecvmmsgGoal(only)).toEqual({ verdict: 'not measured', why: 'src/io/udp.ts is not in this build' });
  });
});

describe('the recvmmsg goal on drain rates', () => {
  /** Rates in thousands per second, as the figures of a real drain read. */
  const drain = (cpuMedian: number | undefined, best: number) => ({ best: best * 1000, median: best * 1000, cpuBest: cpuMedian && cpuMedian * 1000, cpuMedian: cpuMedian && cpuMedian * 1000 });
  /** The four receivers of a drain: zerotick with and without timestamps, C with and without. */
  const drains = (zerotick: number, zerotickWithoutTimestamps: number, best = 1000) => ({
    'C recvmmsg (limit)': drain(1000, 1000),
    'C recvmmsg + timestamps': drain(900, 1000),
    'zerotick recvmmsg': drain(zerotick, best),
    'zerotick recvmmsg, timestamps: false': drain(zerotickWithoutTimestamps, best),
  });

  it('compares like with like: timestamps against C asking for them, none against the plain loop', () => {
    // given zerotick at 0.83x the plain C loop, but 0.92x of C paying for the same timestamps
    const rates = drains(830, 950);

    // then
    expect(judgeDrainGoal(rates).verdict).toBe('met');
    expect(judgeDrainGoal(rates).why).toBe(
      'zerotick recvmmsg vs C recvmmsg + timestamps: per CPU second (median): 830 k/s vs 900 k/s = 0.92x; drain rate (best): 1.00 M/s vs 1.00 M/s = 1.00x; ' +
        'zerotick recvmmsg, timestamps: false vs C recvmmsg (limit): per CPU second (median): 950 k/s vs 1.00 M/s = 0.95x; drain rate (best): 1.00 M/s vs 1.00 M/s = 1.00x',
    );
  });

  it('reads the median rates per CPU second, not the best wall-clock rounds', () => {
    expect(judgeDrainGoal(drains(830, 950, 700)).verdict).toBe('met');
  });

  it('is missed when either pair is below 0.9x per CPU second, however good the best wall-clock round', () => {
    expect(judgeDrainGoal(drains(800, 950)).verdict).toBe('NOT met');
    expect(judgeDrainGoal(drains(830, 890)).verdict).toBe('NOT met');
  });

  it('is not measured without CPU times or without a drain of any receiver it compares', () => {
    const withoutCpuTimes = { ...drains(830, 950), 'C recvmmsg (limit)': drain(undefined, 1000) };
    expect(judgeDrainGoal(withoutCpuTimes)).toEqual({ verdict: 'not measured', why: 'no drain rate per CPU second for zerotick recvmmsg, timestamps: false vs C recvmmsg (limit)' });
    expect(judgeDrainGoal({ ...drains(830, 950), 'zerotick recvmmsg': null }).verdict).toBe('not measured');
  });
});
