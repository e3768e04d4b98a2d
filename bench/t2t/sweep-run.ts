/**
 * The throughput sweep: rate-search.ts's interleaved rising ladder (and bisection) of packet
 * rates over the responders; a rate is loss-free when every packet got its order within the
 * drain time, and every trial says where its lost packets went.
 */
import { logProgress } from '../lib/child.js';
import { describeCircumstances, describeLoss } from './loss-account.js';
import { searchLossFreeRates, senderBound, type RateSearchPlan, type RateTrial, type ResponderSweep } from './rate-search.js';
import type { RunningResponder } from './responders.js';
import { accountedTrial, whileRunning } from './turns.js';

export interface SweepSettings extends RateSearchPlan {
  trialMs: number;
}

export async function throughputSweep(running: readonly RunningResponder[], settings: SweepSettings): Promise<ResponderSweep[]> {
  const byName = new Map(running.map((responder) => [responder.spec.name, responder]));
  const trial = async (name: string, rate: number, attempt: number): Promise<RateTrial> => {
    const responder = byName.get(name)!;
    const count = Math.max(1, Math.round((rate * settings.trialMs) / 1000));
    const { report, account } = await whileRunning(responder, () => accountedTrial(responder, count, 1e9 / rate));
    const loss = report.lost === 0 ? '' : ` (${describeLoss(account)})`;
    logProgress(`t2t sweep ${name} at ${rate}/s, attempt ${attempt}: achieved ${Math.round(report.achievedRate)}/s, lost ${report.lost}${loss}; ${describeCircumstances(account)}`);
    return {
      offeredRate: rate,
      achievedRate: report.achievedRate,
      sent: report.sent,
      received: report.matched,
      lost: report.lost,
      senderBound: senderBound(rate, report.achievedRate),
      attempt,
      account,
    };
  };
  return searchLossFreeRates([...byName.keys()], settings, trial);
}
