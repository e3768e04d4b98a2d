/**
 * What the hot loop and the control plane need of the order path (src/order/): per-strategy
 * registration (ctx.orders), the end-of-batch flush, the session's poll, the kill switch, the
 * trigger of the orders being sent, and the numbers /status shows. order-path-factory.ts
 * builds it around the order path's OrderRouter.
 */
import type { Book } from '../feed/market-data.js';
import type { StrategyOrderRouting } from '../strategy/strategy-orders.js';

/** The order path's counts, as the control plane shows them. */
export interface OrderPathCounts {
  readonly ordersSent: number;
  readonly cancelsSent: number;
  readonly replacesSent: number;
  readonly executionReports: number;
  readonly fills: number;
  readonly rejects: number;
  /** Indexed by RejectReason. */
  readonly rejectsByReason: ArrayLike<number>;
}

export interface OrderPath extends StrategyOrderRouting {
  /** Sends everything queued since the last flush (one writev). */
  flush(): void;
  /** Reads execution reports and runs the session's timers (heartbeat, reconnect) on its own monotonic clock. */
  poll(): void;
  /** True while connecting: the loop must let the event loop turn. */
  readonly needsEventLoop: boolean;
  /**
   * MsgSeqNum of the MDP packet whose handling is sending orders (NewOrderSingle.TriggerSeqNum,
   * for the exchange's tick-to-trade); clearTrigger() after the packet.
   */
  setTrigger(seqNum: number): void;
  clearTrigger(): void;
  /** Moves the price band's reference of the book's instrument: its last trade, else its mid. */
  updateReferencePrice(book: Book): void;
  setKillSwitch(engaged: boolean): void;
  /** SESSION_STATE_* of src/metrics/counters-layout.ts. */
  readonly sessionState: number;
  readonly reconnects: number;
  readonly killSwitchEngaged: boolean;
  readonly openOrderCount: number;
  readonly counts: OrderPathCounts;
  close(): void;
}
