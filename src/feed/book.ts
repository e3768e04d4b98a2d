/**
 * Market-by-price books: fixed-depth sides in preallocated typed arrays, changed in place by the
 * MDP 3.0 update actions. Levels are 0-based here; MDPriceLevel on the wire is 1-based (the
 * book builder converts). Nothing allocates after construction.
 *
 * Prices, times and sequence numbers are read straight from the message into Float64Arrays: a
 * PRICE9 mantissa or a nanosecond time is far beyond V8's small integers, and passed from call
 * to call as a number it would be boxed, an allocation per update. So writers take the view and
 * the offset of the field, and only small integers (levels, quantities, order counts) travel
 * as arguments.
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
const TWO_POW_32 = 4294967296;
/** MDP 3.0 MDPriceLevel is an int8: no book is deeper. */
export const MAX_BOOK_DEPTH = 127;

export class PriceLevels implements BookSide {
  levelCount = 0;
  readonly depth: number;
  private readonly prices: Float64Array;
  /** MDEntrySize and NumberOfOrders are int32 on the wire; Int32Array reads come back as small integers, never boxed. */
  private readonly quantities: Int32Array;
  private readonly orderCounts: Int32Array;

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_BOOK_DEPTH) {
      throw new RangeError(`book depth must be an integer in 1..${MAX_BOOK_DEPTH}: depth=${depth}`);
    }
    this.depth = depth;
    this.prices = new Float64Array(depth);
    this.quantities = new Int32Array(depth);
    this.orderCounts = new Int32Array(depth);
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

  /**
   * New: false when `level` is beyond the depth or leaves a hole below the deepest level. The
   * price is the int64 mantissa at `priceOffset` in `view` (so it is never a boxed argument).
   */
  insert(level: number, view: DataView, priceOffset: number, quantity: number, orderCount: number): boolean {
    const count = this.levelCount;
    if (level < 0 || level >= this.depth || level > count) return false;
    const last = count === this.depth ? count - 1 : count;
    this.shiftDown(level, last);
    this.write(level, view, priceOffset, quantity, orderCount);
    this.levelCount = last + 1;
    return true;
  }

  /** Change and Overlay: false when the level is not in the book. */
  update(level: number, view: DataView, priceOffset: number, quantity: number, orderCount: number): boolean {
    if (level < 0 || level >= this.levelCount) return false;
    this.write(level, view, priceOffset, quantity, orderCount);
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
  set(level: number, view: DataView, priceOffset: number, quantity: number, orderCount: number): boolean {
    if (level < 0 || level >= this.depth) return false;
    for (let hole = this.levelCount; hole < level; hole++) this.writeEmpty(hole);
    this.write(level, view, priceOffset, quantity, orderCount);
    if (level >= this.levelCount) this.levelCount = level + 1;
    return true;
  }

  private removeRange(from: number, to: number): boolean {
    const count = this.levelCount;
    if (from < 0 || from >= count || to <= from) return false;
    this.shiftUp(from, to, count);
    this.levelCount = count - (to - from);
    return true;
  }

  // The two shifts below move at most MAX_BOOK_DEPTH levels, usually a handful: a plain loop
  // beats TypedArray#copyWithin, a call into the runtime that costs ~30 ns before it copies a byte.

  /** Levels from..last-1 move one down, to from+1..last (the one at `last` is overwritten). */
  private shiftDown(from: number, last: number): void {
    const prices = this.prices;
    const quantities = this.quantities;
    const orderCounts = this.orderCounts;
    for (let level = last; level > from; level--) {
      prices[level] = prices[level - 1]!;
      quantities[level] = quantities[level - 1]!;
      orderCounts[level] = orderCounts[level - 1]!;
    }
  }

  /** Levels to..count-1 move up to from.., closing the gap from..to-1. */
  private shiftUp(from: number, to: number, count: number): void {
    const prices = this.prices;
    const quantities = this.quantities;
    const orderCounts = this.orderCounts;
    for (let source = to, target = from; source < count; source++, target++) {
      prices[target] = prices[source]!;
      quantities[target] = quantities[source]!;
      orderCounts[target] = orderCounts[source]!;
    }
  }

  private write(level: number, view: DataView, priceOffset: number, quantity: number, orderCount: number): void {
    storeInt64(this.prices, level, view, priceOffset);
    this.quantities[level] = quantity;
    this.orderCounts[level] = orderCount;
  }

  private writeEmpty(level: number): void {
    this.prices[level] = Number.NaN;
    this.quantities[level] = 0;
    this.orderCounts[level] = 0;
  }
}

/** Slots of PriceLevelBook's numeric state. */
const LAST_TRADE_PRICE = 0;
const LAST_TRADE_QUANTITY = 1;
const TRANSACT_TIME = 2;
const RPT_SEQ = 3;
const STATE_LENGTH = 4;

/** One instrument's MBP book; the feed handler owns it and changes it in place. */
export class PriceLevelBook implements Book {
  readonly securityId: number;
  readonly depth: number;
  readonly bids: PriceLevels;
  readonly asks: PriceLevels;
  readonly impliedBids: PriceLevels;
  readonly impliedAsks: PriceLevels;
  /** Changed since the last end of event: the builder reports it then, once. */
  changedInEvent = false;
  private readonly state = new Float64Array(STATE_LENGTH);

  constructor(securityId: number, depth: number = DEFAULT_BOOK_DEPTH, impliedDepth: number = depth) {
    this.securityId = securityId;
    this.depth = depth;
    this.bids = new PriceLevels(depth);
    this.asks = new PriceLevels(depth);
    this.impliedBids = new PriceLevels(impliedDepth);
    this.impliedAsks = new PriceLevels(impliedDepth);
    this.state[LAST_TRADE_PRICE] = Number.NaN;
  }

  get lastTradePrice(): number {
    return this.state[LAST_TRADE_PRICE]!;
  }

  get lastTradeQuantity(): number {
    return this.state[LAST_TRADE_QUANTITY]!;
  }

  get transactTime(): number {
    return this.state[TRANSACT_TIME]!;
  }

  get rptSeq(): number {
    return this.state[RPT_SEQ]!;
  }

  /** The u64 TransactTime and u32 RptSeq of the update being applied, read from the message. */
  noteUpdate(view: DataView, transactTimeOffset: number, rptSeqOffset: number): void {
    storeUint64(this.state, TRANSACT_TIME, view, transactTimeOffset);
    this.state[RPT_SEQ] = view.getUint32(rptSeqOffset, true);
  }

  /** A trade: the int64 price mantissa at `priceOffset`. */
  noteTrade(view: DataView, priceOffset: number, quantity: number): void {
    storeInt64(this.state, LAST_TRADE_PRICE, view, priceOffset);
    this.state[LAST_TRADE_QUANTITY] = quantity;
  }

  /** Empties every side (BookReset entry, snapshot restart, ChannelReset); the last trade goes too. */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.impliedBids.clear();
    this.impliedAsks.clear();
    this.state[LAST_TRADE_PRICE] = Number.NaN;
    this.state[LAST_TRADE_QUANTITY] = 0;
  }
}

// The little-endian int64 at `offset`, as a number (exact to 2^53), stored into target[index].
// Stored here rather than returned: whether V8 inlines a helper depends on its inlining budget
// when the caller is compiled, and a double returned from a call that is not inlined is boxed
// (one HeapNumber per book entry: seen in one worker run in four, 3.5 MB in 100k packets).
function storeInt64(target: Float64Array, index: number, view: DataView, offset: number): void {
  target[index] = view.getInt32(offset + 4, true) * TWO_POW_32 + view.getUint32(offset, true);
}

function storeUint64(target: Float64Array, index: number, view: DataView, offset: number): void {
  target[index] = view.getUint32(offset + 4, true) * TWO_POW_32 + view.getUint32(offset, true);
}
