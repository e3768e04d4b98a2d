/**
 * The fill model: how orders sent in a backtest trade against a market that was recorded
 * without them. The simulated exchange's matching engine (src/sim/matching-engine.ts) keeps one
 * book per instrument the strategies trade, holding the recorded market as synthetic quantity
 * (the engine's "interest that arrived first") plus the strategies' own resting orders:
 *
 * - When an order arrives (its latency after it was sent), the instrument's book is first set to
 *   the recorded book of that moment (outright levels; implied ones are not tradable here). A
 *   marketable order then trades against the displayed levels, best first, at their prices, up
 *   to their displayed quantity; what is left rests, or is cancelled (IOC, market).
 * - A resting order is always behind the whole displayed quantity at its price: every recorded
 *   book event resets the synthetic quantity to what the feed shows, in front of our orders.
 * - A recorded trade (MDIncrementalRefreshTradeSummary48) is replayed as an aggressor of its
 *   side, price and size: our orders at better prices fill in full (the market traded through
 *   them, so those levels were gone) and, at its own price, only what is left of its size after
 *   the displayed queue. A trade without an aggressor side is taken as a sell when our bids are
 *   at or above its price, else a buy.
 * - A recorded level that moves onto a resting order (an ask down to our bid) trades with it at
 *   our price, for up to the level's quantity.
 * Our orders never move the recorded market: the next recorded event shows the book as it was
 * recorded, as if our fills had taken liquidity nobody else wanted.
 *
 * Ticks: a recorded file need not hold instrument definitions, so an instrument's tick is taken,
 * when the first order for it arrives, as the largest power of ten (up to one price unit) that
 * divides every price its recorded book shows. Prices then become small integer ticks (a PRICE9
 * mantissa as a tick count would be a boxed double in every engine call). An order or recorded
 * price off that tick (or beyond 2^31 ticks) is refused by the exchange (InvalidPrice) or left
 * out of the mirror.
 */
import type { Book, BookSide as RecordedSide } from '../feed/market-data.js';
import type { BookSource } from '../strategy/context.js';
import type { InstrumentBook, MatchingEngine } from '../sim/matching-engine.js';
import { BUY, SELL, type BookSide as EngineSide, type OrderSideValue } from '../sim/order-book.js';

/** The coarsest tick tried: one price unit (PRICE9). */
const COARSEST_TICK = 1_000_000_000;

/** The exchange's own orders as the mirror needs them: whether any rest at all. */
export interface RestingOrders {
  readonly workingOrderCount: number;
}

export class MarketMirror {
  /**
   * The recorded trade replayTrade replays, stored by the caller: a price (far above 2^31) passed
   * as an argument to a call V8 does not inline would be boxed.
   */
  tradePrice = 0.5;
  tradeQuantity = 0;

  constructor(
    private readonly engine: MatchingEngine,
    private readonly recorded: BookSource,
    private readonly restingOrders: RestingOrders,
  ) {}

  /** Before an order of `securityId` reaches the engine: its book exists and shows the recorded levels now. */
  prepare(securityId: number): void {
    const recorded = this.recorded.book(securityId);
    const book = this.engine.book(securityId) ?? this.engine.addInstrument({ securityId, asset: '', tickSize: tickSizeOf(recorded), initialBidTicks: 0 });
    this.sync(book, recorded);
  }

  /** A recorded book event: levels that moved onto resting orders trade with them. */
  onRecordedBook(recorded: Book): void {
    if (this.restingOrders.workingOrderCount === 0) return;
    const book = this.engine.book(recorded.securityId);
    if (book !== undefined) this.sync(book, recorded);
  }

  /** Replays the trade in tradePrice/tradeQuantity against the resting orders of `securityId`. */
  replayTrade(securityId: number, aggressorSide: number): void {
    if (this.restingOrders.workingOrderCount === 0) return;
    const book = this.engine.book(securityId);
    if (book === undefined) return;
    const ticks = this.tradePrice / book.spec.tickSize;
    if (!isSmallInteger(ticks)) return;
    const price = ticks | 0;
    const side: OrderSideValue = aggressorSide === BUY || aggressorSide === SELL ? aggressorSide : book.crosses(SELL, price) ? SELL : BUY;
    const tradedThrough = emptyLevelsBetterThan(book.opposite(side), price);
    this.engine.match(book, side, tradedThrough + this.tradeQuantity, price, null);
    book.trades.clear();
  }

  private sync(book: InstrumentBook, recorded: Book | undefined): void {
    const copied = recorded !== undefined && !book.bids.hasClientOrders && !book.asks.hasClientOrders && copyUncrossed(book, recorded);
    if (!copied) {
      stripSynthetic(book.bids);
      stripSynthetic(book.asks);
      if (recorded !== undefined) {
        this.addRecordedSide(book, SELL, recorded.asks);
        this.addRecordedSide(book, BUY, recorded.bids);
      }
    }
    // Nobody publishes the engine's trades here: the recorded feed is the market.
    book.trades.clear();
  }

  /** The recorded levels of one side as synthetic quantity; a level that crosses our orders trades with them first. */
  private addRecordedSide(book: InstrumentBook, side: OrderSideValue, levels: RecordedSide): void {
    const engine = this.engine;
    const tickSize = book.spec.tickSize;
    for (let level = 0; level < levels.levelCount; level++) {
      const ticks = levels.price(level) / tickSize;
      if (!isSmallInteger(ticks)) continue;
      const price = ticks | 0;
      let quantity = levels.quantity(level);
      if (book.crosses(side, price)) quantity -= engine.match(book, side, quantity, price, null);
      if (quantity > 0) engine.addSynthetic(book, side, price, quantity);
    }
  }
}

/**
 * The common case of sync, in one pass: no client order in the book, so each side becomes the
 * recorded levels as they are, written over the levels it holds (no search, no shifting). Gives
 * the book the general path would: false, leaving only synthetic levels for it to strip, at the
 * first thing this does not handle (levels out of order or on one price, a side full, bids
 * crossing asks, which the general path trades against each other).
 */
function copyUncrossed(book: InstrumentBook, recorded: Book): boolean {
  const { bids, asks } = book;
  book.changed = true;
  if (!copySide(asks, recorded.asks, book.spec.tickSize) || !copySide(bids, recorded.bids, book.spec.tickSize)) return false;
  return bids.count === 0 || asks.count === 0 || bids.levels[0]!.priceTicks < asks.levels[0]!.priceTicks;
}

/** Rewrites a side with no client order as the recorded levels; false at a level not worse than the one before, or on a full side. */
function copySide(side: EngineSide, levels: RecordedSide, tickSize: number): boolean {
  let written = 0;
  for (let level = 0; level < levels.levelCount; level++) {
    const ticks = levels.price(level) / tickSize;
    const quantity = levels.quantity(level);
    if (!isSmallInteger(ticks) || quantity <= 0) continue; // as the general path leaves them out
    const price = ticks | 0;
    if (written > 0 && !side.isBetter(side.levels[written - 1]!.priceTicks, price)) return false;
    const target = side.rewriteAt(written, price);
    if (target === null) return false;
    target.syntheticQty = quantity;
    written++;
  }
  side.truncate(written);
  return true;
}

/**
 * True for a tick count that is a whole int32: `| 0` then makes it a small integer, which V8
 * passes to the engine's calls unboxed (a division's result is a double even when whole).
 */
function isSmallInteger(ticks: number): boolean {
  return ticks === (ticks | 0);
}

/** The largest power of ten up to COARSEST_TICK dividing every price of the book; 1 for a book with none. */
function tickSizeOf(book: Book | undefined): number {
  if (book === undefined) return 1;
  let tick = COARSEST_TICK;
  let prices = 0;
  for (const side of [book.bids, book.asks]) {
    for (let level = 0; level < side.levelCount; level++) {
      prices++;
      while (tick > 1 && side.price(level) % tick !== 0) tick /= 10;
    }
  }
  return prices === 0 ? 1 : tick;
}

/**
 * A trade at `price` means the levels better than it were gone: their recorded quantity goes,
 * and what remains there is ours. Returns our quantity on them, all of which the trade takes.
 */
function emptyLevelsBetterThan(side: EngineSide, price: number): number {
  let ours = 0;
  for (let index = side.count - 1; index >= 0; index--) {
    const level = side.levels[index]!;
    if (!side.isBetter(level.priceTicks, price)) continue;
    level.syntheticQty = 0;
    ours += level.clientQty;
    if (level.isEmpty) side.removeAt(index);
  }
  return ours;
}

/** Takes the recorded quantity out of every level, keeping our orders where they are. */
function stripSynthetic(side: EngineSide): void {
  for (let index = side.count - 1; index >= 0; index--) {
    const level = side.levels[index]!;
    level.syntheticQty = 0;
    if (level.isEmpty) side.removeAt(index);
  }
}
