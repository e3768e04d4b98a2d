/**
 * What the feed has told receivers about one instrument's book, and how to tell them the rest.
 *
 * MDP3 price-level updates address levels by position with shifting semantics: New at level n
 * pushes levels n.. down (the one past the depth falls off), Delete at level n pulls the ones
 * below it up. Rather than reasoning about each book change, the publisher keeps a copy of the
 * book as a receiver holds it, compares it level by level with the matching engine's book, and
 * emits the New/Change/Delete entries that make them equal, applying each to its copy as a
 * receiver would. The entries are therefore right for any change, by construction.
 */
import { MDEntryTypeBook, MDUpdateAction } from '../generated/mdp3/index.js';
import type { EntryBatch } from './entry-batch.js';
import type { InstrumentBook } from './matching-engine.js';
import type { BookSide } from './order-book.js';

/** One side as receivers hold it: `depth` levels at most, best first. */
class PublishedSide {
  count = 0;
  readonly priceTicks: Float64Array;
  readonly quantity: Int32Array;
  readonly orderCount: Int32Array;

  constructor(
    readonly depth: number,
    readonly entryType: number,
  ) {
    this.priceTicks = new Float64Array(depth);
    this.quantity = new Int32Array(depth);
    this.orderCount = new Int32Array(depth);
  }

  /** Appends the entries that turn this side into the top `depth` levels of `side`. */
  catchUp(side: BookSide, instrument: PublishedBook, out: EntryBatch): void {
    let index = 0;
    while (index < this.depth) {
      const shown = index < this.count;
      if (index >= side.count) {
        if (!shown) return;
        instrument.emit(out, this.priceTicks[index]!, 0, 0, index, MDUpdateAction.Delete, this.entryType);
        this.deleteAt(index);
        continue;
      }
      const level = side.levels[index]!;
      const quantity = level.totalQty;
      const orderCount = level.orderCount;
      if (!shown || side.isBetter(level.priceTicks, this.priceTicks[index]!)) {
        instrument.emit(out, level.priceTicks, quantity, orderCount, index, MDUpdateAction.New, this.entryType);
        this.insertAt(index, level.priceTicks, quantity, orderCount);
        index++;
      } else if (level.priceTicks === this.priceTicks[index]) {
        if (quantity !== this.quantity[index] || orderCount !== this.orderCount[index]) {
          instrument.emit(out, level.priceTicks, quantity, orderCount, index, MDUpdateAction.Change, this.entryType);
          this.quantity[index] = quantity;
          this.orderCount[index] = orderCount;
        }
        index++;
      } else {
        // The shown level ranks before the book's level here, and the levels above match: it is gone.
        instrument.emit(out, this.priceTicks[index]!, 0, 0, index, MDUpdateAction.Delete, this.entryType);
        this.deleteAt(index);
      }
    }
  }

  /** Appends every level as receivers hold it (for a snapshot: no RptSeq, no action). */
  appendLevels(securityId: number, tickSize: number, out: EntryBatch): void {
    for (let index = 0; index < this.count; index++) {
      out.add(securityId, this.priceTicks[index]!, tickSize, this.quantity[index]!, this.orderCount[index]!, 0, index + 1, 0, this.entryType);
    }
  }

  private insertAt(index: number, priceTicks: number, quantity: number, orderCount: number): void {
    const last = Math.min(this.count, this.depth - 1); // the level pushed past the depth falls off
    this.priceTicks.copyWithin(index + 1, index, last);
    this.quantity.copyWithin(index + 1, index, last);
    this.orderCount.copyWithin(index + 1, index, last);
    this.priceTicks[index] = priceTicks;
    this.quantity[index] = quantity;
    this.orderCount[index] = orderCount;
    this.count = last + 1;
  }

  private deleteAt(index: number): void {
    this.priceTicks.copyWithin(index, index + 1, this.count);
    this.quantity.copyWithin(index, index + 1, this.count);
    this.orderCount.copyWithin(index, index + 1, this.count);
    this.count--;
  }
}

/** One instrument's published state: both sides and the RptSeq of its last entry. */
export class PublishedBook {
  /** RptSeq of the last entry sent for this instrument (book and trade entries share it). */
  rptSeq = 0;
  private readonly bids: PublishedSide;
  private readonly asks: PublishedSide;

  constructor(
    readonly book: InstrumentBook,
    depth: number,
  ) {
    this.bids = new PublishedSide(depth, MDEntryTypeBook.Bid);
    this.asks = new PublishedSide(depth, MDEntryTypeBook.Offer);
  }

  /** Appends the book entries that bring receivers up to date with the matching engine. */
  catchUp(out: EntryBatch): void {
    this.bids.catchUp(this.book.bids, this, out);
    this.asks.catchUp(this.book.asks, this, out);
  }

  /** Appends the book as receivers hold it, bids then offers, for SnapshotFullRefresh52. */
  snapshot(out: EntryBatch): void {
    this.bids.appendLevels(this.book.securityId, this.book.spec.tickSize, out);
    this.asks.appendLevels(this.book.securityId, this.book.spec.tickSize, out);
  }

  /** Appends the instrument's pending trades as trade entries and forgets them. */
  takeTrades(out: EntryBatch): void {
    const trades = this.book.trades;
    const tickSize = this.book.spec.tickSize;
    for (let index = 0; index < trades.count; index++) {
      out.add(
        this.book.securityId,
        trades.priceTicks[index]!,
        tickSize,
        trades.quantity[index]!,
        trades.orderCount[index]!,
        ++this.rptSeq,
        trades.aggressorSide[index]!,
        MDUpdateAction.New,
        0,
      );
    }
    trades.clear();
  }

  emit(out: EntryBatch, priceTicks: number, quantity: number, orderCount: number, levelIndex: number, action: number, entryType: number): void {
    out.add(this.book.securityId, priceTicks, this.book.spec.tickSize, quantity, orderCount, ++this.rptSeq, levelIndex + 1, action, entryType);
  }
}
