/**
 * Layout of the gateway's counters: one SharedArrayBuffer of float64 slots that the hot-path
 * worker writes and the control plane (HTTP, the live summary) reads, with no message per
 * packet. Every slot index used anywhere is named here.
 *
 *   slot 0                 FEED_BLOCK_OFFSET          STRATEGY_BLOCK_OFFSET        COUNTER_SLOT_COUNT
 *   +----------------------+--------------------------+----------------------------+
 *   | gateway (64 slots)   | MAX_FEEDS x FEED_SLOTS   | MAX_STRATEGIES x           |
 *   |                      | (8 feeds x 8 slots)      | STRATEGY_SLOTS (16 x 8)    |
 *   +----------------------+--------------------------+----------------------------+
 *
 * Why float64: counts pass 2^32 on a busy feed and a float64 is exact to 2^53; JS has no
 * atomic 64-bit integer store without a BigInt (an allocation). There is a single writer (the
 * worker), and aligned 8-byte stores do not tear on x86-64 or arm64, so a reader sees either
 * the old or the new value of a slot; slots are not a consistent snapshot of one another.
 *
 * Gauges (states, open orders, timestamps) live in the same slots: the writer stores, never adds.
 */

import { BAD_INPUT_REASONS } from '../feed/feed-counters.js';
import { REJECT_REASON_NAMES } from '../order/order-reject.js';

/** Bytes per slot. */
export const SLOT_LENGTH = Float64Array.BYTES_PER_ELEMENT;

// Gateway block: whole-gateway counters and gauges.
export const PACKETS = 0;
export const MESSAGES = 1;
export const GAPS = 2;
/** MsgSeqNums declared lost (sum of the gaps' lengths). */
export const PACKETS_LOST = 3;
/** A/B arbitration: second copies dropped. */
export const DUPLICATES = 4;
/** Copies that arrived after their sequence number had been declared lost or passed. */
export const LATE_PACKETS = 5;
export const ORDERS = 6;
export const CANCELS = 7;
export const REPLACES = 8;
export const EXECUTION_REPORTS = 9;
export const FILLS = 10;
export const REJECTS = 11;
export const STRATEGY_ERRORS = 12;
export const SESSION_RECONNECTS = 13;
/** Gauge: SESSION_STATE_* below. */
export const SESSION_STATE = 14;
/** Gauge: 1 when the kill switch blocks new orders. */
export const KILL_SWITCH = 15;
/** Gauge: orders sent and not yet done. */
export const OPEN_ORDERS = 16;
/** Gauge: CLOCK_MONOTONIC ns of the worker's last loop pass: a stalled worker stops moving it. */
export const WORKER_HEARTBEAT_NANOS = 17;
/** Gauge: WORKER_STATE_* below. */
export const WORKER_STATE = 18;
export const BOOK_UPDATES = 19;
/** Gauge: garbage collections of the hot-path worker's heap since it started (worker-gc-count.ts). */
export const WORKER_GC_COUNT = 20;
/** Datagrams dropped, one slot per DROP_REASONS entry. */
export const DROPS_OFFSET = 24;
/** Orders refused, one slot per RejectReason value (slot 0 unused). */
export const REJECTS_BY_REASON_OFFSET = 40;
export const GATEWAY_SLOTS = 64;

/** Why a datagram or message was skipped: the feed handler's reasons. Index = slot offset from DROPS_OFFSET. */
export const DROP_REASONS = BAD_INPUT_REASONS;

/** Names of RejectReason values by value (the order path's list; 0 is none): one slot each from REJECTS_BY_REASON_OFFSET. */
export { REJECT_REASON_NAMES };

// Per feed (line A, line B, more channels): FEED_BLOCK_OFFSET + feed * FEED_SLOTS + slot.
export const FEED_BLOCK_OFFSET = GATEWAY_SLOTS;
export const MAX_FEEDS = 8;
export const FEED_SLOTS = 8;
export const FEED_PACKETS = 0;
export const FEED_BYTES = 1;
/** Datagrams the kernel or the source dropped before we saw them (gauge: the source's total). */
export const FEED_SOURCE_DROPS = 2;
/** Gauge: CLOCK_REALTIME ns of the last datagram received. */
export const FEED_LAST_RECEIVE_NANOS = 3;
/** Gauge: 1 while the source is open. */
export const FEED_UP = 4;

// Per strategy: STRATEGY_BLOCK_OFFSET + strategy * STRATEGY_SLOTS + slot.
export const STRATEGY_BLOCK_OFFSET = FEED_BLOCK_OFFSET + MAX_FEEDS * FEED_SLOTS;
export const MAX_STRATEGIES = 16;
export const STRATEGY_SLOTS = 8;
export const STRATEGY_MESSAGES = 0;
export const STRATEGY_ORDERS = 1;
export const STRATEGY_FILLS = 2;
export const STRATEGY_REJECTS = 3;
export const STRATEGY_ERRORS_SLOT = 4;
export const STRATEGY_RESTARTS = 5;
/** Gauge: STRATEGY_STATE_* below. */
export const STRATEGY_STATE = 6;
export const STRATEGY_EXECUTION_REPORTS = 7;

export const COUNTER_SLOT_COUNT = STRATEGY_BLOCK_OFFSET + MAX_STRATEGIES * STRATEGY_SLOTS;
export const COUNTERS_BYTE_LENGTH = COUNTER_SLOT_COUNT * SLOT_LENGTH;

export const SESSION_STATE_DOWN = 0;
export const SESSION_STATE_CONNECTING = 1;
export const SESSION_STATE_ESTABLISHED = 2;
export const SESSION_STATE_NAMES = ['down', 'connecting', 'established'] as const;

export const WORKER_STATE_STARTING = 0;
export const WORKER_STATE_RUNNING = 1;
export const WORKER_STATE_STOPPING = 2;
export const WORKER_STATE_STOPPED = 3;
export const WORKER_STATE_NAMES = ['starting', 'running', 'stopping', 'stopped'] as const;

export const STRATEGY_STATE_LOADED = 0;
export const STRATEGY_STATE_RUNNING = 1;
export const STRATEGY_STATE_STOPPED = 2;
/** Stopped because a handler threw (onError 'stop', or 'restart' with no restarts left). */
export const STRATEGY_STATE_FAILED = 3;
export const STRATEGY_STATE_NAMES = ['loaded', 'running', 'stopped', 'failed'] as const;

export function feedSlot(feed: number, slot: number): number {
  return FEED_BLOCK_OFFSET + feed * FEED_SLOTS + slot;
}

export function strategySlot(strategy: number, slot: number): number {
  return STRATEGY_BLOCK_OFFSET + strategy * STRATEGY_SLOTS + slot;
}

export function dropSlot(reason: number): number {
  return DROPS_OFFSET + reason;
}

export function rejectSlot(reason: number): number {
  return REJECTS_BY_REASON_OFFSET + reason;
}
