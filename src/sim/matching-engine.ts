/**
 * The simulated exchange's matching: one price-time book per instrument (order-book.ts), holding
 * the synthetic liquidity the feed publishes and the orders clients send. Deterministic: the same
 * calls in the same order give the same fills, trades and books.
 *
 * What the feed must show is kept on each book for the publisher: `changed` (levels moved) and
 * `trades` (one entry per price level an aggressor took, not yet published).
 */
import type { InstrumentSpec } from './instruments.js';
import { BUY, BookSide, SELL, type ClientOrder, type OrderSideValue, type PriceLevel } from './order-book.js';

/** Levels per side a book can hold: client orders far from the market are refused past this. */
export const DEFAULT_LEVEL_CAPACITY = 256;
/** Trades a book keeps until the publisher takes them; more in one event are counted, not kept. */
export const DEFAULT_TRADE_CAPACITY = 1024;

export class PendingTrades {
  count = 0;
  /** Trades that did not fit before the publisher took the others. */
  droppedCount = 0;
  readonly priceTicks: Float64Array;
  readonly quantity: Int32Array;
  readonly aggressorSide: Uint8Array;
  /** Orders on both sides: the passive ones filled at this level plus the aggressor. */
  readonly orderCount: Int32Array;

  constructor(readonly capacity: number) {
    this.priceTicks = new Float64Array(capacity);
    this.quantity = new Int32Array(capacity);
    this.aggressorSide = new Uint8Array(capacity);
    this.orderCount = new Int32Array(capacity);
  }

  add(priceTicks: number, quantity: number, aggressorSide: OrderSideValue, orderCount: number): void {
    const index = this.count;
    if (index === this.capacity) {
      this.droppedCount++;
      return;
    }
    this.priceTicks[index] = priceTicks;
    this.quantity[index] = quantity;
    this.aggressorSide[index] = aggressorSide;
    this.orderCount[index] = orderCount;
    this.count = index + 1;
  }

  clear(): void {
    this.count = 0;
  }
}

export class InstrumentBook {
  readonly bids: BookSide;
  readonly asks: BookSide;
  readonly trades: PendingTrades;
  /** Set by every change of a level; the publisher clears it once the feed shows the book. */
  changed = false;

  constructor(
    readonly spec: InstrumentSpec,
    levelCapacity: number,
    tradeCapacity: number,
  ) {
    this.bids = new BookSide(BUY, levelCapacity);
    this.asks = new BookSide(SELL, levelCapacity);
    this.trades = new PendingTrades(tradeCapacity);
  }

  get securityId(): number {
    return this.spec.securityId;
  }

  side(side: OrderSideValue): BookSide {
    return side === BUY ? this.bids : this.asks;
  }

  opposite(side: OrderSideValue): BookSide {
    return side === BUY ? this.asks : this.bids;
  }

  /** True when a `side` order at `priceTicks` would trade with the other side's best level. */
  crosses(side: OrderSideValue, priceTicks: number): boolean {
    const opposite = this.opposite(side);
    if (opposite.count === 0) return false;
    const bestOpposite = opposite.levels[0]!.priceTicks;
    return side === BUY ? priceTicks >= bestOpposite : priceTicks <= bestOpposite;
  }
}

/** What became of an order handed to `submit` or `replace`. */
export const SubmitOutcome = {
  /** Resting in the book (possibly after partial fills). */
  Resting: 0,
  /** Completely filled. */
  Filled: 1,
  /** Immediate-or-cancel or market: the part that did not fill is cancelled. */
  RemainderCancelled: 2,
  /** Could not rest: the side already holds its maximum number of levels. */
  BookFull: 3,
} as const;
export type SubmitOutcome = (typeof SubmitOutcome)[keyof typeof SubmitOutcome];

export interface MatchingEngineOptions {
  /** Default DEFAULT_LEVEL_CAPACITY. */
  levelCapacity?: number;
  /** Default DEFAULT_TRADE_CAPACITY. */
  tradeCapacity?: number;
}

export class MatchingEngine {
  readonly books: InstrumentBook[] = [];
  private readonly booksBySecurityId = new Map<number, InstrumentBook>();
  private readonly levelCapacity: number;
  private readonly tradeCapacity: number;
  private nextOrderId = 1;

  constructor(instruments: readonly InstrumentSpec[], options: MatchingEngineOptions = {}) {
    this.levelCapacity = options.levelCapacity ?? DEFAULT_LEVEL_CAPACITY;
    this.tradeCapacity = options.tradeCapacity ?? DEFAULT_TRADE_CAPACITY;
    for (const spec of instruments) this.addInstrument(spec);
  }

  addInstrument(spec: InstrumentSpec): InstrumentBook {
    const book = new InstrumentBook(spec, this.levelCapacity, this.tradeCapacity);
    this.books.push(book);
    this.booksBySecurityId.set(spec.securityId, book);
    return book;
  }

  book(securityId: number): InstrumentBook | undefined {
    return this.booksBySecurityId.get(securityId);
  }

  /** Exchange order ids: unique for the engine's lifetime, from 1. */
  newOrderId(): number {
    return this.nextOrderId++;
  }

  /**
   * A new client order (its book must exist): trades what it can against the other side, then
   * rests the rest or cancels it (immediate-or-cancel, market). Fills reach the owners of the
   * orders involved, this one included, before this returns.
   */
  submit(order: ClientOrder): SubmitOutcome {
    return this.matchThenRest(this.book(order.securityId)!, order);
  }

  /** Takes a resting order out of the book. */
  cancel(order: ClientOrder): void {
    const level = order.level;
    if (level === null) return;
    const book = this.book(order.securityId)!;
    level.unlink(order);
    book.side(order.side).removeIfEmpty(level);
    book.changed = true;
  }

  /**
   * Gives a resting order a new price and quantity (`quantity` > cumQty). A smaller quantity at
   * the same price keeps the order's place in the queue (returns true); anything else loses it,
   * as on CME: the order leaves the book (returns false) and must go through `submit` again,
   * where it may trade at once.
   */
  amend(order: ClientOrder, priceTicks: number, quantity: number): boolean {
    const level = order.level!;
    this.book(order.securityId)!.changed = true;
    if (priceTicks === order.priceTicks && quantity <= order.orderQty) {
      level.clientQty -= order.orderQty - quantity;
      order.orderQty = quantity;
      return true;
    }
    this.cancel(order);
    order.priceTicks = priceTicks;
    order.orderQty = quantity;
    return false;
  }

  /**
   * Trades up to `quantity` for an aggressor on `aggressorSide` against the other side, best level
   * first, not beyond `limitTicks` (NaN: no limit). `aggressor` is the client order behind it, or
   * null for the synthetic market. Returns the quantity traded.
   */
  match(book: InstrumentBook, aggressorSide: OrderSideValue, quantity: number, limitTicks: number, aggressor: ClientOrder | null): number {
    const opposite = book.opposite(aggressorSide);
    let remaining = quantity;
    while (remaining > 0 && opposite.count > 0) {
      const level = opposite.levels[0]!;
      if (opposite.isBetter(limitTicks, level.priceTicks)) break; // false for NaN: no limit
      const priceTicks = level.priceTicks;
      const passiveOrders = this.takeFromLevel(level, remaining);
      const traded = passiveOrders.traded;
      remaining -= traded;
      book.trades.add(priceTicks, traded, aggressorSide, passiveOrders.orders + 1);
      if (level.isEmpty) opposite.removeAt(0);
      book.changed = true;
      if (aggressor !== null) {
        aggressor.cumQty += traded;
        aggressor.owner.onOrderFill(aggressor, priceTicks, traded);
      }
    }
    return quantity - remaining;
  }

  /** Adds synthetic quantity at a price; false (nothing added) when it would cross or the side is full. */
  addSynthetic(book: InstrumentBook, side: OrderSideValue, priceTicks: number, quantity: number): boolean {
    if (book.crosses(side, priceTicks)) return false;
    const level = book.side(side).levelAt(priceTicks);
    if (level === null) return false;
    level.syntheticQty += quantity;
    book.changed = true;
    return true;
  }

  /** Withdraws synthetic quantity from a level (at most what it has); empties drop out. */
  removeSynthetic(book: InstrumentBook, side: OrderSideValue, level: PriceLevel, quantity: number): void {
    level.syntheticQty -= Math.min(quantity, level.syntheticQty);
    book.side(side).removeIfEmpty(level);
    book.changed = true;
  }

  private matchThenRest(book: InstrumentBook, order: ClientOrder): SubmitOutcome {
    this.match(book, order.side, order.leavesQty, order.priceTicks, order);
    if (order.leavesQty === 0) return SubmitOutcome.Filled;
    if (order.immediateOrCancel || order.isMarket) return SubmitOutcome.RemainderCancelled;
    const level = book.side(order.side).levelAt(order.priceTicks);
    if (level === null) return SubmitOutcome.BookFull;
    level.append(order);
    book.changed = true;
    return SubmitOutcome.Resting;
  }

  // Reused result of takeFromLevel, so a fill allocates nothing.
  private readonly levelTake = { traded: 0, orders: 0 };

  /** Fills up to `quantity` from one level: synthetic quantity first, then client orders in time order. */
  private takeFromLevel(level: PriceLevel, quantity: number): { traded: number; orders: number } {
    const fromSynthetic = Math.min(level.syntheticQty, quantity);
    level.syntheticQty -= fromSynthetic;
    let remaining = quantity - fromSynthetic;
    let orders = fromSynthetic > 0 ? 1 : 0;
    while (remaining > 0 && level.head !== null) {
      const passive = level.head;
      const fill = Math.min(passive.leavesQty, remaining);
      passive.cumQty += fill;
      level.clientQty -= fill;
      remaining -= fill;
      orders++;
      if (passive.leavesQty === 0) level.unlink(passive);
      passive.owner.onOrderFill(passive, level.priceTicks, fill);
    }
    this.levelTake.traded = quantity - remaining;
    this.levelTake.orders = orders;
    return this.levelTake;
  }
}
