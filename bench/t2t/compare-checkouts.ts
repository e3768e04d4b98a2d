/**
 * Before/after of a change to the zero-copy gateway, in one interleaved run: the C reference,
 * this checkout's zero-copy gateway and another checkout's (e.g. `git worktree add /tmp/before
 * HEAD~3`, with its native library built), measured exactly as the t2t suite measures them
 * (latency rounds, then the throughput sweep). Prints the figures; writes nothing to RESULTS.md.
 *
 *   npx tsx bench/t2t/compare-checkouts.ts /tmp/before [rounds] [packetsPerRound]
 */
import { LOAD_CPU, MEASURED_CPU, pinHarnessTo } from '../lib/pinning.js';
import { LATENCY_INTERVAL_NS, latencyRun } from './latency-run.js';
import { shieldCpu } from './realtime.js';
import { C_REFERENCE, responderSpecs, RunningResponder, ZERO_COPY, type ResponderSpec } from './responders.js';
import { throughputSweep } from './sweep-run.js';
import { settle, whileRunning } from './turns.js';

const [baseline, rounds = '6', packetsPerRound = '20000'] = process.argv.slice(2);
if (baseline === undefined) throw new Error('usage: compare-checkouts.ts <baseline checkout> [rounds] [packetsPerRound]');

/**
 * The gateway's own per-stage medians over the latency run (GET /latency, us; the suite has reset
 * them after the warm-ups): where its time goes. Its tick-to-trade tail is in the run's figures.
 */
async function stageMedians(responder: RunningResponder): Promise<string> {
  const stages = (await whileRunning(responder, () => responder.stageLatency()))!;
  return Object.entries(stages).map(([stage, summary]) => `${stage} ${summary.p50}`).join(', ');
}

const specOf = (name: string): ResponderSpec => responderSpecs.find((spec) => spec.name === name)!;
const specs: ResponderSpec[] = [
  specOf(C_REFERENCE),
  specOf(ZERO_COPY),
  { ...specOf(ZERO_COPY), name: `${ZERO_COPY} (${baseline})`, checkout: baseline },
];

pinHarnessTo(LOAD_CPU);
// as the suite measures: in realtime mode, the machine's movable threads off the measured core
const unshield = shieldCpu(MEASURED_CPU, String(LOAD_CPU));
const running: RunningResponder[] = [];
try {
  for (const spec of specs) running.push(await RunningResponder.start(spec));
  await settle(running, { packets: 24_000, minTrials: 5, trials: 8, quietSpellMs: 2_500, intervalNs: LATENCY_INTERVAL_NS });
  const latency = await latencyRun(running, { rounds: Number(rounds), packetsPerRound: Number(packetsPerRound), warmUpPackets: 2_000 });
  for (const responder of running) if (responder.statusUrl !== undefined) console.log(`${responder.spec.name}: stage medians ${await stageMedians(responder)}`);
  const sweeps = await throughputSweep(running, { ladder: [25_000, 50_000, 100_000, 200_000, 400_000], trialMs: 300, bisectionSteps: 3, attempts: 3 });
  const reference = sweeps.find((sweep) => sweep.receiver === C_REFERENCE)?.lossFreeRate ?? Number.NaN;
  for (const { name, latency: figures } of latency.results) {
    const sweep = sweeps.find((candidate) => candidate.receiver === name);
    const rate = sweep?.lossFreeRate ?? Number.NaN;
    const gc = figures!.workerGc === undefined ? '' : `; worker GC runs ${figures!.workerGc.runs ?? figures!.workerGc.note}`;
    const own = figures!.ownTickToTrade;
    const ownTail = own === undefined ? '' : `; own tick_to_trade p99 ${own.p99}, p99.9 ${own.p999}, p99.99 ${own.p9999}, max ${own.max}`;
    console.log(
      `${name}: p50 ${figures!.p50} us, p99 ${figures!.p99} us, p99.9 ${figures!.p999} us, lost ${figures!.lost}/${figures!.sent}; ` +
        `loss-free ${Math.round(rate / 1000)} k/s (${(rate / reference).toFixed(2)}x C)${gc}${ownTail}`,
    );
  }
} finally {
  await Promise.all(running.map((responder) => responder.stop()));
  unshield();
}
