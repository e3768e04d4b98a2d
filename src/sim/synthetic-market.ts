/**
 * The simulated market's own activity: every `step()` makes one change to one instrument's book
 * through the matching engine, chosen by a seeded PRNG, so a seed always produces the same feed.
 *
 * The book stays a consistent ladder around a mid price that random-walks:
 * - requote: synthetic quantity added to or withdrawn from one of the top levels;
 * - trade: a synthetic aggressor takes part of the best level on one side;
 * - move: a synthetic aggressor takes the whole best level (client orders resting there fill:
 *   the market trades through them) and the aggressor's side quotes the vacated price, so the
 *   mid moves one tick;
 * - improve: when the spread is wider than a tick, a new level inside it.
 * After each step both sides are topped up to `depth` levels and trimmed of synthetic levels
 * beyond it; client orders are never trimmed.
 */
import type { InstrumentBook, MatchingEngine } from './matching-engine.js';
import { BUY, SELL, type BookSide, type OrderSideValue } from './order-book.js';
import type { SeededRandom } from './seeded-random.js';

/** Synthetic quantity of a new level: uniform in this range. */
const MIN_LEVEL_QUANTITY = 5;
const MAX_LEVEL_QUANTITY = 50;
/** A requote changes a level by 1..this. */
const MAX_REQUOTE_QUANTITY = 10;
/** A synthetic trade takes 1..this (at most the best level). */
const MAX_TRADE_QUANTITY = 20;
/** Out of 100 steps: the mix of actions (the rest improve the spread, or requote when it is one tick). */
const REQUOTE_PERCENT = 50;
const TRADE_PERCENT = 20;
const MOVE_PERCENT = 20;

export class SyntheticMarket {
  constructor(
    private readonly engine: MatchingEngine,
    private readonly random: SeededRandom,
    /** Levels per side the market keeps quoted. */
    readonly depth: number,
  ) {}

  /** Lays out every instrument's opening book: `depth` levels each side, one tick apart. */
  open(): void {
    for (const book of this.engine.books) this.topUp(book);
  }

  /** One change to one instrument. */
  step(): void {
    const books = this.engine.books;
    const book = books[this.random.nextInt(books.length)]!;
    const side: OrderSideValue = this.random.chance(1, 2) ? BUY : SELL;
    const action = this.random.nextInt(100);
    if (action < REQUOTE_PERCENT) this.requote(book, side);
    else if (action < REQUOTE_PERCENT + TRADE_PERCENT) this.trade(book, side);
    else if (action < REQUOTE_PERCENT + TRADE_PERCENT + MOVE_PERCENT) this.move(book, side);
    else if (!this.improve(book, side)) this.requote(book, side);
    this.topUp(book);
    this.trim(book.bids);
    this.trim(book.asks);
  }

  private requote(book: InstrumentBook, side: OrderSideValue): void {
    const bookSide = book.side(side);
    if (bookSide.count === 0) return;
    const level = bookSide.levels[this.random.nextInt(Math.min(this.depth, bookSide.count))]!;
    const quantity = this.random.nextIntBetween(1, MAX_REQUOTE_QUANTITY);
    if (this.random.chance(1, 2) || level.syntheticQty <= quantity) {
      this.engine.addSynthetic(book, side, level.priceTicks, quantity);
    } else {
      this.engine.removeSynthetic(book, side, level, quantity);
    }
  }

  /** A synthetic aggressor on `aggressorSide` takes part of the other side's best level. */
  private trade(book: InstrumentBook, aggressorSide: OrderSideValue): void {
    const opposite = book.opposite(aggressorSide);
    if (opposite.count === 0) return;
    const best = opposite.levels[0]!;
    const quantity = this.random.nextIntBetween(1, Math.min(MAX_TRADE_QUANTITY, best.totalQty));
    this.engine.match(book, aggressorSide, quantity, best.priceTicks, null);
  }

  /** Trades through the other side's best level and quotes its price: the mid moves a tick. */
  private move(book: InstrumentBook, aggressorSide: OrderSideValue): void {
    const opposite = book.opposite(aggressorSide);
    if (opposite.count === 0) return;
    const best = opposite.levels[0]!;
    const priceTicks = best.priceTicks;
    this.engine.match(book, aggressorSide, best.totalQty, priceTicks, null);
    this.engine.addSynthetic(book, aggressorSide, priceTicks, this.newLevelQuantity());
  }

  /** Quotes one tick inside a spread wider than a tick; false when the spread is one tick (or a side is empty). */
  private improve(book: InstrumentBook, side: OrderSideValue): boolean {
    if (book.bids.count === 0 || book.asks.count === 0) return false;
    const bestBid = book.bids.levels[0]!.priceTicks;
    const bestAsk = book.asks.levels[0]!.priceTicks;
    if (bestAsk - bestBid <= 1) return false;
    const priceTicks = side === BUY ? bestBid + 1 : bestAsk - 1;
    return this.engine.addSynthetic(book, side, priceTicks, this.newLevelQuantity());
  }

  /** Adds levels one tick beyond the worst until each side has `depth`. */
  private topUp(book: InstrumentBook): void {
    this.topUpSide(book, book.bids);
    this.topUpSide(book, book.asks);
  }

  private topUpSide(book: InstrumentBook, bookSide: BookSide): void {
    const outward = bookSide.side === BUY ? -1 : 1;
    while (bookSide.count < this.depth) {
      const priceTicks = bookSide.count > 0
        ? bookSide.levels[bookSide.count - 1]!.priceTicks + outward
        : this.openingPrice(book, bookSide.side);
      if (!this.engine.addSynthetic(book, bookSide.side, priceTicks, this.newLevelQuantity())) return;
    }
  }

  /** Where an empty side starts: a tick away from the other side's best, or the instrument's opening quote. */
  private openingPrice(book: InstrumentBook, side: OrderSideValue): number {
    const opposite = book.opposite(side);
    if (opposite.count > 0) return opposite.levels[0]!.priceTicks + (side === BUY ? -1 : 1);
    return side === BUY ? book.spec.initialBidTicks : book.spec.initialBidTicks + 1;
  }

  /** Withdraws purely synthetic levels beyond `depth`, from the worst inwards. */
  private trim(bookSide: BookSide): void {
    while (bookSide.count > this.depth) {
      const worst = bookSide.levels[bookSide.count - 1]!;
      if (worst.clientOrderCount > 0) return;
      bookSide.removeAt(bookSide.count - 1);
    }
  }

  private newLevelQuantity(): number {
    return this.random.nextIntBetween(MIN_LEVEL_QUANTITY, MAX_LEVEL_QUANTITY);
  }
}
