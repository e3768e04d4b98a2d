/**
 * Before/after of a change to the zero-copy gateway, in one interleaved run: the C reference,
 * this checkout's zero-copy gateway and another checkout's (e.g. `git worktree add /tmp/before
 * HEAD~3`, with its native library built), measured exactly as the t2t suite measures them
 * (latency rounds, then the throughput sweep). Prints the figures; writes nothing to RESULTS.md.
 *
 *   npx tsx bench/t2t/compare-checkouts.ts /tmp/before [rounds] [packetsPerRound]
 */
import { randomUUID } from 'node:crypto';
import { TOKEN_ENVIRONMENT_VARIABLE } from '../../src/http/bearer-token.js';
import { LOAD_CPU, MEASURED_CPU, pinHarnessTo } from '../lib/pinning.js';
import { LATENCY_INTERVAL_NS, latencyRun } from './latency-run.js';
import { shieldCpu } from './realtime.js';
import { C_REFERENCE, responderSpecs, RunningResponder, ZERO_COPY, type ResponderSpec } from './responders.js';
import { throughputSweep } from './sweep-run.js';
import { settle, whileRunning } from './turns.js';

const [baseline, rounds = '6', packetsPerRound = '20000'] = process.argv.slice(2);
if (baseline === undefined) throw new Error('usage: compare-checkouts.ts <baseline checkout> [rounds] [packetsPerRound]');

/** The gateways' control routes take this token: their latency is reset once they are warm. */
const controlToken = randomUUID();
process.env[TOKEN_ENVIRONMENT_VARIABLE] = controlToken;

/** Forgets what the gateway's stages recorded so far (POST /latency/reset). */
async function resetStages(responder: RunningResponder): Promise<void> {
  const url = responder.statusUrl!.replace(/status$/, 'latency/reset');
  const reply = await whileRunning(responder, () => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${controlToken}` } }));
  if (!reply.ok) throw new Error(`${responder.spec.name}: POST /latency/reset answered ${reply.status}`);
}

/**
 * The gateway's own per-stage medians over the latency run (GET /latency, us): where its time
 * goes; and its tick-to-trade tail, which shows the worker's own stalls apart from the
 * exchange's (the exchange's send lag counts in the run's figures, not here).
 */
async function stageFigures(responder: RunningResponder): Promise<string> {
  type Summary = { p50: number; p99: number; p999: number; p9999: number; max: number };
  const stages = await whileRunning(responder, async () => (await fetch(responder.statusUrl!.replace(/status$/, 'latency'))).json() as Promise<Record<string, Summary>>);
  const medians = Object.entries(stages).map(([stage, summary]) => `${stage} ${summary.p50}`).join(', ');
  const tail = stages.tick_to_trade;
  return `${medians}; tick_to_trade p99 ${tail?.p99}, p99.9 ${tail?.p999}, p99.99 ${tail?.p9999}, max ${tail?.max}`;
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
  for (const responder of running) if (responder.statusUrl !== undefined) await resetStages(responder);
  const latency = await latencyRun(running, { rounds: Number(rounds), packetsPerRound: Number(packetsPerRound), warmUpPackets: 2_000 });
  for (const responder of running) if (responder.statusUrl !== undefined) console.log(`${responder.spec.name}: ${await stageFigures(responder)}`);
  const sweeps = await throughputSweep(running, { ladder: [25_000, 50_000, 100_000, 200_000, 400_000], trialMs: 300, bisectionSteps: 3, attempts: 3 });
  const reference = sweeps.find((sweep) => sweep.receiver === C_REFERENCE)?.lossFreeRate ?? Number.NaN;
  for (const { name, latency: figures } of latency.results) {
    const sweep = sweeps.find((candidate) => candidate.receiver === name);
    const rate = sweep?.lossFreeRate ?? Number.NaN;
    const gc = figures!.workerGc === undefined ? '' : `; worker GC runs ${figures!.workerGc.runs ?? figures!.workerGc.note}`;
    console.log(
      `${name}: p50 ${figures!.p50} us, p99 ${figures!.p99} us, p99.9 ${figures!.p999} us, lost ${figures!.lost}/${figures!.sent}; ` +
        `loss-free ${Math.round(rate / 1000)} k/s (${(rate / reference).toFixed(2)}x C)${gc}`,
    );
  }
} finally {
  await Promise.all(running.map((responder) => responder.stop()));
  unshield();
}
