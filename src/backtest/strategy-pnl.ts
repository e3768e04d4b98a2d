/**
 * Profit and loss of each strategy, from its own fills: average-cost accounting per instrument.
 * A fill that adds to the position moves its average price; one that reduces it realizes
 * (fill price - average) x quantity closed, signed by the position's side. What is still open is
 * marked at the end to the instrument's last recorded trade, else its mid.
 *
 * Amounts are PRICE9 mantissas x quantity, as on the wire; the summary scales them by the
 * schema's price exponent. Fills are read from the ExecutionReports the strategies receive, as
 * they pass: the fields go from the report into this object's fields, no double crosses a call.
 */
import { ExecType, type ExecutionReportDecoder } from '../generated/order-entry/index.js';
import type { BookSource } from '../strategy/context.js';
import type { OrderEntry, OrderReject } from '../order/order-request.js';
import type { StrategyOrderEvents, StrategyOrderRouting } from '../strategy/strategy-orders.js';

const BUY = 1;

export class InstrumentPnl {
  /** Signed: buys positive. */
  position = 0;
  // Doubles from the start (0.5, then 0), so the fields never change representation.
  /** Average price of the open position (PRICE9 mantissa). */
  averagePrice = 0.5;
  realized = 0.5;
  fills = 0;

  constructor(readonly securityId: number) {
    this.averagePrice = 0;
    this.realized = 0;
  }

  /** Applies one fill of `quantity` (signed, buys positive) at the price in `fillPrice`. */
  apply(signedQuantity: number, fillPrice: Float64Array): void {
    const price = fillPrice[0]!;
    const position = this.position;
    this.fills++;
    if (position === 0 || Math.sign(position) === Math.sign(signedQuantity)) {
      this.averagePrice = (this.averagePrice * Math.abs(position) + price * Math.abs(signedQuantity)) / Math.abs(position + signedQuantity);
      this.position = position + signedQuantity;
      return;
    }
    const closed = Math.min(Math.abs(signedQuantity), Math.abs(position));
    this.realized += closed * (price - this.averagePrice) * Math.sign(position);
    const remaining = position + signedQuantity;
    // A fill that flips the position opens the other side at the fill price.
    if (Math.sign(remaining) !== Math.sign(position)) this.averagePrice = remaining === 0 ? 0 : price;
    this.position = remaining;
  }

  /** Open position x (mark - average); 0 when flat or nothing to mark against. */
  unrealized(mark: number): number {
    return this.position === 0 || Number.isNaN(mark) ? 0 : this.position * (mark - this.averagePrice);
  }
}

export class StrategyPnl {
  readonly instruments = new Map<number, InstrumentPnl>();
  private readonly fillPrice = new Float64Array(1);

  /** One ExecutionReport about this strategy's orders: fills count, the rest does not. */
  record(report: ExecutionReportDecoder): void {
    const execType = report.execType();
    if (execType !== ExecType.Fill && execType !== ExecType.PartialFill) return;
    const securityId = report.securityID();
    let instrument = this.instruments.get(securityId);
    if (instrument === undefined) {
      instrument = new InstrumentPnl(securityId);
      this.instruments.set(securityId, instrument);
    }
    // Into the cell, not returned: a PRICE9 mantissa is no small integer, so mantissa()'s result
    // was a 16-byte heap number per fill in the rounds where V8 compiled it out of line.
    report.lastPx().mantissaInto(this.fillPrice, 0);
    const quantity = report.lastQty();
    instrument.apply(report.side() === BUY ? quantity : -quantity, this.fillPrice);
  }

  get realized(): number {
    let sum = 0;
    for (const instrument of this.instruments.values()) sum += instrument.realized;
    return sum;
  }

  /** Open positions marked to `books`' last trade, else mid (NaN: unmarked, counted as 0). */
  unrealized(books: BookSource): number {
    let sum = 0;
    for (const instrument of this.instruments.values()) sum += instrument.unrealized(markPrice(books, instrument.securityId));
    return sum;
  }

  get fills(): number {
    let sum = 0;
    for (const instrument of this.instruments.values()) sum += instrument.fills;
    return sum;
  }
}

/** The last recorded trade, else the mid of the top of book, else NaN. */
export function markPrice(books: BookSource, securityId: number): number {
  const book = books.book(securityId);
  if (book === undefined) return Number.NaN;
  if (book.lastTradeQuantity > 0 && !Number.isNaN(book.lastTradePrice)) return book.lastTradePrice;
  if (book.bids.levelCount > 0 && book.asks.levelCount > 0) return (book.bids.price(0) + book.asks.price(0)) / 2;
  return Number.NaN;
}

/**
 * Sits between the strategy host and the order path: each strategy's answers pass through its
 * StrategyPnl on their way, in registration order (= strategy index).
 */
export class PnlRecordingRouting implements StrategyOrderRouting {
  readonly strategies: StrategyPnl[] = [];

  constructor(private readonly routing: StrategyOrderRouting) {}

  register(events: StrategyOrderEvents): OrderEntry {
    const pnl = new StrategyPnl();
    this.strategies.push(pnl);
    return this.routing.register(new PnlRecordingEvents(events, pnl));
  }
}

class PnlRecordingEvents implements StrategyOrderEvents {
  constructor(
    private readonly events: StrategyOrderEvents,
    private readonly pnl: StrategyPnl,
  ) {}

  onExecutionReport(report: ExecutionReportDecoder): void {
    this.pnl.record(report);
    this.events.onExecutionReport(report);
  }

  onReject(reject: OrderReject): void {
    this.events.onReject(reject);
  }
}
