/**
 * Times the order path's share of a strategy call: every newOrder/cancel/replace (risk checks,
 * encoding, queueing) is bracketed by the stage recorder, which records it as risk_encode and
 * takes it out of the strategy stage. Given to the strategy host in place of the order path.
 * Arguments are forwarded as received: nothing new is boxed or allocated.
 */
import type { StageLatencyRecorder } from '../metrics/stage-latency.js';
import type { NewOrderRequest, OrderEntry } from '../order/order-request.js';
import type { StrategyOrderEvents, StrategyOrderRouting } from '../strategy/strategy-orders.js';

export class TimedOrderRouting implements StrategyOrderRouting {
  constructor(
    private readonly routing: StrategyOrderRouting,
    private readonly stages: StageLatencyRecorder,
  ) {}

  register(events: StrategyOrderEvents): OrderEntry {
    return new TimedOrderEntry(this.routing.register(events), this.stages);
  }
}

class TimedOrderEntry implements OrderEntry {
  constructor(
    private readonly entry: OrderEntry,
    private readonly stages: StageLatencyRecorder,
  ) {}

  newOrder(request: NewOrderRequest): number {
    this.stages.enterOrderPath();
    const clOrdId = this.entry.newOrder(request);
    this.stages.exitOrderPath();
    return clOrdId;
  }

  cancel(clOrdId: number): number {
    this.stages.enterOrderPath();
    const cancelId = this.entry.cancel(clOrdId);
    this.stages.exitOrderPath();
    return cancelId;
  }

  replace(clOrdId: number, price: number, quantity: number): number {
    this.stages.enterOrderPath();
    const replaceId = this.entry.replace(clOrdId, price, quantity);
    this.stages.exitOrderPath();
    return replaceId;
  }

  get openOrderCount(): number {
    return this.entry.openOrderCount;
  }

  position(securityId: number): number {
    return this.entry.position(securityId);
  }
}
