import { afterEach, describe, expect, it } from 'vitest';
import { ExecType, OrderCancelRequestDecoder } from '../../src/generated/order-entry/index.js';
import { OrderSide, RejectReason, type NewOrderRequest } from '../../src/order/order-request.js';
import { RISK_ALLOWED, RiskChecks, type RiskConfig } from '../../src/order/risk.js';
import { ExchangeFixture, type Responder } from './fixtures/exchange.js';
import { ManualClock, RecordingListener, pumpUntil, routerFor } from './fixtures/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const MS = 1e6;
const PRICE = 100_000_000_000; // 100.0 in 1e-9 units

/** A router on an established session whose risk clock the test moves by hand. */
async function routerWithRisk(risk: RiskConfig, respond: Responder = 'ack') {
  const exchange = await ExchangeFixture.start({ respond });
  cleanups.push(() => exchange.close());
  const clock = new ManualClock();
  const router = routerFor(exchange, { risk, clock });
  cleanups.push(() => router.close());
  const listener = new RecordingListener();
  const entry = router.register(listener);
  await pumpUntil(router, 'established', () => router.session.isEstablished);
  const buy = (quantity: number, price = PRICE, securityId = 1): number => entry.newOrder({ securityId, side: OrderSide.Buy, price, quantity });
  const sell = (quantity: number, price = PRICE, securityId = 1): number => entry.newOrder({ securityId, side: OrderSide.Sell, price, quantity });
  const lastReject = () => listener.rejects.at(-1);
  return { exchange, router, listener, entry, clock, buy, sell, lastReject };
}

describe('pre-trade risk checks', () => {
  it('max order quantity: per instrument, with a default for the rest', async () => {
    const { router, buy, lastReject } = await routerWithRisk({ defaults: { maxOrderQuantity: 1000 }, instruments: { '12345': { maxOrderQuantity: 100 } } });

    expect(buy(500, PRICE, 12345)).toBe(0);
    expect(lastReject()).toEqual({ clOrdId: 0, securityId: 12345, reason: RejectReason.MaxOrderQuantity, text: 'quantity 500 > max 100 for security 12345' });
    expect(buy(100, PRICE, 12345)).toBeGreaterThan(0);
    expect(buy(500, PRICE, 7)).toBeGreaterThan(0);
    expect(buy(1001, PRICE, 7)).toBe(0);
    expect(buy(0, PRICE, 7)).toBe(0);
    expect(router.counters.rejectCount(RejectReason.MaxOrderQuantity)).toBe(3);
    expect(router.counters.ordersSent).toBe(2);
  });

  it('price band: around the reference price, once there is one; market orders pass', async () => {
    const { router, entry, buy, sell, lastReject } = await routerWithRisk({ defaults: { priceBandBps: 100 } });

    expect(buy(1, 500 * PRICE)).toBeGreaterThan(0); // no reference yet
    router.setReferencePrice(1, PRICE);
    expect(buy(1, 101_000_000_000)).toBeGreaterThan(0);
    expect(sell(1, 99_000_000_000)).toBeGreaterThan(0);
    expect(buy(1, 101_010_000_000)).toBe(0);
    expect(lastReject()).toMatchObject({ reason: RejectReason.PriceBand, text: 'price 101.01 is more than 100 bps from the reference 100 for security 1' });
    expect(sell(1, 98_900_000_000)).toBe(0);
    expect(entry.newOrder({ securityId: 1, side: OrderSide.Buy, price: NaN, quantity: 1 })).toBeGreaterThan(0);
    expect(router.counters.rejectCount(RejectReason.PriceBand)).toBe(2);
  });

  it('max open orders: counts orders until the exchange finishes them', async () => {
    // given an exchange that answers only when told
    const { exchange, router, listener, buy, lastReject } = await routerWithRisk({ instruments: { '1': { maxOpenOrders: 2 } } }, 'none');
    const first = buy(1);
    buy(1, PRICE + 1);

    // when
    expect(buy(1, PRICE + 2)).toBe(0);
    expect(lastReject()).toMatchObject({ reason: RejectReason.MaxOpenOrders, text: '2 open orders: max 2 for security 1' });
    await pumpUntil(router, 'two orders', () => exchange.newOrders.length === 2);
    exchange.send(exchange.executionReport({ clOrdId: first, securityId: 1, side: 1, execType: ExecType.Fill, ordStatus: 2, lastQty: 1, leavesQty: 0, cumQty: 1 }));
    await pumpUntil(router, 'the fill', () => listener.reports.length === 1);

    // then
    expect(buy(1, PRICE + 2)).toBeGreaterThan(0);
    expect(buy(1, PRICE + 3)).toBe(0);
  });

  it('max position: the worst case if every open order on the side filled', async () => {
    const { router, entry, listener, buy, sell, lastReject } = await routerWithRisk({ defaults: { maxPosition: 10 } }, 'fill');
    buy(6);
    await pumpUntil(router, 'the fill', () => listener.reports.length === 2);
    expect(entry.position(1)).toBe(6);

    expect(buy(5)).toBe(0);
    expect(lastReject()).toMatchObject({ reason: RejectReason.MaxPosition, text: 'position could reach 11: max 10 for security 1' });
    expect(buy(4)).toBeGreaterThan(0);
    expect(sell(16)).toBeGreaterThan(0);
    expect(sell(1)).toBe(0); // 6 filled - 16 open sells - 1 = -11
  });

  it('max position: an order that reduces a breached position still goes', () => {
    const risk = new RiskChecks({ defaults: { maxPosition: 10 } });
    const instrument = risk.instrument(1);
    instrument.position = 15;

    const clock = new ManualClock();

    expect(risk.checkNewOrder(instrument, { securityId: 1, side: OrderSide.Sell, price: PRICE, quantity: 3 }, clock)).toBe(RISK_ALLOWED);
    expect(risk.checkNewOrder(instrument, { securityId: 1, side: OrderSide.Buy, price: PRICE, quantity: 1 }, clock)).toBe(RejectReason.MaxPosition);
  });

  it('throttle: at most N orders in any sliding second; refused orders use no budget', async () => {
    const { clock, buy, lastReject, router } = await routerWithRisk({ defaults: { maxOrdersPerSecond: 3 } });
    const at = (ms: number, price: number) => {
      clock.nanos = ms * MS;
      return buy(1, PRICE + price) > 0;
    };

    expect([at(0, 0), at(100, 1), at(200, 2)]).toEqual([true, true, true]);
    expect(at(300, 3)).toBe(false);
    expect(lastReject()).toMatchObject({ reason: RejectReason.Throttle, text: 'more than 3 orders in one second for security 1' });
    expect(at(999, 4)).toBe(false);
    expect(at(1000, 5)).toBe(true); // the order at 0 ms left the window
    expect(at(1050, 6)).toBe(false); // 100, 200 and 1000 are within it
    expect(at(1100, 7)).toBe(true);
    expect(buy(1, PRICE, 2)).toBeGreaterThan(0); // another instrument has its own window
    expect(router.counters.rejectCount(RejectReason.Throttle)).toBe(3);
  });

  it('duplicate window: the same security, side, price and quantity within N ms', async () => {
    const { clock, buy, sell, lastReject } = await routerWithRisk({ defaults: { duplicateWindowMs: 50 } });

    expect(buy(5)).toBeGreaterThan(0);
    clock.nanos = 10 * MS;
    expect(buy(5)).toBe(0);
    expect(lastReject()).toMatchObject({ reason: RejectReason.DuplicateOrder, text: 'same side, price and quantity as an order 10.000 ms ago (window 50 ms) for security 1' });
    expect([buy(6), buy(5, PRICE + 1), sell(5), buy(5, PRICE, 2)].every((id) => id > 0)).toBe(true);
    clock.nanos = 60 * MS;
    expect(buy(5)).toBeGreaterThan(0);
  });

  it('checks a replace too: quantity, price band and position', async () => {
    const { router, entry, listener, buy } = await routerWithRisk({ defaults: { maxOrderQuantity: 10, priceBandBps: 100, maxPosition: 10 } });
    router.setReferencePrice(1, PRICE);
    const id = buy(4);
    buy(4, PRICE + 1);

    expect(entry.replace(id, PRICE, 11)).toBe(0);
    expect(entry.replace(id, 2 * PRICE, 4)).toBe(0);
    expect(entry.replace(id, PRICE, 7)).toBe(0); // 4 + 7 open on the buy side
    expect(entry.replace(id, PRICE, 6)).toBeGreaterThan(0);
    expect(listener.rejects.map((r) => r.reason)).toEqual([RejectReason.MaxOrderQuantity, RejectReason.PriceBand, RejectReason.MaxPosition]);
  });

  it('kill switch: cancels every working order, blocks new ones and replaces until released', async () => {
    // given three working orders
    const { exchange, router, entry, listener, buy, lastReject } = await routerWithRisk({});
    const ids = [buy(1), buy(2), buy(3)];
    await pumpUntil(router, 'three acks', () => listener.reports.length === 3);

    // when
    const cancels = router.setKillSwitch(true);
    await pumpUntil(router, 'three cancels', () => listener.reports.length === 6);

    // then
    const sentCancels = exchange.messages.filter((m) => m.templateId === OrderCancelRequestDecoder.TEMPLATE_ID);
    expect(cancels).toBe(3);
    expect(sentCancels.map((m) => m.origClOrdId).sort((a, b) => a - b)).toEqual(ids);
    expect(listener.reports.slice(3).every((r) => r.execType === ExecType.Canceled)).toBe(true);
    expect(entry.openOrderCount).toBe(0);
    expect(buy(1)).toBe(0);
    expect(lastReject()).toEqual({ clOrdId: 0, securityId: 1, reason: RejectReason.KillSwitch, text: 'kill switch engaged: no new orders' });
    expect(router.counters.killSwitchCancels).toBe(3);

    router.setKillSwitch(false);
    expect(buy(1)).toBeGreaterThan(0);
  });

  it('kill switch engaged while the session is down: cancels the working orders once it is back', async () => {
    // given a working order and a session that is down
    const { exchange, router, entry, listener, buy } = await routerWithRisk({});
    const id = buy(1);
    await pumpUntil(router, 'the ack', () => listener.reports.length === 1);
    exchange.refuseConnections = true;
    exchange.dropConnection();
    await pumpUntil(router, 'the session down', () => !router.session.isEstablished);

    // when
    expect(router.setKillSwitch(true)).toBe(0);
    exchange.refuseConnections = false;
    await pumpUntil(router, 'the cancel answered', () => listener.reports.length === 2);

    // then
    expect(exchange.messages.filter((m) => m.templateId === OrderCancelRequestDecoder.TEMPLATE_ID).map((m) => m.origClOrdId)).toEqual([id]);
    expect(entry.openOrderCount).toBe(0);
    expect(router.counters.killSwitchCancels).toBe(1);
  });

  it('refuses a limit that is not a non-negative number, naming it', () => {
    expect(() => new RiskChecks({ instruments: { '5': { maxPosition: -1 } } })).toThrow('risk.instruments.5.maxPosition must be a number >= 0: maxPosition=-1');
    expect(() => new RiskChecks({ instruments: { ES: {} } })).toThrow('risk.instruments: key "ES" is not a securityId');
  });
});
