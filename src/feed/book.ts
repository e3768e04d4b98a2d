/**
 * Market-by-price books: fixed-depth sides in preallocated typed arrays, changed in place by the
 * MDP 3.0 update actions. Levels are 0-based here; MDPriceLevel on the wire is 1-based (the
 * book builder converts). Nothing allocates after construction.
 *
 * What each action does to one side (CME MDP 3.0 MBP book management):
 *   New         insert at the level; the levels below shift down, the last one falls off
 *   Change      restate the level (quantity, order count; price as sent)
 *   Delete      remove the level; the levels below shift up
 *   DeleteThru  remove every level of the side
 *   DeleteFrom  remove the levels from the top through the given one; the rest shift up
 *   Overlay     restate the level, price included
 */
import type { Book, BookSide } from './market-data.js';

export const DEFAULT_BOOK_DEPTH = 10;
/** MDP 3.0 MDPriceLevel is an int8: no book is deeper. */
export const MAX_BOOK_DEPTH = 127;

export class PriceLevels implements BookSide {
  levelCount = 0;
  readonly depth: number;
  private readonly prices: Float64Array;
  private readonly quantities: Float64Array;
  private readonly orderCounts: Float64Array;

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_BOOK_DEPTH) {
      throw new RangeError(`book depth must be an integer in 1..${MAX_BOOK_DEPTH}: depth=${depth}`);
    }
    this.depth = depth;
    this.prices = new Float64Array(depth);
    this.quantities = new Float64Array(depth);
    this.orderCounts = new Float64Array(depth);
  }

  price(level: number): number {
    return level < this.levelCount ? this.prices[level]! : Number.NaN;
  }

  quantity(level: number): number {
    return level < this.levelCount ? this.quantities[level]! : 0;
  }

  orderCount(level: number): number {
    return level < this.levelCount ? this.orderCounts[level]! : 0;
  }

  /** New: false when `level` is beyond the depth or leaves a hole below the deepest level. */
  insert(level: number, price: number, quantity: number, orderCount: number): boolean {
    const count = this.levelCount;
    if (level < 0 || level >= this.depth || level > count) return false;
    const last = count === this.depth ? count - 1 : count;
    this.prices.copyWithin(level + 1, level, last);
    this.quantities.copyWithin(level + 1, level, last);
    this.orderCounts.copyWithin(level + 1, level, last);
    this.write(level, price, quantity, orderCount);
    this.levelCount = last + 1;
    return true;
  }

  /** Change and Overlay: false when the level is not in the book. */
  update(level: number, price: number, quantity: number, orderCount: number): boolean {
    if (level < 0 || level >= this.levelCount) return false;
    this.write(level, price, quantity, orderCount);
    return true;
  }

  /** Delete: false when the level is not in the book. */
  remove(level: number): boolean {
    return this.removeRange(level, level + 1);
  }

  /** DeleteFrom: removes levels 0..level (inclusive). */
  removeTopThrough(level: number): boolean {
    return this.removeRange(0, Math.min(level + 1, this.levelCount));
  }

  /** DeleteThru and BookReset. */
  clear(): void {
    this.levelCount = 0;
  }

  /** Snapshot: sets a level outright, the side growing to include it (holes read as empty levels). */
  set(level: number, price: number, quantity: number, orderCount: number): boolean {
    if (level < 0 || level >= this.depth) return false;
    for (let hole = this.levelCount; hole < level; hole++) this.write(hole, Number.NaN, 0, 0);
    this.write(level, price, quantity, orderCount);
    if (level >= this.levelCount) this.levelCount = level + 1;
    return true;
  }

  private removeRange(from: number, to: number): boolean {
    const count = this.levelCount;
    if (from < 0 || from >= count || to <= from) return false;
    this.prices.copyWithin(from, to, count);
    this.quantities.copyWithin(from, to, count);
    this.orderCounts.copyWithin(from, to, count);
    this.levelCount = count - (to - from);
    return true;
  }

  private write(level: number, price: number, quantity: number, orderCount: number): void {
    this.prices[level] = price;
    this.quantities[level] = quantity;
    this.orderCounts[level] = orderCount;
  }
}

/** One instrument's MBP book; the feed handler owns it and changes it in place. */
export class PriceLevelBook implements Book {
  readonly securityId: number;
  readonly depth: number;
  readonly bids: PriceLevels;
  readonly asks: PriceLevels;
  readonly impliedBids: PriceLevels;
  readonly impliedAsks: PriceLevels;
  lastTradePrice = Number.NaN;
  lastTradeQuantity = 0;
  transactTime = 0;
  rptSeq = 0;
  /** Changed since the last end of event: the builder reports it then, once. */
  changedInEvent = false;

  constructor(securityId: number, depth: number = DEFAULT_BOOK_DEPTH, impliedDepth: number = depth) {
    this.securityId = securityId;
    this.depth = depth;
    this.bids = new PriceLevels(depth);
    this.asks = new PriceLevels(depth);
    this.impliedBids = new PriceLevels(impliedDepth);
    this.impliedAsks = new PriceLevels(impliedDepth);
  }

  /** Empties every side (BookReset entry, snapshot restart, ChannelReset); the last trade goes too. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.impliedBids.clear();
    this.impliedAsks.clear();
    this.lastTradePrice = Number.NaN;
    this.lastTradeQuantity = 0;
  }
}
