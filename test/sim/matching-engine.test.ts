/** The simulator's matching: price-time priority, synthetic liquidity first at a level, deterministic. */
import { describe, expect, it } from 'vitest';
import { defaultInstruments, type InstrumentSpec } from '../../src/sim/instruments.js';
import { MatchingEngine, SubmitOutcome, type InstrumentBook } from '../../src/sim/matching-engine.js';
import { BUY, ClientOrder, SELL, type OrderOwner, type OrderSideValue } from '../../src/sim/order-book.js';
import { SeededRandom } from '../../src/sim/seeded-random.js';
import { SyntheticMarket } from '../../src/sim/synthetic-market.js';

const SPEC: InstrumentSpec = { securityId: 1, asset: 'T', tickSize: 1_000_000, initialBidTicks: 100 };

class FillLog implements OrderOwner {
  readonly fills: Array<{ clOrdId: number; priceTicks: number; quantity: number }> = [];
  onOrderFill(order: ClientOrder, priceTicks: number, quantity: number): void {
    this.fills.push({ clOrdId: order.clOrdId, priceTicks, quantity });
  }
}

function setUp(levelCapacity = 16) {
  const engine = new MatchingEngine([SPEC], { levelCapacity });
  const book = engine.book(1)!;
  const owner = new FillLog();
  let nextClOrdId = 1;
  const order = (side: OrderSideValue, priceTicks: number, quantity: number, immediateOrCancel = false) => {
    const created = new ClientOrder(owner);
    created.orderId = engine.newOrderId();
    created.clOrdId = nextClOrdId++;
    created.securityId = 1;
    created.side = side;
    created.priceTicks = priceTicks;
    created.tickSize = SPEC.tickSize;
    created.orderQty = quantity;
    created.immediateOrCancel = immediateOrCancel;
    return created;
  };
  return { engine, book, owner, order };
}

function levels(book: InstrumentBook, side: OrderSideValue) {
  const bookSide = book.side(side);
  return bookSide.levels.slice(0, bookSide.count).map((level) => [level.priceTicks, level.syntheticQty, level.clientQty]);
}

describe('matching engine', () => {
  it('fills a level synthetic quantity first, then client orders in the order they arrived', () => {
    // given
    const { engine, book, owner, order } = setUp();
    engine.addSynthetic(book, BUY, 100, 5);
    const first = order(BUY, 100, 3);
    const second = order(BUY, 100, 4);
    expect(engine.submit(first)).toBe(SubmitOutcome.Resting);
    expect(engine.submit(second)).toBe(SubmitOutcome.Resting);
    // when a seller takes 10 at 100
    const traded = engine.match(book, SELL, 10, 100, null);
    // then
    expect(traded).toBe(10);
    expect(owner.fills).toEqual([
      { clOrdId: first.clOrdId, priceTicks: 100, quantity: 3 },
      { clOrdId: second.clOrdId, priceTicks: 100, quantity: 2 },
    ]);
    expect(first.level).toBeNull();
    expect(second.leavesQty).toBe(2);
    expect(levels(book, BUY)).toEqual([[100, 0, 2]]);
    expect(book.trades.count).toBe(1);
    expect([book.trades.priceTicks[0], book.trades.quantity[0], book.trades.aggressorSide[0], book.trades.orderCount[0]]).toEqual([100, 10, SELL, 4]);
  });

  it('takes the best price first and stops at the limit, resting the rest', () => {
    const { engine, book, owner, order } = setUp();
    engine.addSynthetic(book, SELL, 101, 2);
    engine.addSynthetic(book, SELL, 102, 2);
    engine.addSynthetic(book, SELL, 103, 2);
    const buy = order(BUY, 102, 6);
    expect(engine.submit(buy)).toBe(SubmitOutcome.Resting);
    expect(owner.fills).toEqual([
      { clOrdId: buy.clOrdId, priceTicks: 101, quantity: 2 },
      { clOrdId: buy.clOrdId, priceTicks: 102, quantity: 2 },
    ]);
    expect(levels(book, SELL)).toEqual([[103, 2, 0]]);
    expect(levels(book, BUY)).toEqual([[102, 0, 2]]);
  });

  it('cancels what an immediate-or-cancel order could not fill, and rests nothing', () => {
    const { engine, book, order } = setUp();
    engine.addSynthetic(book, SELL, 101, 2);
    const buy = order(BUY, 101, 5, true);
    expect(engine.submit(buy)).toBe(SubmitOutcome.RemainderCancelled);
    expect(buy.cumQty).toBe(2);
    expect(levels(book, BUY)).toEqual([]);
    expect(levels(book, SELL)).toEqual([]);
  });

  it('keeps an order in place when only its quantity shrinks, and sends it to the back when its price changes', () => {
    const { engine, book, owner, order } = setUp();
    const first = order(SELL, 105, 5);
    const second = order(SELL, 105, 5);
    engine.submit(first);
    engine.submit(second);
    expect(engine.amend(first, 105, 3)).toBe(true);
    engine.match(book, BUY, 1, 105, null);
    expect(owner.fills.at(-1)!.clOrdId).toBe(first.clOrdId);
    expect(engine.amend(first, 106, 3)).toBe(false);
    expect(engine.submit(first)).toBe(SubmitOutcome.Resting);
    expect(engine.amend(first, 105, 3)).toBe(false);
    expect(engine.submit(first)).toBe(SubmitOutcome.Resting);
    engine.match(book, BUY, 1, 105, null);
    expect(owner.fills.at(-1)!.clOrdId).toBe(second.clOrdId);
    expect(levels(book, SELL)).toEqual([[105, 0, 4 + 2]]);
  });

  it('removes a cancelled order and the level it leaves empty', () => {
    const { engine, book, order } = setUp();
    const buy = order(BUY, 90, 1);
    engine.submit(buy);
    engine.cancel(buy);
    expect(buy.level).toBeNull();
    expect(levels(book, BUY)).toEqual([]);
  });

  it('never lets synthetic quantity cross the book', () => {
    const { engine, book } = setUp();
    engine.addSynthetic(book, SELL, 101, 1);
    expect(engine.addSynthetic(book, BUY, 101, 1)).toBe(false);
    expect(engine.addSynthetic(book, BUY, 102, 1)).toBe(false);
    expect(engine.addSynthetic(book, BUY, 100, 1)).toBe(true);
  });

  it('refuses to rest an order on a side that holds its maximum number of levels', () => {
    const { engine, order } = setUp(2);
    expect(engine.submit(order(BUY, 90, 1))).toBe(SubmitOutcome.Resting);
    expect(engine.submit(order(BUY, 80, 1))).toBe(SubmitOutcome.Resting);
    expect(engine.submit(order(BUY, 70, 1))).toBe(SubmitOutcome.BookFull);
    expect(engine.submit(order(BUY, 90, 1))).toBe(SubmitOutcome.Resting);
  });
});

describe('synthetic market', () => {
  const run = (seed: number, steps: number) => {
    const engine = new MatchingEngine(defaultInstruments(3));
    const market = new SyntheticMarket(engine, new SeededRandom(seed), 10);
    market.open();
    const states: string[] = [];
    for (let step = 0; step < steps; step++) {
      market.step();
      for (const book of engine.books) book.trades.clear();
      states.push(JSON.stringify(engine.books.map((book) => [levels(book, BUY), levels(book, SELL)])));
    }
    return { engine, states };
  };

  it('moves the same way for the same seed, and another way for another seed', () => {
    expect(run(5, 300).states).toEqual(run(5, 300).states);
    expect(run(6, 300).states).not.toEqual(run(5, 300).states);
  });

  it('keeps every book uncrossed, sorted and quoted to its depth after every step', () => {
    const { engine } = run(9, 0);
    const market = new SyntheticMarket(engine, new SeededRandom(9), 10);
    const problems: string[] = [];
    for (let step = 0; step < 5000; step++) {
      market.step();
      for (const book of engine.books) {
        const bids = levels(book, BUY).map(([price]) => price!);
        const asks = levels(book, SELL).map(([price]) => price!);
        const sorted = bids.every((price, index) => index === 0 || price < bids[index - 1]!) && asks.every((price, index) => index === 0 || price > asks[index - 1]!);
        if (bids.length !== 10 || asks.length !== 10 || !(bids[0]! < asks[0]!) || !sorted) problems.push(`step ${step} ${book.securityId}: ${bids} / ${asks}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
