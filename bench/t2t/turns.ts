/**
 * A responder's turn: thawed for the work, frozen again after it, and what a gateway says about
 * itself on GET /status meanwhile. Every phase of the suite goes through these.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { logProgress } from '../lib/child.js';
import type { Trial } from './exchange.js';
import { gatewayStatus } from './gateway-status.js';
import { accountTrial, type LossAccount } from './loss-account.js';
import { REALTIME } from './realtime.js';
import type { RunningResponder } from './responders.js';

const REALTIME_MIN_REST_MS = 60;
/** The gateway publishes its worker's GC count about once a second. */
const GC_COUNT_PUBLISH_WAIT_MS = 1_300;

export interface SettleSettings {
  /** Packets of each warm-up trial, and the most such trials a responder gets. */
  packets: number;
  trials: number;
  /**
   * The fewest: a gateway's code that runs on a fraction of the packets (the latency breakdown,
   * on every 16th) is optimised by V8 only after some 50k packets, each function in a 1-7 ms
   * stall of the worker; left to the first latency round, that round's p99 was 0.4-1.1 ms.
   */
  minTrials: number;
  /**
   * Then a quiet spell this long, frozen, and the warm-up again: a gateway's first turn after
   * one (every round's turn comes after the others') reads the exchange's heartbeats, a path the
   * back-to-back warm-up never took. V8 compiled the order session's dispatch without it, so that
   * turn deoptimised it and ran it unoptimised for some 0.6 s, then stalled 5-8 ms recompiling
   * (first round's zero-copy p99: 1 ms). 0: none.
   */
  quietSpellMs: number;
  intervalNs: number;
}

/**
 * Runs `work` with the responder thawed, and freezes it again whatever happens. SCHED_FIFO
 * spinners then rest a quarter of the time they ran: a thread that spins more than 0.95 s of a
 * second is throttled by the kernel until the next, which would stall every other trial.
 */
export async function whileRunning<T>(responder: RunningResponder, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  responder.thaw();
  try {
    return await work();
  } finally {
    await responder.freeze();
    if (REALTIME) await sleep(Math.max(REALTIME_MIN_REST_MS, (Date.now() - started) / 4));
  }
}

export interface AccountedTrial extends Trial {
  account: LossAccount;
}

/** One trial of a thawed responder, with where its lost packets went (its counters read around it). */
export async function accountedTrial(responder: RunningResponder, count: number, intervalNs: number): Promise<AccountedTrial> {
  const before = await responder.counters();
  const trial = await responder.exchange.trial(count, intervalNs);
  return { ...trial, account: accountTrial(trial, before, await responder.counters()) };
}

/** The gateway's worker GC count from GET /status, or null when it does not expose one. */
export async function workerGcCount(responder: RunningResponder): Promise<number | null> {
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

/**
 * Each responder alone: its HTTP up (gateways), then warm-up trials until one loses nothing,
 * minTrials at least, and again after the quiet spell; nothing is recorded.
 */
export async function settle(running: readonly RunningResponder[], settings: SettleSettings): Promise<void> {
  for (const responder of running) {
    const statusUrl = responder.statusUrl;
    if (statusUrl !== undefined) await whileRunning(responder, () => gatewayStatus(statusUrl));
    await warmUp(responder, settings);
    if (settings.quietSpellMs === 0) continue;
    await sleep(settings.quietSpellMs);
    await warmUp(responder, settings);
  }
}

async function warmUp(responder: RunningResponder, settings: SettleSettings): Promise<void> {
  const statusUrl = responder.statusUrl;
  for (let attempt = 1; attempt <= settings.trials; attempt++) {
    const { report } = await whileRunning(responder, () => responder.exchange.trial(settings.packets, settings.intervalNs));
    const seen = statusUrl === undefined ? '' : describeGatewayCounts(await whileRunning(responder, () => gatewayStatus(statusUrl)));
    logProgress(`t2t warm-up ${attempt} ${responder.spec.name}: ${report.matched} of ${report.sent} answered in time${seen}`);
    if (report.lost === 0 && attempt >= settings.minTrials) break;
  }
}
