/**
 * The tick-to-trade suite: how long from a market data packet leaving the exchange to the order
 * it triggers arriving back, for a C reference responder and for zerotick over each of its
 * feed paths, all measured in one run against independent C exchanges (t2t_exchange, on the
 * load core), with coordinated omission corrected (latency counts from the packet's intended
 * send time).
 *
 * 1. Every responder is started once, with an exchange of its own, and frozen (SIGSTOP) until
 *    its turn: only the measured one spins on the measured core (responders.ts).
 * 2. Each warms up on its own until it answers a whole trial in time: a gateway's hot loop runs
 *    slowly until V8's background compiler (on the busy load core) has optimised it (turns.ts).
 * 3. The latency run, interleaved rounds (latency-run.ts), then the throughput sweep (sweep-run.ts).
 * 4. The spectrum chart and the section (report.ts) from what they measured.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { logProgress } from '../lib/child.js';
import { benchDirectory } from '../lib/paths.js';
import { canPinToSeparateCores, LOAD_CPU, measurementNiceness, MEASURED_CPU, pinHarnessTo } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';
import { DRAIN_MS, exchangeNiceness } from './exchange.js';
import { LATENCY_INTERVAL_NS, latencyRun, type LatencySettings } from './latency-run.js';
import { REALTIME, shieldCpu } from './realtime.js';
import { LEFT_OUT, renderT2tSection, SPECTRUM_SVG } from './report.js';
import { responderSpecs, RunningResponder, type ResponderSpec } from './responders.js';
import type { ResponderResult, T2tSuiteResult } from './results.js';
import { renderSpectrumSvg } from './spectrum-svg.js';
import { throughputSweep, type SweepSettings } from './sweep-run.js';
import { settle, type SettleSettings } from './turns.js';

interface Mode {
  latency: LatencySettings;
  settle: SettleSettings;
  sweep: SweepSettings;
}

const FULL: Mode = {
  /**
   * 24 rounds: p99.9 is the 576th worst of 576,000 packets. On this machine it is decided by
   * stalls of about 1 ms that hit either core, a thread spinning at SCHED_FIFO included (0.9 ms
   * on a 100 ms grid; one traced: a TIMER softirq of 0.7 ms; now and then a 7 ms conntrack
   * gc_worker). Some 40 packets are late for each, and they fall in one responder's turns or
   * another's by chance: in 10-round runs, 4 to 6 of each responder's rounds had one.
   */
  latency: { rounds: 24, packetsPerRound: 24_000, warmUpPackets: 2_000 },
  settle: { packets: 24_000, minTrials: 5, trials: 8, quietSpellMs: 2_500, intervalNs: LATENCY_INTERVAL_NS },
  sweep: { ladder: [25_000, 50_000, 100_000, 200_000, 400_000, 800_000], trialMs: 400, bisectionSteps: 4, attempts: 3 },
};
const QUICK: Mode = {
  latency: { rounds: 2, packetsPerRound: 8_000, warmUpPackets: 2_000 },
  settle: { packets: 8_000, minTrials: 1, trials: 4, quietSpellMs: 0, intervalNs: LATENCY_INTERVAL_NS },
  sweep: { ladder: [25_000, 100_000, 200_000], trialMs: 150, bisectionSteps: 0, attempts: 2 },
};

function buildCHelpers(): void {
  const make = spawnSync('make', ['-s', '-C', benchDirectory, 'build/t2t_exchange', 'build/t2t_responder'], { stdio: 'inherit' });
  if (make.status !== 0) throw new Error('bench/t2t: building the C exchange and responder failed (make -C bench; needs gcc and make)');
}

/**
 * ZEROTICK_T2T_RESPONDERS="C reference,zerotick SPSC ring" measures only those (to look into one
 * responder without waiting for all); the others are reported as not run.
 */
function selectedSpecs(): readonly ResponderSpec[] {
  const only = process.env.ZEROTICK_T2T_RESPONDERS?.split(',').map((name) => name.trim());
  return only === undefined ? responderSpecs : responderSpecs.filter((spec) => only.includes(spec.name));
}

async function startResponders(): Promise<{ running: RunningResponder[]; unavailable: Map<string, string> }> {
  const specs = selectedSpecs();
  const started = await Promise.allSettled(specs.map((spec) => RunningResponder.start(spec)));
  const running: RunningResponder[] = [];
  const unavailable = new Map<string, string>();
  started.forEach((outcome, index) => {
    const name = specs[index]!.name;
    if (outcome.status === 'fulfilled') running.push(outcome.value);
    else unavailable.set(name, outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason));
  });
  for (const [name, reason] of unavailable) logProgress(`t2t: ${name} not available: ${reason}`);
  return { running, unavailable };
}

function describePinning(): string {
  const pinned = canPinToSeparateCores()
    ? `responders' hot path on CPU ${MEASURED_CPU} (the C responder pinned, the gateways' workers with --cpu, their other threads on CPU ${LOAD_CPU} at SCHED_IDLE, standing in for a housekeeping core); the exchanges on CPU ${LOAD_CPU}`
    : 'not pinned (taskset or a second core missing)';
  if (REALTIME) return `${pinned}, the hot paths and the exchanges SCHED_FIFO, every other thread that may move (and the unbound workqueues) off CPU ${MEASURED_CPU} (ZEROTICK_T2T_REALTIME=1, standing in for isolated cores)`;
  const priority = measurementNiceness() === 0 ? '' : `, the responders at nice ${measurementNiceness()}`;
  const exchange = exchangeNiceness() === 0 ? '' : `, the exchanges at nice ${exchangeNiceness()} (the load generator stands for the outside world: the gateways' threads on its core must not slow it)`;
  return `${pinned}${priority}${exchange}`;
}

async function run(quick: boolean): Promise<T2tSuiteResult> {
  const started = Date.now();
  buildCHelpers();
  const mode = quick ? QUICK : FULL;
  // This process off the measured core: between its awaits it would land beside the spinning responder.
  pinHarnessTo(LOAD_CPU);
  const unshield = shieldCpu(MEASURED_CPU, String(LOAD_CPU));
  const { running, unavailable } = await startResponders().catch((error: unknown) => {
    unshield();
    throw error;
  });
  try {
    await settle(running, mode.settle);
    const latency = await latencyRun(running, mode.latency);
    const sweeps = await throughputSweep(running, mode.sweep);
    const responders = responderSpecs.map(
      (spec): ResponderResult =>
        latency.results.find((result) => result.name === spec.name) ??
        { name: spec.name, description: spec.description, unavailable: unavailable.get(spec.name) ?? LEFT_OUT },
    );
    const svg = renderSpectrumSvg(
      `Tick-to-trade percentile spectrum, one packet every ${LATENCY_INTERVAL_NS / 1000} us${quick ? ' (quick run)' : ''}`,
      responders.flatMap((responder) => (responder.spectrum === undefined ? [] : [{ name: responder.name, points: responder.spectrum }])),
    );
    writeFileSync(path.join(benchDirectory, SPECTRUM_SVG), svg);
    return {
      responders,
      sweeps,
      zeroCopyWorkerGc: latency.gc,
      rounds: mode.latency.rounds,
      packetsPerRound: mode.latency.packetsPerRound,
      warmUpPackets: mode.latency.warmUpPackets,
      settle: { packets: mode.settle.packets, minTrials: mode.settle.minTrials, quietSpellMs: mode.settle.quietSpellMs },
      latencyIntervalNs: LATENCY_INTERVAL_NS,
      sweepLadder: mode.sweep.ladder,
      sweepTrialMs: mode.sweep.trialMs,
      sweepAttempts: mode.sweep.attempts,
      drainMs: DRAIN_MS,
      pinning: describePinning(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(running.map((responder) => responder.stop()));
    unshield();
  }
}

export const t2tSuite: Suite<T2tSuiteResult> = { name: 't2t', title: 'Tick-to-trade', run, render: renderT2tSection };
