/**
 * Reads the shared counters into the JSON shape `GET /status` serves. Cold path: called per
 * request or per summary line, never per packet.
 */
import type { GatewayCounters } from './counters.js';
import {
  BOOK_UPDATES,
  CANCELS,
  DROP_REASONS,
  DUPLICATES,
  EXECUTION_REPORTS,
  FEED_BYTES,
  FEED_LAST_RECEIVE_NANOS,
  FEED_PACKETS,
  FEED_SOURCE_DROPS,
  FEED_UP,
  FILLS,
  GAPS,
  KILL_SWITCH,
  LATE_PACKETS,
  MESSAGES,
  OPEN_ORDERS,
  ORDERS,
  PACKETS,
  PACKETS_LOST,
  REJECTS,
  REJECT_REASON_NAMES,
  REPLACES,
  SESSION_RECONNECTS,
  SESSION_STATE,
  SESSION_STATE_NAMES,
  STRATEGY_ERRORS,
  STRATEGY_ERRORS_SLOT,
  STRATEGY_EXECUTION_REPORTS,
  STRATEGY_FILLS,
  STRATEGY_MESSAGES,
  STRATEGY_ORDERS,
  STRATEGY_REJECTS,
  STRATEGY_RESTARTS,
  STRATEGY_STATE,
  STRATEGY_STATE_NAMES,
  WORKER_GC_COUNT,
  WORKER_HEARTBEAT_NANOS,
  WORKER_STATE,
  WORKER_STATE_NAMES,
  dropSlot,
  rejectSlot,
} from './counters-layout.js';
import type { LatencySummary } from './latency-histogram.js';

export interface FeedStatus {
  url: string;
  up: boolean;
  packets: number;
  bytes: number;
  sourceDrops: number;
  lastReceiveNanos: number;
}

export interface StrategyStatus {
  name: string;
  path: string;
  state: string;
  messages: number;
  orders: number;
  executionReports: number;
  fills: number;
  rejects: number;
  errors: number;
  restarts: number;
}

export interface GatewayStatus {
  worker: string;
  /** Milliseconds since the worker's loop last published: it grows while the loop is stuck. */
  workerHeartbeatAgeMs: number;
  /** Garbage collections of the hot-path worker's heap since it started (0 on an allocation-free hot path). */
  workerGcCount: number;
  packets: number;
  messages: number;
  bookUpdates: number;
  gaps: number;
  packetsLost: number;
  duplicates: number;
  latePackets: number;
  drops: Record<string, number>;
  orders: number;
  cancels: number;
  replaces: number;
  executionReports: number;
  fills: number;
  rejects: number;
  rejectsByReason: Record<string, number>;
  strategyErrors: number;
  session: { exchange: string; state: string; reconnects: number };
  risk: { killSwitch: boolean; openOrders: number };
  feeds: FeedStatus[];
  strategies: StrategyStatus[];
  tickToTrade: LatencySummary;
}

/** What the counters cannot say by themselves: what each feed and strategy slot is. */
export interface GatewayTopology {
  exchange: string;
  feeds: readonly string[];
  strategies: readonly { name: string; path: string }[];
}

/** @param monotonicNowNanos CLOCK_MONOTONIC now, to age the worker's heartbeat (same clock as the worker's). */
export function readGatewayStatus(counters: GatewayCounters, topology: GatewayTopology, tickToTrade: LatencySummary, monotonicNowNanos: number): GatewayStatus {
  const get = (slot: number): number => counters.get(slot);
  const heartbeat = get(WORKER_HEARTBEAT_NANOS);
  return {
    worker: WORKER_STATE_NAMES[get(WORKER_STATE)] ?? 'unknown',
    workerHeartbeatAgeMs: heartbeat === 0 ? 0 : Math.max(0, Math.round((monotonicNowNanos - heartbeat) / 1e6)),
    workerGcCount: get(WORKER_GC_COUNT),
    packets: get(PACKETS),
    messages: get(MESSAGES),
    bookUpdates: get(BOOK_UPDATES),
    gaps: get(GAPS),
    packetsLost: get(PACKETS_LOST),
    duplicates: get(DUPLICATES),
    latePackets: get(LATE_PACKETS),
    drops: Object.fromEntries(DROP_REASONS.map((reason, index) => [reason, get(dropSlot(index))])),
    orders: get(ORDERS),
    cancels: get(CANCELS),
    replaces: get(REPLACES),
    executionReports: get(EXECUTION_REPORTS),
    fills: get(FILLS),
    rejects: get(REJECTS),
    rejectsByReason: Object.fromEntries(
      REJECT_REASON_NAMES.slice(1).map((reason, index) => [reason, get(rejectSlot(index + 1))]),
    ),
    strategyErrors: get(STRATEGY_ERRORS),
    session: {
      exchange: topology.exchange,
      state: SESSION_STATE_NAMES[get(SESSION_STATE)] ?? 'unknown',
      reconnects: get(SESSION_RECONNECTS),
    },
    risk: { killSwitch: get(KILL_SWITCH) === 1, openOrders: get(OPEN_ORDERS) },
    feeds: topology.feeds.map((url, feed) => ({
      url,
      up: counters.feed(feed, FEED_UP) === 1,
      packets: counters.feed(feed, FEED_PACKETS),
      bytes: counters.feed(feed, FEED_BYTES),
      sourceDrops: counters.feed(feed, FEED_SOURCE_DROPS),
      lastReceiveNanos: counters.feed(feed, FEED_LAST_RECEIVE_NANOS),
    })),
    strategies: topology.strategies.map(({ name, path }, strategy) => ({
      name,
      path,
      state: STRATEGY_STATE_NAMES[counters.strategy(strategy, STRATEGY_STATE)] ?? 'unknown',
      messages: counters.strategy(strategy, STRATEGY_MESSAGES),
      orders: counters.strategy(strategy, STRATEGY_ORDERS),
      executionReports: counters.strategy(strategy, STRATEGY_EXECUTION_REPORTS),
      fills: counters.strategy(strategy, STRATEGY_FILLS),
      rejects: counters.strategy(strategy, STRATEGY_REJECTS),
      errors: counters.strategy(strategy, STRATEGY_ERRORS_SLOT),
      restarts: counters.strategy(strategy, STRATEGY_RESTARTS),
    })),
    tickToTrade,
  };
}
