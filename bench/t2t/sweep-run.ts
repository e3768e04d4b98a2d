/**
 * The throughput sweep: io/sweep.ts's interleaved rising ladder (and bisection) of packet rates
 * over the responders; a rate is loss-free when every packet got its order within the drain time.
 */
import { logProgress } from '../lib/child.js';
import { SENDER_KEEPS_UP, sweepReceivers, type ReceiverSweep, type TrialOutcome } from '../io/sweep.js';
import type { RunningResponder } from './responders.js';
import { whileRunning } from './turns.js';

export interface SweepSettings {
  /** Packet rates, per second. */
  ladder: number[];
  trialMs: number;
  bisectionSteps: number;
}

export async function throughputSweep(running: readonly RunningResponder[], settings: SweepSettings): Promise<ReceiverSweep[]> {
  const byName = new Map(running.map((responder) => [responder.spec.name, responder]));
  const trial = async (name: string, rate: number): Promise<TrialOutcome> => {
    const responder = byName.get(name)!;
    const count = Math.max(1, Math.round((rate * settings.trialMs) / 1000));
    const { report } = await whileRunning(responder, () => responder.exchange.trial(count, 1e9 / rate));
    logProgress(`t2t sweep ${name} at ${rate}/s: achieved ${Math.round(report.achievedRate)}/s, lost ${report.lost}`);
    return {
      offeredRate: rate,
      achievedRate: report.achievedRate,
      sent: report.sent,
      received: report.matched,
      lost: report.lost,
      senderBound: report.achievedRate < SENDER_KEEPS_UP * rate,
    };
  };
  return sweepReceivers([...byName.keys()], { ladder: settings.ladder, bisectionSteps: settings.bisectionSteps, alwaysAtLadder: new Set() }, trial);
}
