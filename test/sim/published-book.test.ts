/**
 * The publisher's book diff, for any change: whatever the book becomes, the New/Change/Delete
 * entries it emits, applied with MDP3's level semantics by the reference book, give the book's
 * top levels exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryBatch } from '../../src/sim/entry-batch.js';
import { MatchingEngine, type InstrumentBook } from '../../src/sim/matching-engine.js';
import { BUY, SELL, type OrderSideValue } from '../../src/sim/order-book.js';
import { PublishedBook } from '../../src/sim/published-book.js';
import { ReferenceBook } from './support/reference-book.js';

const DEPTH = 5;
const TICK = 1_000_000;
const UPDATE_ACTIONS = ['New', 'Change', 'Delete'];

type Change = { side: OrderSideValue; offset: number; quantity: number };

/** A change to one side: add quantity at a price (bids 1..40 ticks under 1000, asks above), or take it all away. */
const change: fc.Arbitrary<Change> = fc.record({
  side: fc.constantFrom<OrderSideValue>(BUY, SELL),
  offset: fc.integer({ min: 1, max: 40 }),
  quantity: fc.integer({ min: -1, max: 20 }),
});

function apply(engine: MatchingEngine, book: InstrumentBook, { side, offset, quantity }: Change): void {
  const priceTicks = side === BUY ? 1000 - offset : 1000 + offset;
  if (quantity > 0) {
    engine.addSynthetic(book, side, priceTicks, quantity);
    return;
  }
  const index = book.side(side).indexOf(priceTicks);
  if (index >= 0) engine.removeSynthetic(book, side, book.side(side).levels[index]!, Number.MAX_SAFE_INTEGER);
}

function topLevels(book: InstrumentBook, side: OrderSideValue) {
  const bookSide = book.side(side);
  return bookSide.levels.slice(0, Math.min(DEPTH, bookSide.count)).map((level) => ({ price: level.priceTicks * TICK, size: level.totalQty, orders: level.orderCount }));
}

function applyEntries(batch: EntryBatch, reference: ReferenceBook): void {
  for (let index = 0; index < batch.count; index++) {
    reference.apply({
      MDEntryType: batch.entryType[index] === 48 ? 'Bid' : 'Offer',
      MDPriceLevel: batch.levelOrAggressor[index],
      MDUpdateAction: UPDATE_ACTIONS[batch.updateAction[index]!],
      MDEntryPx: { mantissa: batch.priceMantissa[index] },
      MDEntrySize: batch.quantity[index],
      NumberOfOrders: batch.orderCount[index],
    });
  }
}

describe('published book', () => {
  it('brings a receiver to the book\'s top levels after any sequence of changes, a few at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 6 }), { maxLength: 40 }), (events) => {
        const engine = new MatchingEngine([{ securityId: 1, asset: 'T', tickSize: TICK, initialBidTicks: 999 }]);
        const book = engine.book(1)!;
        const published = new PublishedBook(book, DEPTH);
        const reference = new ReferenceBook(DEPTH);
        const batch = new EntryBatch(4 * DEPTH);
        for (const event of events) {
          for (const each of event) apply(engine, book, each);
          batch.clear();
          published.catchUp(batch);
          applyEntries(batch, reference);
          expect(reference.bids).toEqual(topLevels(book, BUY));
          expect(reference.asks).toEqual(topLevels(book, SELL));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('emits nothing when nothing visible changed', () => {
    const engine = new MatchingEngine([{ securityId: 1, asset: 'T', tickSize: TICK, initialBidTicks: 999 }]);
    const book = engine.book(1)!;
    const published = new PublishedBook(book, DEPTH);
    for (let offset = 1; offset <= DEPTH + 3; offset++) engine.addSynthetic(book, BUY, 1000 - offset, 1);
    const batch = new EntryBatch(4 * DEPTH);
    published.catchUp(batch);
    expect(batch.count).toBe(DEPTH);
    batch.clear();
    engine.addSynthetic(book, BUY, 1000 - DEPTH - 2, 5); // below the published depth
    published.catchUp(batch);
    expect(batch.count).toBe(0);
  });
});
