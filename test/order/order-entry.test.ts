import { afterEach, describe, expect, it } from 'vitest';
import { ExecType, NewOrderSingleDecoder, OrdType, TimeInForce } from '../../src/generated/order-entry/index.js';
import { NO_TRIGGER_SEQ_NUM } from '../../src/order/message-encoder.js';
import { OrderSide, RejectReason, type NewOrderRequest } from '../../src/order/order-request.js';
import type { OrderRouter } from '../../src/order/order-router.js';
import { ExchangeFixture } from './fixtures/exchange.js';
import { RecordingListener, pumpUntil, routerFor } from './fixtures/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function established(options: Parameters<typeof routerFor>[1] = {}, respond: 'none' | 'ack' | 'fill' = 'ack') {
  const exchange = await ExchangeFixture.start({ respond });
  cleanups.push(() => exchange.close());
  const router = routerFor(exchange, options);
  cleanups.push(() => router.close());
  await pumpUntil(router, 'the session to be established', () => router.session.isEstablished);
  return { exchange, router };
}

function order(securityId: number, side: OrderSide, price: number, quantity: number): NewOrderRequest {
  return { securityId, side, price, quantity };
}

function send(router: OrderRouter, entry: ReturnType<OrderRouter['register']>, requests: NewOrderRequest[]): number[] {
  return requests.map((request) => entry.newOrder(request));
}

describe('OrderRouter order entry', () => {
  it('encodes each NewOrderSingle once, byte-correct, and sends a batch with one writev', async () => {
    // given
    const { exchange, router } = await established();
    const listener = new RecordingListener();
    const entry = router.register(listener);
    router.triggerSeqNum = 777;
    const writevsBefore = router.session.writevCalls;
    const before = Date.now() * 1e6;

    // when five orders are queued, then flushed once
    const ids = send(router, entry, [
      order(12345, OrderSide.Buy, 4_500_250_000_000, 3),
      order(12345, OrderSide.Sell, 4_500_500_000_000, 1),
      { securityId: 777, side: OrderSide.Buy, price: NaN, quantity: 2, timeInForce: 3 },
      order(-5, OrderSide.Sell, -1_250_000_000, 10),
      order(12345, OrderSide.Buy, 1, 4_000_000_000),
    ]);
    expect(exchange.newOrders).toHaveLength(0);
    router.flush();
    await pumpUntil(router, 'five orders at the exchange', () => exchange.newOrders.length === 5);

    // then
    expect(router.session.writevCalls - writevsBefore).toBe(1);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    const received = exchange.newOrders;
    expect(received.map((m) => [m.clOrdId, m.securityId, m.side, m.ordType, m.price, m.quantity])).toEqual([
      [1, 12345, OrderSide.Buy, OrdType.Limit, 4_500_250_000_000, 3],
      [2, 12345, OrderSide.Sell, OrdType.Limit, 4_500_500_000_000, 1],
      [3, 777, OrderSide.Buy, OrdType.Market, NaN, 2],
      [4, -5, OrderSide.Sell, OrdType.Limit, -1_250_000_000, 10],
      [5, 12345, OrderSide.Buy, OrdType.Limit, 1, 4_000_000_000],
    ]);
    expect(received.map((m) => m.seqNum)).toEqual([1, 2, 3, 4, 5]);
    expect(received.every((m) => m.triggerSeqNum === 777)).toBe(true);
    for (const m of received) {
      expect(m.sendingTime).toBeGreaterThanOrEqual(before - 1e9);
      expect(m.sendingTime).toBeLessThanOrEqual(Date.now() * 1e6 + 1e9);
      // SOFH length, encoding type, then the SBE header of NewOrderSingle
      expect(m.frame.length).toBe(4 + 8 + NewOrderSingleDecoder.BLOCK_LENGTH);
      expect([m.frame.readUInt16LE(0), m.frame.readUInt16LE(2)]).toEqual([m.frame.length, 0xcafe]);
      expect([m.frame.readUInt16LE(4), m.frame.readUInt16LE(6), m.frame.readUInt16LE(8), m.frame.readUInt16LE(10)]).toEqual([
        NewOrderSingleDecoder.BLOCK_LENGTH,
        NewOrderSingleDecoder.TEMPLATE_ID,
        8,
        0,
      ]);
    }
    expect(received[2]!.frame.readUInt8(4 + 8 + 18)).toBe(TimeInForce.ImmediateOrCancel);
    expect(router.counters.ordersSent).toBe(5);
  });

  it('sends each order at once in immediate mode', async () => {
    const { exchange, router } = await established({ sendMode: 'immediate' });
    const entry = router.register(new RecordingListener());
    const writevsBefore = router.session.writevCalls;

    send(router, entry, [order(1, OrderSide.Buy, 100, 1), order(1, OrderSide.Buy, 101, 1), order(1, OrderSide.Buy, 102, 1)]);

    expect(router.session.writevCalls - writevsBefore).toBe(3);
    await pumpUntil(router, 'three orders', () => exchange.newOrders.length === 3);
  });

  it('writes the null TriggerSeqNum for an order no packet triggered', async () => {
    const { exchange, router } = await established();
    const entry = router.register(new RecordingListener());

    entry.newOrder(order(1, OrderSide.Buy, 100, 1));

    await pumpUntil(router, 'the order', () => exchange.newOrders.length === 1);
    expect(exchange.newOrders[0]!.triggerSeqNum).toBe(NO_TRIGGER_SEQ_NUM);
  });

  it('routes execution reports to the strategy that sent the order, and tracks positions from fills', async () => {
    // given two strategies and an exchange that fills everything
    const { router } = await established({}, 'fill');
    const first = new RecordingListener();
    const second = new RecordingListener();
    const firstEntry = router.register(first);
    const secondEntry = router.register(second);

    // when
    const a = firstEntry.newOrder(order(10, OrderSide.Buy, 100, 3));
    const b = secondEntry.newOrder(order(10, OrderSide.Sell, 100, 5));
    const c = firstEntry.newOrder(order(20, OrderSide.Sell, 100, 2));
    expect(firstEntry.openOrderCount).toBe(2);
    await pumpUntil(router, 'six reports', () => first.reports.length + second.reports.length === 6);

    // then
    expect(first.reports.map((r) => [r.clOrdId, r.execType])).toEqual([
      [a, ExecType.New],
      [a, ExecType.Fill],
      [c, ExecType.New],
      [c, ExecType.Fill],
    ]);
    expect(second.reports.map((r) => [r.clOrdId, r.execType])).toEqual([
      [b, ExecType.New],
      [b, ExecType.Fill],
    ]);
    expect([firstEntry.position(10), firstEntry.position(20), secondEntry.position(10), secondEntry.position(99)]).toEqual([3, -2, -5, 0]);
    expect([firstEntry.openOrderCount, secondEntry.openOrderCount, router.liveOrderCount]).toEqual([0, 0, 0]);
    expect(router.risk.instrument(10).position).toBe(-2);
    expect([router.counters.fills, router.counters.filledQuantity]).toEqual([3, 10]);
  });

  it('cancels and replaces working orders, each request with its own ClOrdID', async () => {
    // given
    const { exchange, router } = await established();
    const listener = new RecordingListener();
    const entry = router.register(listener);
    const first = entry.newOrder(order(10, OrderSide.Buy, 100, 3));
    const second = entry.newOrder(order(10, OrderSide.Buy, 90, 4));
    await pumpUntil(router, 'two acks', () => listener.reports.length === 2);

    // when
    const cancelId = entry.cancel(first);
    const replaceId = entry.replace(second, 95, 6);
    await pumpUntil(router, 'cancel and replace answers', () => listener.reports.length === 4);

    // then the exchange got both requests naming the orders they act on
    const requests = exchange.messages.filter((m) => m.origClOrdId !== 0);
    expect(requests.map((m) => [m.clOrdId, m.origClOrdId])).toEqual([
      [cancelId, first],
      [replaceId, second],
    ]);
    expect(requests[1]!.price).toBe(95);
    expect(requests[1]!.quantity).toBe(6);
    expect(listener.reports.slice(2).map((r) => [r.clOrdId, r.execType])).toEqual([
      [cancelId, ExecType.Canceled],
      [replaceId, ExecType.Replaced],
    ]);
    // the replaced order now lives under its new ClOrdID; the old one is gone
    expect(entry.openOrderCount).toBe(1);
    expect(router.risk.instrument(10).openBuyQuantity).toBe(6);
    expect(entry.cancel(second)).toBe(0);
    expect(listener.rejects.at(-1)!.reason).toBe(RejectReason.UnknownOrder);
    expect(entry.cancel(replaceId)).toBeGreaterThan(0);
    expect([router.counters.cancelsSent, router.counters.replacesSent]).toEqual([2, 1]);
  });

  it('refuses a second cancel/replace while the first is unanswered', async () => {
    const { router } = await established({}, 'none');
    const listener = new RecordingListener();
    const entry = router.register(listener);
    const id = entry.newOrder(order(10, OrderSide.Buy, 100, 3));
    const cancelId = entry.cancel(id);

    expect(entry.replace(id, 101, 3)).toBe(0);

    expect(listener.rejects).toEqual([
      { clOrdId: id, securityId: 10, reason: RejectReason.RequestPending, text: `order ${id} already has a cancel/replace in flight (ClOrdID ${cancelId})` },
    ]);
  });

  it("refuses a cancel of another strategy's order as unknown", async () => {
    const { router } = await established();
    const mine = router.register(new RecordingListener());
    const otherListener = new RecordingListener();
    const other = router.register(otherListener);
    const id = mine.newOrder(order(10, OrderSide.Buy, 100, 3));

    expect(other.cancel(id)).toBe(0);

    expect(otherListener.rejects[0]).toMatchObject({ reason: RejectReason.UnknownOrder, text: `no working order with ClOrdID ${id} for this strategy` });
  });

  it('turns an exchange reject into a reject for the strategy, with the exchange reason', async () => {
    // given an exchange that answers nothing by itself
    const { exchange, router } = await established({}, 'none');
    const listener = new RecordingListener();
    const entry = router.register(listener);
    const id = entry.newOrder(order(10, OrderSide.Buy, 100, 3));
    await pumpUntil(router, 'the order', () => exchange.newOrders.length === 1);

    // when
    exchange.send(exchange.executionReport({ clOrdId: id, securityId: 10, side: 1, execType: ExecType.Rejected, ordStatus: 8, ordRejReason: 16 }));
    await pumpUntil(router, 'the reject', () => listener.rejects.length === 1);

    // then
    expect(listener.reports.map((r) => r.execType)).toEqual([ExecType.Rejected]);
    expect(listener.rejects[0]).toEqual({ clOrdId: id, securityId: 10, reason: RejectReason.ExchangeReject, text: 'exchange rejected: InvalidPrice' });
    expect(entry.openOrderCount).toBe(0);
    expect(router.counters.rejectCount(RejectReason.ExchangeReject)).toBe(1);
  });

  it('turns a BusinessReject naming an order into a reject with its text', async () => {
    const { exchange, router } = await established({}, 'none');
    const listener = new RecordingListener();
    const entry = router.register(listener);
    const id = entry.newOrder(order(10, OrderSide.Buy, 100, 3));
    await pumpUntil(router, 'the order', () => exchange.newOrders.length === 1);

    exchange.send(exchange.businessReject(id, 21, 'bad field'));
    await pumpUntil(router, 'the reject', () => listener.rejects.length === 1);

    expect(listener.rejects[0]).toMatchObject({ clOrdId: id, reason: RejectReason.ExchangeReject, text: 'exchange rejected: MalformedMessage: bad field' });
    expect(entry.openOrderCount).toBe(0);
  });
});
