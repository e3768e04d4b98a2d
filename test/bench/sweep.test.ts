import { describe, expect, it } from 'vitest';
import { sweepReceivers, type SweepPlan, type TrialOutcome } from '../../bench/io/sweep.js';

/** A receiver that takes everything up to `capacity` per second and loses beyond it; a sender capped at `senderLimit`. */
function fakeTrial(capacities: Record<string, number>, senderLimit = Infinity, lossyTrialsToInject: string[] = []) {
  const trials: Array<[string, number]> = [];
  const run = async (receiver: string, offeredRate: number): Promise<TrialOutcome> => {
    trials.push([receiver, offeredRate]);
    const achievedRate = Math.min(offeredRate, senderLimit);
    const sent = 1000;
    const injected = lossyTrialsToInject[0] === `${receiver}@${offeredRate}`;
    if (injected) lossyTrialsToInject.shift();
    const lost = injected || achievedRate > capacities[receiver]! ? 10 : 0;
    return { offeredRate, achievedRate, sent, received: sent - lost, lost, senderBound: achievedRate < offeredRate * 0.97 };
  };
  return { run, trials };
}

const plan: SweepPlan = { ladder: [100, 200, 400, 800, 1600], bisectionSteps: 3, alwaysAtLadder: new Set(['dgram']) };

describe('sweepReceivers', () => {
  it('brackets each receiver between its last loss-free and first lossy rate, then bisects', async () => {
    // given
    const { run } = fakeTrial({ fast: 1000, slow: 300 });
    // when
    const [fast, slow] = await sweepReceivers(['fast', 'slow'], plan, run);
    // then
    expect(fast!.lossFreeRate).toBeGreaterThanOrEqual(800);
    expect(fast!.lossFreeRate).toBeLessThanOrEqual(1000);
    expect(slow!.lossFreeRate).toBeGreaterThanOrEqual(200);
    expect(slow!.lossFreeRate).toBeLessThanOrEqual(300);
    expect(fast!.limitedBySender).toBe(false);
  });

  it('interleaves receivers at each ladder rate and keeps running the always-at-ladder one after it loses', async () => {
    const { run, trials } = fakeTrial({ c: 700, dgram: 150 });
    const sweeps = await sweepReceivers(['c', 'dgram'], { ...plan, bisectionSteps: 0 }, run);
    // warm-up at the lowest rate, then A B at 100, A B at 200, ...; a lossy trial is repeated once
    expect(trials.slice(0, 4)).toEqual([['c', 100], ['dgram', 100], ['c', 100], ['dgram', 100]]);
    const dgramRates = sweeps[1]!.trials.map((trial) => trial.offeredRate);
    expect(dgramRates).toEqual([100, 200, 400, 800]);
  });

  it('does not count a single lossy trial when the retry at the same rate is clean', async () => {
    const { run } = fakeTrial({ c: 1000 }, Infinity, ['c@200']);
    const [c] = await sweepReceivers(['c'], plan, run);
    expect(c!.lossFreeRate).toBeGreaterThanOrEqual(800);
  });

  it('reports a lower bound when the sender cannot offer what the receiver could take', async () => {
    const { run } = fakeTrial({ c: 10_000 }, 500);
    const [c] = await sweepReceivers(['c'], plan, run);
    expect(c!.limitedBySender).toBe(true);
    expect(c!.lossFreeRate).toBe(500);
  });

  it('has no loss-free rate for a receiver that loses at the lowest rate', async () => {
    const { run } = fakeTrial({ c: 50 });
    const [c] = await sweepReceivers(['c'], plan, run);
    expect(c!.lossFreeRate).toBeNull();
  });
});
