/**
 * `ctx.orders` of one strategy: the entry the order path registered for it, plus what the host
 * needs around it: per-strategy counts, the tally that tells the loop a packet triggered
 * orders, and the gate that silences a stopped strategy. A strategy that is not running
 * (stopped after an error, even while its throwing handler's caller is still on the stack)
 * sends no new order or replace: 0. No allocation.
 */
import type { ExecutionReportDecoder } from '../generated/order-entry/index.js';
import type { NewOrderRequest, OrderEntry, OrderReject } from '../order/order-request.js';
import type { GatewayCounters } from '../metrics/counters.js';
import { STRATEGY_ORDERS } from '../metrics/counters-layout.js';

/** Where the order path sends the answers to one strategy's orders. */
export interface StrategyOrderEvents {
  /** Valid during the call only: a flyweight over the receive buffer. */
  onExecutionReport(report: ExecutionReportDecoder): void;
  /** Refused by risk, by a down session, or by the exchange; the object is reused. */
  onReject(reject: OrderReject): void;
}

/** The order path as the host sees it: one registration per strategy (OrderRouter.register). */
export interface StrategyOrderRouting {
  register(events: StrategyOrderEvents): OrderEntry;
}

/** The owning strategy's state, read before each order (a failed strategy sends nothing more). */
export interface OrderGate {
  readonly index: number;
  readonly running: boolean;
}

/** What the host keeps about orders across its strategies. */
export interface OrderTally {
  /** Order messages queued (new, cancel, replace) since start: a change means "something to send". */
  queuedMessages: number;
}

export class StrategyOrders implements OrderEntry {
  private readonly strategyIndex: number;

  constructor(
    private readonly gate: OrderGate,
    private readonly orders: OrderEntry,
    private readonly counters: GatewayCounters,
    private readonly tally: OrderTally,
  ) {
    this.strategyIndex = gate.index;
  }

  newOrder(request: NewOrderRequest): number {
    if (!this.gate.running) return 0;
    const clOrdId = this.orders.newOrder(request);
    if (clOrdId > 0) {
      this.tally.queuedMessages += 1;
      this.counters.incrementStrategy(this.strategyIndex, STRATEGY_ORDERS);
    }
    return clOrdId;
  }

  /** Always allowed, even once stopped: cancelling only reduces risk (onStop may cancel). */
  cancel(clOrdId: number): number {
    const cancelId = this.orders.cancel(clOrdId);
    if (cancelId > 0) this.tally.queuedMessages += 1;
    return cancelId;
  }

  replace(clOrdId: number, price: number, quantity: number): number {
    if (!this.gate.running) return 0;
    const replaceId = this.orders.replace(clOrdId, price, quantity);
    if (replaceId > 0) this.tally.queuedMessages += 1;
    return replaceId;
  }

  get openOrderCount(): number {
    return this.orders.openOrderCount;
  }

  position(securityId: number): number {
    return this.orders.position(securityId);
  }
}
