/**
 * The market mirror's fast path (a book with no client order copied straight from the recorded
 * levels) gives the very book its general path gives, whatever the recorded book holds: levels
 * out of order, on one price, empty, off the tick, crossed sides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketMirror } from '../../src/backtest/market-mirror.js';
import type { Book, BookSide } from '../../src/feed/market-data.js';
import { MatchingEngine } from '../../src/sim/matching-engine.js';
import { BUY, ClientOrder, type BookSide as EngineSide } from '../../src/sim/order-book.js';

const SECURITY_ID = 3;
const ONE = 1_000_000_000;

interface Level {
  price: number;
  quantity: number;
}

class RecordedSide implements BookSide {
  constructor(readonly levels: readonly Level[]) {}
  get levelCount(): number {
    return this.levels.length;
  }
  price(level: number): number {
    return this.levels[level]!.price;
  }
  quantity(level: number): number {
    return this.levels[level]!.quantity;
  }
  orderCount(): number {
    return 1;
  }
}

function recordedBook(bids: readonly Level[], asks: readonly Level[]): Book {
  const none = new RecordedSide([]);
  const book = { securityId: SECURITY_ID, depth: 10, bids: new RecordedSide(bids), asks: new RecordedSide(asks) };
  return { ...book, impliedBids: none, impliedAsks: none, lastTradePrice: Number.NaN, lastTradeQuantity: 0, transactTime: 0, rptSeq: 0 };
}

/** A mirror over a source whose recorded book the test sets; with `clientBid`, a client order rests at 1 tick, so sync takes the general path. */
function mirrorOf(clientBid: boolean) {
  const engine = new MatchingEngine([], { levelCapacity: 12 });
  // The first recorded book fixes the instrument's tick: 1.0 (ONE).
  let recorded = recordedBook([{ price: ONE, quantity: 1 }], []);
  const mirror = new MarketMirror(engine, { book: () => recorded }, { workingOrderCount: clientBid ? 1 : 0 });
  mirror.prepare(SECURITY_ID);
  if (clientBid) {
    const order = new ClientOrder({ onOrderFill: () => {} });
    Object.assign(order, { securityId: SECURITY_ID, side: BUY, priceTicks: 1, tickSize: ONE, orderQty: 1 });
    engine.submit(order);
  }
  return {
    sync(bids: readonly Level[], asks: readonly Level[]) {
      recorded = recordedBook(bids, asks);
      mirror.prepare(SECURITY_ID);
    },
    syntheticLevels(side: 'bids' | 'asks') {
      const bookSide: EngineSide = engine.book(SECURITY_ID)![side];
      return bookSide.levels.slice(0, bookSide.count).filter((level) => level.syntheticQty > 0).map((level) => [level.priceTicks, level.syntheticQty]);
    },
  };
}

/** Whole prices from 10 to 30 (the client bid at 1 stays out of their way), now and then off the tick; any quantity, some not positive. */
const level = fc.record({
  price: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 10, max: 30 }).map((units) => units * ONE) }, { weight: 1, arbitrary: fc.constant(12.5 * ONE) }),
  quantity: fc.integer({ min: -1, max: 50 }),
});
const side = fc.array(level, { maxLength: 14 });
/** Mostly books as the feed keeps them: best first, bids below asks. */
const orderedBook = fc.tuple(fc.uniqueArray(fc.integer({ min: 10, max: 19 }), { maxLength: 10 }), fc.uniqueArray(fc.integer({ min: 20, max: 30 }), { maxLength: 10 })).map(([bids, asks]) => ({
  bids: bids.sort((a, b) => b - a).map((units) => ({ price: units * ONE, quantity: 5 })),
  asks: asks.sort((a, b) => a - b).map((units) => ({ price: units * ONE, quantity: 7 })),
}));
const anyBook = fc.oneof(orderedBook, fc.record({ bids: side, asks: side }));

describe('MarketMirror', () => {
  it('sets a book with no client order to what the general path makes of the recorded levels', () => {
    fc.assert(
      fc.property(fc.array(anyBook, { minLength: 1, maxLength: 4 }), (books) => {
        const fast = mirrorOf(false);
        const general = mirrorOf(true);
        for (const { bids, asks } of books) {
          fast.sync(bids, asks);
          general.sync(bids, asks);
          expect(fast.syntheticLevels('bids')).toEqual(general.syntheticLevels('bids'));
          expect(fast.syntheticLevels('asks')).toEqual(general.syntheticLevels('asks'));
        }
      }),
      { numRuns: 500 },
    );
  });
});
