/**
 * The latency probe: answers every book update with one order, so the time from the packet's
 * arrival to the order leaving the gateway (tick-to-trade) is measured on every tick. The order
 * crosses the spread for the smallest size, IOC, alternating buy and sell so the position stays
 * flat. One request object is filled and reused: nothing is allocated per book.
 *
 * With `cross: false` the order joins its own side's best price instead, so the IOC never
 * trades: against the simulator every fill moves the market, which calls for another order, and
 * the load grows with the gateway's own speed. Not crossing keeps the load at the feed's pace.
 *
 *   zerotick run --feed udp://127.0.0.1:14310 --exchange tcp://127.0.0.1:9100 --strategy strategies/ping.ts
 */
import { defineStrategy } from '../src/strategy/strategy.js';
import type { NewOrderRequest } from '../src/order/order-request.js';

const BUY = 1;
const SELL = 2;
const IMMEDIATE_OR_CANCEL = 3;

interface PingParams {
  /** Only this instrument; 0: every instrument. */
  securityId: number;
  quantity: number;
  /** Price at the far side's best (trades) or, false, at the own side's best (never trades). */
  cross: boolean;
}

const request: NewOrderRequest = { securityId: 0, side: BUY, price: 0, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL };
let nextSide = BUY;

export default defineStrategy<PingParams>({
  name: 'ping',
  params: { securityId: 0, quantity: 1, cross: true },

  onStart(ctx) {
    nextSide = BUY;
    request.quantity = ctx.params.quantity;
    ctx.log.info(`answering every book update${ctx.params.securityId === 0 ? '' : ` of ${ctx.params.securityId}`} with one IOC order of ${ctx.params.quantity}`);
  },

  onBook(book, ctx) {
    if (ctx.params.securityId !== 0 && book.securityId !== ctx.params.securityId) return;
    const buying = nextSide === BUY;
    const side = buying === ctx.params.cross ? book.asks : book.bids;
    if (side.levelCount === 0) return;
    request.securityId = book.securityId;
    request.side = nextSide;
    request.price = side.price(0);
    if (ctx.orders.newOrder(request) > 0) nextSide = nextSide === BUY ? SELL : BUY;
  },
});
