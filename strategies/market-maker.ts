/**
 * A market maker: keeps one bid and one ask around the top of book of one instrument, `size`
 * each, `spreadTicks` wide around the mid. When the book moves it replaces its quotes; when a
 * fill takes its inventory to `maxPosition` (long or short) it pulls the side that would add to
 * it, and quotes it again once the position comes back; a fill requotes at once. Everything is
 * preallocated: the order request and the two quote records are reused for every book and
 * report.
 *
 *   zerotick run ... --strategy strategies/market-maker.ts
 *   (params from the config: { "path": "strategies/market-maker.ts", "params": { "spreadTicks": 2 } })
 */
import { defineStrategy, type StrategyContext } from '../src/strategy/strategy.js';
import { OrderSide, type NewOrderRequest } from '../src/order/order-request.js';
import type { Book } from '../src/feed/market-data.js';
import { ExecType, type ExecutionReportDecoder } from '../src/generated/order-entry/index.js';

interface MarketMakerParams {
  /** The instrument quoted (the simulator's ES is 10001). */
  securityId: number;
  /** One price tick in 1e-9 units (ES: 0.25 = 250_000_000). */
  tickSize: number;
  /** Width of the quote around the mid, in ticks (1: join the best bid and ask). */
  spreadTicks: number;
  size: number;
  /** Largest absolute position: beyond it the side that would add to it is pulled. */
  maxPosition: number;
}

type Ctx = StrategyContext<MarketMakerParams>;

/** One side's working order, and where it should be. */
class Quote {
  clOrdId = 0;
  price = 0;
  /**
   * Where the quote should sit. Prices travel in fields, not arguments: a price (far above 2^31)
   * passed to a function V8 does not inline is boxed, an allocation per book.
   */
  target = 0;
  /** ClOrdID of an unanswered replace or cancel: no other request until it is answered. */
  pendingId = 0;

  constructor(readonly side: number) {}

  clear(): void {
    this.clOrdId = 0;
    this.price = 0;
    this.pendingId = 0;
  }
}

const bid = new Quote(OrderSide.Buy);
const ask = new Quote(OrderSide.Sell);
const quotes = [bid, ask];
/** True during our own order calls: a refusal then is already told by the 0 they return. */
let requesting = false;
const order: NewOrderRequest = { securityId: 0, side: OrderSide.Buy, price: 0, quantity: 0 };

function floorToTick(price: number, tick: number): number {
  return Math.floor(price / tick) * tick;
}

function ceilToTick(price: number, tick: number): number {
  return Math.ceil(price / tick) * tick;
}

/** Places, moves or pulls one side's quote so it sits at its target (or nowhere when `wanted` is false). */
function maintain(quote: Quote, wanted: boolean, ctx: Ctx): void {
  if (quote.pendingId !== 0) return;
  requesting = true;
  try {
    send(quote, wanted, ctx);
  } finally {
    requesting = false;
  }
}

function send(quote: Quote, wanted: boolean, ctx: Ctx): void {
  const price = quote.target;
  if (!wanted) {
    if (quote.clOrdId !== 0) quote.pendingId = ctx.orders.cancel(quote.clOrdId);
    return;
  }
  if (quote.clOrdId === 0) {
    order.securityId = ctx.params.securityId;
    order.side = quote.side;
    order.price = price;
    order.quantity = ctx.params.size;
    quote.clOrdId = ctx.orders.newOrder(order);
    quote.price = price;
  } else if (quote.price !== price) {
    quote.pendingId = ctx.orders.replace(quote.clOrdId, price, ctx.params.size);
    if (quote.pendingId !== 0) quote.price = price;
  }
}

function requote(book: Book, ctx: Ctx): void {
  if (book.bids.levelCount === 0 || book.asks.levelCount === 0) return;
  const { tickSize, spreadTicks, maxPosition } = ctx.params;
  const mid = (book.bids.price(0) + book.asks.price(0)) / 2;
  const halfSpread = (spreadTicks * tickSize) / 2;
  const position = ctx.orders.position(ctx.params.securityId);
  bid.target = floorToTick(mid - halfSpread, tickSize);
  ask.target = ceilToTick(mid + halfSpread, tickSize);
  maintain(bid, position < maxPosition, ctx);
  maintain(ask, position > -maxPosition, ctx);
}

/** Applies a report about this side's order; false when the report is about another order. */
function onReport(quote: Quote, report: ExecutionReportDecoder): boolean {
  const clOrdId = report.clOrdID();
  // A cancel the gateway sent itself (kill switch) names our order only as OrigClOrdID.
  const mine = clOrdId === quote.clOrdId || clOrdId === quote.pendingId || (quote.clOrdId !== 0 && report.origClOrdID() === quote.clOrdId);
  if (!mine) return false;
  switch (report.execType()) {
    case ExecType.Fill:
      if (clOrdId === quote.clOrdId) quote.clear();
      return true;
    case ExecType.Replaced:
      quote.clOrdId = clOrdId;
      quote.pendingId = 0;
      return true;
    case ExecType.Canceled:
      quote.clear();
      return true;
    case ExecType.Rejected:
      if (clOrdId === quote.clOrdId) quote.clear();
      else quote.pendingId = 0;
      return true;
    default:
      return clOrdId === quote.clOrdId && report.execType() === ExecType.PartialFill;
  }
}

export default defineStrategy<MarketMakerParams>({
  name: 'market-maker',
  params: { securityId: 10001, tickSize: 250_000_000, spreadTicks: 1, size: 1, maxPosition: 5 },

  onStart(ctx) {
    bid.clear();
    ask.clear();
    const { securityId, spreadTicks, size, maxPosition } = ctx.params;
    ctx.log.info(`quoting ${securityId}: ${size} a side, ${spreadTicks} tick(s) wide, position limit ${maxPosition}`);
  },

  onBook(book, ctx) {
    if (book.securityId === ctx.params.securityId) requote(book, ctx);
  },

  onExecutionReport(report, ctx) {
    if (!onReport(bid, report)) onReport(ask, report);
    // A fill moved the inventory: quote again at once rather than wait for the next book.
    const execType = report.execType();
    if (execType === ExecType.Fill || execType === ExecType.PartialFill) {
      const book = ctx.book(ctx.params.securityId);
      if (book !== undefined) requote(book, ctx);
    }
  },

  onReject(reject) {
    // A later reject (an order the exchange never got, seen after a reconnect) ends that request.
    if (requesting || reject.clOrdId === 0) return;
    for (let i = 0; i < quotes.length; i++) {
      const quote = quotes[i]!;
      if (reject.clOrdId === quote.pendingId) quote.pendingId = 0;
      else if (reject.clOrdId === quote.clOrdId) quote.clear();
    }
  },

  onStop(ctx) {
    for (let i = 0; i < quotes.length; i++) {
      if (quotes[i]!.clOrdId !== 0) ctx.orders.cancel(quotes[i]!.clOrdId);
    }
  },
});
