import { describe, expect, it } from 'vitest';
import { ExecType } from '../../src/generated/order-entry/index.js';
import { RejectReason } from '../../src/order/order-request.js';
import { loadStrategy } from '../../src/strategy/loader.js';
import { createTestHost, executionReport, topOfBook, type TestHost } from './host-fixtures.js';

const ES = 10001;
const TICK = 250_000_000;
const PRICE = 4_500_000_000_000;
const BUY = 1;
const SELL = 2;

async function marketMaker(params: Record<string, unknown> = {}): Promise<TestHost> {
  const strategy = await loadStrategy({ path: 'strategies/market-maker.ts', params: { securityId: ES, tickSize: TICK, spreadTicks: 1, size: 2, maxPosition: 3, ...params } });
  const test = createTestHost([strategy]);
  test.host.start();
  return test;
}

describe('strategies/market-maker.ts', () => {
  it('quotes a bid and an ask around the top of book, size from params', async () => {
    const { host, orders } = await marketMaker();

    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));

    expect(orders.requests).toEqual([
      { securityId: ES, side: BUY, price: PRICE, quantity: 2 },
      { securityId: ES, side: SELL, price: PRICE + TICK, quantity: 2 },
    ]);
  });

  it('quotes wider with a wider spread, on the tick grid', async () => {
    const { host, orders } = await marketMaker({ spreadTicks: 3 });
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));
    // mid 4500.125, half spread 0.375: bid 4499.75, ask 4500.50
    expect(orders.requests.map((request) => request.price)).toEqual([PRICE - TICK, PRICE + 2 * TICK]);
  });

  it('ignores other instruments and one-sided books', async () => {
    const { host, orders } = await marketMaker();
    host.onBook(topOfBook(ES + 1, PRICE, PRICE + TICK));
    host.onBook(topOfBook(ES, PRICE, undefined));
    expect(orders.requests).toEqual([]);
  });

  it('replaces its quotes when the book moves, one request at a time until each is answered', async () => {
    // given quotes 1 (bid) and 2 (ask)
    const { host, orders } = await marketMaker();
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));

    // when the book moves up a tick, twice, before any answer
    host.onBook(topOfBook(ES, PRICE + TICK, PRICE + 2 * TICK));
    host.onBook(topOfBook(ES, PRICE + 2 * TICK, PRICE + 3 * TICK));

    // then each quote was replaced once (ids 3 and 4), not again while pending
    expect(orders.replaces).toEqual([
      { clOrdId: 1, price: PRICE + TICK, quantity: 2 },
      { clOrdId: 2, price: PRICE + 2 * TICK, quantity: 2 },
    ]);

    // when the bid's replace is confirmed, the next move replaces it again under its new id
    orders.events[0]!.onExecutionReport(executionReport(3, ExecType.Replaced, { origClOrdId: 1 }));
    host.onBook(topOfBook(ES, PRICE + 3 * TICK, PRICE + 4 * TICK));
    expect(orders.replaces.at(-1)).toEqual({ clOrdId: 3, price: PRICE + 3 * TICK, quantity: 2 });
  });

  it('pulls the side that would add to its inventory at the limit, and requotes at once on a fill', async () => {
    // given quotes 1 (bid) and 2 (ask)
    const { host, orders, books } = await marketMaker();
    const book = topOfBook(ES, PRICE, PRICE + TICK);
    books.set(ES, book);
    host.onBook(book);

    // when the bid fills and takes the position to the limit
    orders.position = 3;
    orders.events[0]!.onExecutionReport(executionReport(1, ExecType.Fill, { lastQty: 3 }));

    // then no new bid is placed (the ask stays), even on the next book
    host.onBook(book);
    expect(orders.requests.filter((request) => request.side === BUY)).toHaveLength(1);

    // when the position comes back under the limit (the ask sold), a fill requotes the bid at once
    const before = orders.requests.length;
    orders.position = 2;
    orders.events[0]!.onExecutionReport(executionReport(2, ExecType.Fill, { lastQty: 1 }));
    expect(orders.requests.slice(before)).toEqual([
      { securityId: ES, side: BUY, price: PRICE, quantity: 2 },
      { securityId: ES, side: SELL, price: PRICE + TICK, quantity: 2 },
    ]);
  });

  it('cancels a working quote when the inventory limit is reached, and its quotes on stop', async () => {
    const { host, orders } = await marketMaker();
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));

    // short at the limit: the ask (2) must go
    orders.position = -3;
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));
    expect(orders.cancels).toEqual([2]);

    host.stop();
    expect(orders.cancels).toEqual([2, 1, 2]);
  });

  it('forgets an order the exchange never got (a reject after a reconnect), and quotes again', async () => {
    const { host, orders } = await marketMaker();
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));

    orders.events[0]!.onReject({ clOrdId: 1, securityId: ES, reason: RejectReason.SessionDown, text: 'not received' });
    host.onBook(topOfBook(ES, PRICE, PRICE + TICK));

    expect(orders.requests.filter((request) => request.side === BUY)).toHaveLength(2);
  });
});
