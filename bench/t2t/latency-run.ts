/**
 * The latency run: rounds of (warm-up trial, measured trial) per responder, interleaved
 * (A B C A B C ...), one packet every LATENCY_INTERVAL_NS; each responder's measured trials go
 * into one HdrHistogram, written out as .hgrm and .hlog. Each gateway's worker GC count is read
 * from its GET /status before and after (the zero-copy one's is a goal).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { logProgress } from '../lib/child.js';
import { benchDirectory } from '../lib/paths.js';
import { histogramBaseName, newLatencyHistogram, percentileOfSentUs, percentileUs, recordLatencies, spectrum, summarize, writeHistogramFiles } from './latency.js';
import { combineAccounts, describeCircumstances, describeLoss, type LossAccount } from './loss-account.js';
import { ZERO_COPY, type RunningResponder } from './responders.js';
import type { LossyRound, ResponderResult, WorkerGc } from './results.js';
import type { StageSummary } from './gateway-status.js';
import { accountedTrial, whileRunning, workerGcCount } from './turns.js';

/**
 * One packet every 25 us: fast enough to keep caches warm, slow enough that no queue forms.
 * A turn (warm-up and trial) stays well under 0.95 s of spinning: with ZEROTICK_T2T_REALTIME the
 * kernel throttles a SCHED_FIFO thread that runs longer in a second, a 50 ms stall.
 */
export const LATENCY_INTERVAL_NS = 25_000;
const resultsDirectory = path.join(benchDirectory, 'build', 'results');

export interface LatencySettings {
  rounds: number;
  packetsPerRound: number;
  warmUpPackets: number;
}

export interface LatencyRun {
  results: ResponderResult[];
  gc: WorkerGc;
}

export async function latencyRun(running: readonly RunningResponder[], settings: LatencySettings): Promise<LatencyRun> {
  const histograms = running.map(() => newLatencyHistogram());
  // The exchange's own lateness in the same trials: a floor under the responder's latency there.
  const sendLagHistograms = running.map(() => newLatencyHistogram());
  const roundHistogram = newLatencyHistogram();
  const totals = running.map(() => ({ lost: 0, sent: 0, priceMismatches: 0, spanNs: 0, roundP99s: [] as number[], account: undefined as LossAccount | undefined, lossyRounds: [] as LossyRound[] }));
  const gcBefore = await readGateways(running, (responder) => responder.resetStageLatency());
  for (let round = 0; round < settings.rounds; round++) {
    for (const [index, responder] of running.entries()) {
      const trial = await whileRunning(responder, async () => {
        await responder.exchange.trial(settings.warmUpPackets, LATENCY_INTERVAL_NS);
        return accountedTrial(responder, settings.packetsPerRound, LATENCY_INTERVAL_NS);
      });
      const total = totals[index]!;
      const account = trial.account;
      total.account = total.account === undefined ? account : combineAccounts(total.account, account);
      if (account.lost > 0) total.lossyRounds.push({ round: round + 1, account });
      total.lost += recordLatencies(histograms[index]!, trial.latencyNs);
      recordLatencies(sendLagHistograms[index]!, trial.sendLagNs);
      total.sent += trial.report.sent;
      total.priceMismatches += trial.report.priceMismatches;
      total.spanNs += trial.report.sent * trial.report.intervalNs;
      roundHistogram.reset();
      recordLatencies(roundHistogram, trial.latencyNs);
      total.roundP99s.push(percentileUs(roundHistogram, 99));
      const loss = account.lost === 0 ? '' : ` (${describeLoss(account)})`;
      logProgress(`t2t latency round ${round + 1}/${settings.rounds} ${responder.spec.name}: p50 ${percentileUs(roundHistogram, 50)} us, p99 ${percentileUs(roundHistogram, 99)} us, lost ${trial.report.lost}${loss}; ${describeCircumstances(account)}`);
    }
  }
  const ownTickToTrade: Array<StageSummary | undefined> = running.map(() => undefined);
  const gcAfter = await readGateways(running, async (responder, index) => {
    ownTickToTrade[index] = (await responder.stageLatency())?.tick_to_trade;
  });
  mkdirSync(resultsDirectory, { recursive: true });
  const results = running.map((responder, index): ResponderResult => {
    const histogram = histograms[index]!;
    const total = totals[index]!;
    const files = writeHistogramFiles(histogram, resultsDirectory, histogramBaseName(responder.spec.name), responder.spec.name);
    return {
      name: responder.spec.name,
      description: responder.spec.description,
      latency: {
        ...summarize(histogram),
        ordersPerSecond: Math.round((histogram.totalCount / total.spanNs) * 1e9),
        lost: total.lost,
        sent: total.sent,
        ofSent: { p99: percentileOfSentUs(histogram, 99, total.sent), p999: percentileOfSentUs(histogram, 99.9, total.sent) },
        priceMismatches: total.priceMismatches,
        roundP99s: total.roundP99s,
        lossAccount: total.account,
        lossyRounds: total.lossyRounds,
        sendLag: { p99: percentileUs(sendLagHistograms[index]!, 99), p999: percentileUs(sendLagHistograms[index]!, 99.9), max: percentileUs(sendLagHistograms[index]!, 100) },
        ...(responder.statusUrl === undefined ? {} : { workerGc: describeGc(gcBefore[index]!, gcAfter[index]!) }),
        ...(ownTickToTrade[index] === undefined ? {} : { ownTickToTrade: ownTickToTrade[index] }),
      },
      spectrum: histogram.totalCount === 0 ? undefined : spectrum(histogram),
      hgrmPath: path.relative(benchDirectory, files.hgrm),
      hlogPath: path.relative(benchDirectory, files.hlog),
    };
  });
  const zeroCopy = results.find((result) => result.name === ZERO_COPY);
  return { results, gc: zeroCopy?.latency?.workerGc ?? { runs: null, note: 'the zero-copy gateway did not run' } };
}

/**
 * Each gateway's worker GC count (null for the C reference) after `also` (before the rounds: its
 * stages forget the warm-ups; after them: its own tick-to-trade is read), one gateway thawed at a
 * time: two spinning workers thawed at once would share the measured core.
 */
async function readGateways(running: readonly RunningResponder[], also: (responder: RunningResponder, index: number) => Promise<void>): Promise<Array<number | null>> {
  const counts: Array<number | null> = [];
  for (const [index, responder] of running.entries()) {
    if (responder.statusUrl === undefined) {
      counts.push(null);
      continue;
    }
    counts.push(
      await whileRunning(responder, async () => {
        await also(responder, index);
        return workerGcCount(responder);
      }),
    );
  }
  return counts;
}

function describeGc(before: number | null, after: number | null): WorkerGc {
  if (before === null || after === null) return { runs: null, note: 'the gateway exposes no worker GC count (GET /status workerGcCount)' };
  return { runs: after - before, note: 'GET /status workerGcCount before and after the latency run (warm-ups included)' };
}
