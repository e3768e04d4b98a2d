/**
 * `ctx.orders` of one strategy: the gateway's order entry, plus the bookkeeping that lets the
 * host route each order's execution reports and rejects back to this strategy and count them.
 * Adds one ring store per order: no allocation. A strategy that is not running (stopped after an
 * error, even while its throwing handler's caller is still on the stack) sends no new order or
 * replace: 0.
 */
import type { NewOrderRequest, OrderEntry } from '../order/order-request.js';
import type { GatewayCounters } from '../metrics/counters.js';
import { CANCELS, ORDERS, REPLACES, STRATEGY_ORDERS } from '../metrics/counters-layout.js';
import type { OrderOwners } from './order-owners.js';

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
    private readonly owners: OrderOwners,
    private readonly counters: GatewayCounters,
    private readonly tally: OrderTally,
  ) {
    this.strategyIndex = gate.index;
  }

  newOrder(request: NewOrderRequest): number {
    if (!this.gate.running) return 0;
    const clOrdId = this.orders.newOrder(request);
    if (clOrdId > 0) {
      this.accept(clOrdId);
      this.counters.increment(ORDERS);
      this.counters.incrementStrategy(this.strategyIndex, STRATEGY_ORDERS);
    }
    return clOrdId;
  }

  /** Always allowed, even once stopped: cancelling only reduces risk (onStop may cancel). */
  cancel(clOrdId: number): number {
    const cancelId = this.orders.cancel(clOrdId);
    if (cancelId > 0) {
      this.accept(cancelId);
      this.counters.increment(CANCELS);
    }
    return cancelId;
  }

  replace(clOrdId: number, price: number, quantity: number): number {
    if (!this.gate.running) return 0;
    const replaceId = this.orders.replace(clOrdId, price, quantity);
    if (replaceId > 0) {
      this.accept(replaceId);
      this.counters.increment(REPLACES);
    }
    return replaceId;
  }

  get openOrderCount(): number {
    return this.orders.openOrderCount;
  }

  position(securityId: number): number {
    return this.orders.position(securityId);
  }

  private accept(clOrdId: number): void {
    this.owners.assign(clOrdId, this.strategyIndex);
    this.tally.queuedMessages += 1;
  }
}
