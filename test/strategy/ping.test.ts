import { describe, expect, it } from 'vitest';
import { loadStrategy } from '../../src/strategy/loader.js';
import { createTestHost, topOfBook } from './host-fixtures.js';

const PRICE = 4_500_000_000_000;
const TICK = 250_000_000;
const IMMEDIATE_OR_CANCEL = 3;

describe('strategies/ping.ts', () => {
  it('answers every book update with one IOC order across the spread, alternating sides', async () => {
    const { host, orders } = createTestHost([await loadStrategy({ path: 'strategies/ping.ts' })]);
    host.start();

    host.onBook(topOfBook(10001, PRICE, PRICE + TICK));
    host.onBook(topOfBook(10002, PRICE, PRICE + TICK));
    host.onBook(topOfBook(10001, PRICE - TICK, PRICE));

    expect(orders.requests).toEqual([
      { securityId: 10001, side: 1, price: PRICE + TICK, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL },
      { securityId: 10002, side: 2, price: PRICE, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL },
      { securityId: 10001, side: 1, price: PRICE, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL },
    ]);
  });

  it('keeps to one instrument when told, and skips a book with nothing to hit', async () => {
    const { host, orders } = createTestHost([await loadStrategy({ path: 'strategies/ping.ts', params: { securityId: 10002, quantity: 3 } })]);
    host.start();

    host.onBook(topOfBook(10001, PRICE, PRICE + TICK));
    host.onBook(topOfBook(10002, PRICE, undefined));
    host.onBook(topOfBook(10002, PRICE, PRICE + TICK));

    expect(orders.requests).toEqual([{ securityId: 10002, side: 1, price: PRICE + TICK, quantity: 3, timeInForce: IMMEDIATE_OR_CANCEL }]);
  });

  it('with cross: false, joins its own side at the best price, so its IOC orders never trade', async () => {
    const { host, orders } = createTestHost([await loadStrategy({ path: 'strategies/ping.ts', params: { cross: false } })]);
    host.start();

    host.onBook(topOfBook(10001, PRICE, PRICE + TICK));
    host.onBook(topOfBook(10001, PRICE, PRICE + TICK));

    expect(orders.requests).toEqual([
      { securityId: 10001, side: 1, price: PRICE, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL },
      { securityId: 10001, side: 2, price: PRICE + TICK, quantity: 1, timeInForce: IMMEDIATE_OR_CANCEL },
    ]);
  });
});
