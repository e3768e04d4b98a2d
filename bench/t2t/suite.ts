/**
 * The tick-to-trade suite: how long from a market data packet leaving the exchange to the order
 * it triggers arriving back, for a C reference responder and for zerotick over each of its
 * feed paths, all measured in one run against one independent C exchange (t2t_exchange, on the
 * load core), with coordinated omission corrected (latency counts from the packet's intended
 * send time).
 *
 * 1. Every responder is started once, with an exchange of its own, and frozen (SIGSTOP) until
 *    its turn: only the measured one spins on the measured core. Each then warms up on its own
 *    until it answers a whole trial in time: a gateway's hot loop runs slowly until V8's
 *    background compiler (on the busy load core, with the rest of the process) has optimised it.
 * 2. Latency run: rounds of (warm-up trial, measured trial) per responder, interleaved
 *    (A B C A B C ...), one packet every LATENCY_INTERVAL_NS; the measured trials of each
 *    responder go into one HdrHistogram.
 * 3. Throughput sweep: io/sweep.ts's interleaved rising ladder (and bisection) of packet rates;
 *    a rate is loss-free when every packet got its order within the drain time.
 * The zero-copy gateway's worker GC count is read from its GET /status around the latency run.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pinThreadToCpu } from '../../src/io/affinity.js';
import { logProgress } from '../lib/child.js';
import { benchDirectory } from '../lib/paths.js';
import { canPinToSeparateCores, LOAD_CPU, measurementNiceness, MEASURED_CPU } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';
import { SENDER_KEEPS_UP, sweepReceivers, type TrialOutcome } from '../io/sweep.js';
import { DRAIN_MS } from './exchange.js';
import { histogramBaseName, newLatencyHistogram, percentileUs, recordLatencies, spectrum, summarize, writeHistogramFiles } from './latency.js';
import { LEFT_OUT, renderT2tSection, SPECTRUM_SVG } from './report.js';
import { responderSpecs, RunningResponder, ZERO_COPY, type ResponderSpec } from './responders.js';
import type { ResponderResult, T2tSuiteResult, WorkerGc } from './results.js';
import { REALTIME } from './realtime.js';
import { renderSpectrumSvg } from './spectrum-svg.js';

interface Mode {
  rounds: number;
  packetsPerRound: number;
  warmUpPackets: number;
  /** Packets of each warm-up trial after start-up, and the most such trials a responder gets. */
  settlePackets: number;
  settleTrials: number;
  /** Packet rates of the sweep's ladder, per second. */
  sweepLadder: number[];
  sweepTrialMs: number;
  bisectionSteps: number;
}

/**
 * One packet every 25 us: fast enough to keep caches warm, slow enough that no queue forms.
 * A turn (warm-up and trial) stays well under 0.95 s of spinning: with ZEROTICK_T2T_REALTIME the
 * kernel throttles a SCHED_FIFO thread that runs longer in a second, a 50 ms stall.
 */
const LATENCY_INTERVAL_NS = 25_000;
const FULL: Mode = { rounds: 16, packetsPerRound: 24_000, warmUpPackets: 2_000, settlePackets: 24_000, settleTrials: 6, sweepLadder: [25_000, 50_000, 100_000, 200_000, 400_000, 800_000], sweepTrialMs: 500, bisectionSteps: 2 };
const QUICK: Mode = { rounds: 2, packetsPerRound: 8_000, warmUpPackets: 2_000, settlePackets: 12_000, settleTrials: 6, sweepLadder: [25_000, 50_000, 100_000, 200_000], sweepTrialMs: 150, bisectionSteps: 0 };
/** The gateway publishes its worker's GC count about once a second. */
const GC_COUNT_PUBLISH_WAIT_MS = 1_300;
const REALTIME_MIN_REST_MS = 60;
/** A gateway serves HTTP a moment after its order session is up. */
const STATUS_TIMEOUT_MS = 20_000;
const resultsDirectory = path.join(benchDirectory, 'build', 'results');

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

/**
 * Runs `work` with the responder thawed, and freezes it again whatever happens. SCHED_FIFO
 * spinners then rest a quarter of the time they ran: a thread that spins more than 0.95 s of a
 * second is throttled by the kernel until the next, which would stall every other trial.
 */
async function whileRunning<T>(responder: RunningResponder, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  responder.thaw();
  try {
    return await work();
  } finally {
    responder.freeze();
    if (REALTIME) await sleep(Math.max(REALTIME_MIN_REST_MS, (Date.now() - started) / 4));
  }
}

/** The gateway's GET /status, once it answers. */
async function gatewayStatus(statusUrl: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + STATUS_TIMEOUT_MS;
  for (;;) {
    const status = await fetch(statusUrl).then((response) => response.json() as Promise<Record<string, unknown>>, () => undefined);
    if (status !== undefined) return status;
    if (Date.now() > deadline) throw new Error(`bench t2t: ${statusUrl} did not answer within ${STATUS_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}

/** The gateway's worker GC count from GET /status, or null when it does not expose one. */
async function workerGcCount(responder: RunningResponder): Promise<number | null> {
  if (responder.statusUrl === undefined) return null;
  await sleep(GC_COUNT_PUBLISH_WAIT_MS);
  const count = (await gatewayStatus(responder.statusUrl)).workerGcCount;
  return typeof count === 'number' ? count : null;
}

/** What the gateway says it saw: where packets went missing when orders did. */
function describeGatewayCounts(status: Record<string, unknown>): string {
  const feeds = status.feeds as Array<{ packets: number; sourceDrops: number }> | undefined;
  const session = status.session as { state: string; reconnects: number } | undefined;
  return `; the gateway: ${status.packets} packets, ${feeds?.[0]?.sourceDrops ?? 0} dropped before it, ${status.packetsLost} lost to gaps, ${status.orders} orders, session ${session?.state} (${session?.reconnects} reconnects)`;
}

/** Each responder alone: its HTTP up (gateways), then warm-up trials until one loses nothing; nothing is recorded. */
async function settle(running: readonly RunningResponder[], mode: Mode): Promise<void> {
  for (const responder of running) {
    const statusUrl = responder.statusUrl;
    if (statusUrl !== undefined) await whileRunning(responder, () => gatewayStatus(statusUrl));
    for (let attempt = 1; attempt <= mode.settleTrials; attempt++) {
      const { report } = await whileRunning(responder, () => responder.exchange.trial(mode.settlePackets, LATENCY_INTERVAL_NS));
      const seen = statusUrl === undefined ? '' : describeGatewayCounts(await whileRunning(responder, () => gatewayStatus(statusUrl)));
      logProgress(`t2t warm-up ${attempt} ${responder.spec.name}: ${report.matched} of ${report.sent} answered in time${seen}`);
      if (report.lost === 0) break;
    }
  }
}

interface LatencyRun {
  results: ResponderResult[];
  gc: WorkerGc;
}

async function latencyRun(running: readonly RunningResponder[], mode: Mode): Promise<LatencyRun> {
  const histograms = running.map(() => newLatencyHistogram());
  const roundHistogram = newLatencyHistogram();
  const totals = running.map(() => ({ lost: 0, sent: 0, priceMismatches: 0, spanNs: 0, roundP99s: [] as number[] }));
  const zeroCopy = running.find((responder) => responder.spec.name === ZERO_COPY);
  const gcBefore = zeroCopy === undefined ? null : await whileRunning(zeroCopy, () => workerGcCount(zeroCopy));
  for (let round = 0; round < mode.rounds; round++) {
    for (const [index, responder] of running.entries()) {
      const trial = await whileRunning(responder, async () => {
        await responder.exchange.trial(mode.warmUpPackets, LATENCY_INTERVAL_NS);
        return responder.exchange.trial(mode.packetsPerRound, LATENCY_INTERVAL_NS);
      });
      const total = totals[index]!;
      total.lost += recordLatencies(histograms[index]!, trial.latencyNs);
      total.sent += trial.report.sent;
      total.priceMismatches += trial.report.priceMismatches;
      total.spanNs += trial.report.sent * trial.report.intervalNs;
      roundHistogram.reset();
      recordLatencies(roundHistogram, trial.latencyNs);
      total.roundP99s.push(percentileUs(roundHistogram, 99));
      logProgress(`t2t latency round ${round + 1}/${mode.rounds} ${responder.spec.name}: p50 ${percentileUs(roundHistogram, 50)} us, p99 ${percentileUs(roundHistogram, 99)} us, lost ${trial.report.lost}`);
    }
  }
  const gcAfter = zeroCopy === undefined ? null : await whileRunning(zeroCopy, () => workerGcCount(zeroCopy));
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
        priceMismatches: total.priceMismatches,
        roundP99s: total.roundP99s,
      },
      spectrum: histogram.totalCount === 0 ? undefined : spectrum(histogram),
      hgrmPath: path.relative(benchDirectory, files.hgrm),
      hlogPath: path.relative(benchDirectory, files.hlog),
    };
  });
  return { results, gc: describeGc(zeroCopy !== undefined, gcBefore, gcAfter) };
}

function describeGc(zeroCopyRan: boolean, before: number | null, after: number | null): WorkerGc {
  if (!zeroCopyRan) return { runs: null, note: 'the zero-copy gateway did not run' };
  if (before === null || after === null) return { runs: null, note: 'the gateway exposes no worker GC count (GET /status workerGcCount)' };
  return { runs: after - before, note: 'GET /status workerGcCount before and after the latency run (warm-ups included)' };
}

async function throughputSweep(running: readonly RunningResponder[], mode: Mode): Promise<T2tSuiteResult['sweeps']> {
  const byName = new Map(running.map((responder) => [responder.spec.name, responder]));
  const trial = async (name: string, rate: number): Promise<TrialOutcome> => {
    const responder = byName.get(name)!;
    const count = Math.max(1, Math.round((rate * mode.sweepTrialMs) / 1000));
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
  return sweepReceivers([...byName.keys()], { ladder: mode.sweepLadder, bisectionSteps: mode.bisectionSteps, alwaysAtLadder: new Set() }, trial);
}

function describePinning(): string {
  const pinned = canPinToSeparateCores()
    ? `responders' hot path on CPU ${MEASURED_CPU} (the C responder pinned, the gateways' workers with --cpu, their main threads on CPU ${LOAD_CPU}); the exchanges on CPU ${LOAD_CPU}`
    : 'not pinned (taskset or a second core missing)';
  const priority = REALTIME ? ', the exchanges and the hot paths SCHED_FIFO (ZEROTICK_T2T_REALTIME=1, standing in for isolated cores)' : measurementNiceness() === 0 ? '' : `, all at nice ${measurementNiceness()}`;
  return `${pinned}${priority}`;
}

async function run(quick: boolean): Promise<T2tSuiteResult> {
  const started = Date.now();
  buildCHelpers();
  const mode = quick ? QUICK : FULL;
  // This process off the measured core: between its awaits it would land beside the spinning responder.
  if (canPinToSeparateCores()) pinThreadToCpu(LOAD_CPU);
  const { running, unavailable } = await startResponders();
  try {
    await settle(running, mode);
    const latency = await latencyRun(running, mode);
    const sweeps = await throughputSweep(running, mode);
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
      rounds: mode.rounds,
      packetsPerRound: mode.packetsPerRound,
      warmUpPackets: mode.warmUpPackets,
      latencyIntervalNs: LATENCY_INTERVAL_NS,
      sweepLadder: mode.sweepLadder,
      sweepTrialMs: mode.sweepTrialMs,
      drainMs: DRAIN_MS,
      pinning: describePinning(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    await Promise.all(running.map((responder) => responder.stop()));
  }
}

export const t2tSuite: Suite<T2tSuiteResult> = { name: 't2t', title: 'Tick-to-trade', run, render: renderT2tSection };
