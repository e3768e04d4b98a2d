/**
 * Keeps one PriceLevelBook per instrument from the MDP 3.0 messages that change books:
 * MDIncrementalRefreshBook46 (entry by entry), MDIncrementalRefreshTradeSummary48 (last trade),
 * SnapshotFullRefresh52 (a whole book) and ChannelReset4 (every book empty). Books changed
 * during a matching event are reported once each when the event ends (EndOfEvent).
 *
 * It reads those messages through the project's own decoders (schemas/mdp3.xml), whatever
 * schema the handler dispatches with: mdp3-codecs.ts checks at start that the configured
 * schema lays these templates out the same way. Allocation happens only the first time an
 * instrument is seen (its book) and never per update.
 */
import {
  MDEntryType,
  MDEntryTypeBook,
  MDIncrementalRefreshBook46Decoder,
  MDIncrementalRefreshBook46NoMDEntriesDecoder,
  MDIncrementalRefreshTradeSummary48Decoder,
  MDIncrementalRefreshTradeSummary48NoMDEntriesDecoder,
  MDUpdateAction,
  SnapshotFullRefresh52Decoder,
  SnapshotFullRefresh52NoMDEntriesDecoder,
} from '../generated/mdp3/index.js';
import { DEFAULT_BOOK_DEPTH, PriceLevelBook, type PriceLevels } from './book.js';
import type { FeedCounters } from './feed-counters.js';
import type { Book, PacketInfo } from './market-data.js';

export interface BookListener {
  onBook(book: Book, packet: PacketInfo): void;
}

export interface BookOptions {
  /** Levels per outright side. Default 10. */
  depth?: number;
  /** Levels per implied side (CME sends 2). Default: the outright depth. */
  impliedDepth?: number;
}

/** Int32NULL: NumberOfOrders is null on implied levels. */
const INT32_NULL = 2147483647;

// Where the wide fields sit, for the book to read them in place (see book.ts on boxing).
const REFRESH_TRANSACT_TIME = MDIncrementalRefreshBook46Decoder.transactTimeEncodingOffset;
const REFRESH_ENTRY_PRICE = MDIncrementalRefreshBook46NoMDEntriesDecoder.mDEntryPxEncodingOffset;
const REFRESH_ENTRY_RPT_SEQ = MDIncrementalRefreshBook46NoMDEntriesDecoder.rptSeqEncodingOffset;
const TRADE_TRANSACT_TIME = MDIncrementalRefreshTradeSummary48Decoder.transactTimeEncodingOffset;
const TRADE_ENTRY_PRICE = MDIncrementalRefreshTradeSummary48NoMDEntriesDecoder.mDEntryPxEncodingOffset;
const TRADE_ENTRY_RPT_SEQ = MDIncrementalRefreshTradeSummary48NoMDEntriesDecoder.rptSeqEncodingOffset;
const SNAPSHOT_TRANSACT_TIME = SnapshotFullRefresh52Decoder.transactTimeEncodingOffset;
const SNAPSHOT_RPT_SEQ = SnapshotFullRefresh52Decoder.rptSeqEncodingOffset;
const SNAPSHOT_ENTRY_PRICE = SnapshotFullRefresh52NoMDEntriesDecoder.mDEntryPxEncodingOffset;

export class BookBuilder {
  readonly depth: number;
  readonly impliedDepth: number;
  private readonly counters: FeedCounters;
  private readonly books = new Map<number, PriceLevelBook>();
  /** Books changed in the current matching event, each once; grows only when a book is created. */
  private changed: PriceLevelBook[] = [];
  private changedCount = 0;
  /** The book of the last entry: consecutive entries mostly name the same instrument, and a field compare beats a Map lookup. */
  private lastBook: PriceLevelBook | undefined = undefined;
  private readonly bookRefresh = new MDIncrementalRefreshBook46Decoder();
  private readonly tradeSummary = new MDIncrementalRefreshTradeSummary48Decoder();
  private readonly snapshot = new SnapshotFullRefresh52Decoder();

  constructor(counters: FeedCounters, options: BookOptions = {}) {
    this.counters = counters;
    this.depth = options.depth ?? DEFAULT_BOOK_DEPTH;
    this.impliedDepth = options.impliedDepth ?? this.depth;
    new PriceLevelBook(0, this.depth, this.impliedDepth); // checks the depths now rather than at the first update
  }

  book(securityId: number): PriceLevelBook | undefined {
    return this.books.get(securityId);
  }

  /** Every book seen so far (cold path: status pages, tests). */
  allBooks(): IterableIterator<PriceLevelBook> {
    return this.books.values();
  }

  /** MDIncrementalRefreshBook46: each entry changes one level of one side of one book. */
  applyBookRefresh(view: DataView, blockOffset: number, blockLength: number, version: number, end: number): void {
    const message = this.bookRefresh.wrap(view, blockOffset, blockLength, version, end);
    for (const entries = message.noMDEntries(); entries.hasNext(); ) {
      entries.next();
      const book = this.bookFor(entries.securityID());
      book.noteUpdate(view, blockOffset + REFRESH_TRANSACT_TIME, entries.offset + REFRESH_ENTRY_RPT_SEQ);
      const entryType = entries.mDEntryType();
      if (entryType === MDEntryTypeBook.BookReset) {
        book.clear();
        continue;
      }
      const side = sideOf(book, entryType);
      const applied =
        side !== undefined &&
        applyAction(
          side,
          entries.mDUpdateAction(),
          entries.mDPriceLevel() - 1,
          view,
          entries.offset + REFRESH_ENTRY_PRICE,
          entries.mDEntrySize(),
          orderCount(entries.numberOfOrders()),
        );
      if (applied) this.counters.bookEntriesApplied++;
      else this.counters.bookEntriesRejected++;
    }
  }

  /** MDIncrementalRefreshTradeSummary48: the last trade of each instrument in it. */
  applyTradeSummary(view: DataView, blockOffset: number, blockLength: number, version: number, end: number): void {
    const message = this.tradeSummary.wrap(view, blockOffset, blockLength, version, end);
    for (const entries = message.noMDEntries(); entries.hasNext(); ) {
      entries.next();
      const book = this.bookFor(entries.securityID());
      book.noteUpdate(view, blockOffset + TRADE_TRANSACT_TIME, entries.offset + TRADE_ENTRY_RPT_SEQ);
      book.noteTrade(view, entries.offset + TRADE_ENTRY_PRICE, entries.mDEntrySize());
    }
  }

  /** SnapshotFullRefresh52: the instrument's whole book, replacing what was there. */
  applySnapshot(view: DataView, blockOffset: number, blockLength: number, version: number, end: number): void {
    const message = this.snapshot.wrap(view, blockOffset, blockLength, version, end);
    const book = this.bookFor(message.securityID());
    book.clear();
    book.noteUpdate(view, blockOffset + SNAPSHOT_TRANSACT_TIME, blockOffset + SNAPSHOT_RPT_SEQ);
    for (const entries = message.noMDEntries(); entries.hasNext(); ) {
      entries.next();
      const entryType = entries.mDEntryType();
      const priceOffset = entries.offset + SNAPSHOT_ENTRY_PRICE;
      if (entryType === MDEntryType.Trade) {
        book.noteTrade(view, priceOffset, entries.mDEntrySize());
        continue;
      }
      const side = sideOf(book, entryType);
      if (side === undefined) continue; // statistics (open, settlement, ...) are not book levels
      if (side.set(entries.mDPriceLevel() - 1, view, priceOffset, entries.mDEntrySize(), orderCount(entries.numberOfOrders()))) {
        this.counters.bookEntriesApplied++;
      } else {
        this.counters.bookEntriesRejected++;
      }
    }
  }

  /** ChannelReset4: every book of the channel is empty until rebuilt. */
  resetAll(): void {
    for (const book of this.books.values()) {
      book.clear();
      this.markChanged(book);
    }
  }

  /** At the end of a matching event: one onBook per book it changed. */
  publishEvent(listener: BookListener, packet: PacketInfo): void {
    const changed = this.changed;
    const count = this.changedCount;
    // Reset before calling out: a listener that throws must not leave books marked but unlisted.
    this.changedCount = 0;
    for (let index = 0; index < count; index++) changed[index]!.changedInEvent = false;
    for (let index = 0; index < count; index++) {
      this.counters.bookUpdates++;
      listener.onBook(changed[index]!, packet);
    }
  }

  private bookFor(securityId: number): PriceLevelBook {
    let book = this.lastBook;
    if (book === undefined || book.securityId !== securityId) {
      book = this.books.get(securityId) ?? this.addBook(securityId);
      this.lastBook = book;
    }
    this.markChanged(book);
    return book;
  }

  /**
   * The first sight of an instrument: its book, and one more slot in the changed list so that
   * marking a change never grows an array on the hot path. Kept out of bookFor: a closure over
   * a local there would make V8 allocate a context on every call.
   */
  private addBook(securityId: number): PriceLevelBook {
    const book = new PriceLevelBook(securityId, this.depth, this.impliedDepth);
    this.books.set(securityId, book);
    this.changed.push(book);
    return book;
  }

  private markChanged(book: PriceLevelBook): void {
    if (book.changedInEvent) return;
    book.changedInEvent = true;
    this.changed[this.changedCount++] = book;
  }
}

function sideOf(book: PriceLevelBook, entryType: number): PriceLevels | undefined {
  switch (entryType) {
    case MDEntryTypeBook.Bid:
      return book.bids;
    case MDEntryTypeBook.Offer:
      return book.asks;
    case MDEntryTypeBook.ImpliedBid:
      return book.impliedBids;
    case MDEntryTypeBook.ImpliedOffer:
      return book.impliedAsks;
    default:
      return undefined;
  }
}

/**
 * One MDUpdateAction on one side; `level` is 0-based, the price is the int64 mantissa at
 * `priceOffset` in `view`. False when it cannot apply (a book out of step).
 */
export function applyAction(
  side: PriceLevels, action: number, level: number, view: DataView, priceOffset: number, quantity: number, orders: number,
): boolean {
  switch (action) {
    case MDUpdateAction.New:
      return side.insert(level, view, priceOffset, quantity, orders);
    case MDUpdateAction.Change:
    case MDUpdateAction.Overlay:
      return side.update(level, view, priceOffset, quantity, orders);
    case MDUpdateAction.Delete:
      return side.remove(level);
    case MDUpdateAction.DeleteThru:
      side.clear();
      return true;
    case MDUpdateAction.DeleteFrom:
      return side.removeTopThrough(level);
    default:
      return false;
  }
}

function orderCount(numberOfOrders: number): number {
  return numberOfOrders === INT32_NULL ? 0 : numberOfOrders;
}
