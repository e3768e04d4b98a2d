/**
 * The promise of the order path across a dropped connection: every order a strategy was told
 * was sent (newOrder > 0) either reached the exchange exactly once, or came back to the
 * strategy as a SessionDown reject, exactly once; never both, never neither. The exchange
 * fixture is the judge of what it received (ClOrdIDs counted, SeqNums strictly increasing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OrderSide, RejectReason } from '../../src/order/order-request.js';
import { ExchangeFixture } from './fixtures/exchange.js';
import { RecordingListener, pumpUntil, routerFor } from './fixtures/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const BATCH = 10;

describe('order path across a dropped connection', () => {
  it('accounts for every order exactly once when the exchange drops mid-stream and comes back', async () => {
    // given
    const exchange = await ExchangeFixture.start({ respond: 'ack' });
    cleanups.push(() => exchange.close());
    const router = routerFor(exchange, { reconnectInitialMs: 5, reconnectMaxMs: 20 });
    cleanups.push(() => router.close());
    const listener = new RecordingListener();
    const entry = router.register(listener);
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    const accepted: number[] = [];
    let refused = 0;
    let price = 1;
    const sendBatch = () => {
      for (let i = 0; i < BATCH; i++) {
        const id = entry.newOrder({ securityId: 1, side: OrderSide.Buy, price: price++, quantity: 1 });
        if (id > 0) accepted.push(id);
        else refused++;
      }
      router.flush();
    };

    // when: the exchange drops after 55 orders (in the middle of the sixth batch's bytes),
    // stays away for a while, then accepts again
    exchange.dropAfter(55);
    for (let batch = 0; batch < 8; batch++) {
      sendBatch();
      await pumpUntil(router, 'a turn', () => true);
    }
    await pumpUntil(router, 'the drop noticed', () => !router.session.isEstablished);
    exchange.refuseConnections = true;
    await pumpUntil(router, 'two refused reconnects', () => exchange.connections === 1 && router.session.connectAttempts >= 3);
    sendBatch();
    exchange.refuseConnections = false;
    await pumpUntil(router, 're-established', () => router.session.isEstablished);
    for (let batch = 0; batch < 5; batch++) sendBatch();
    await pumpUntil(router, 'the last orders at the exchange', () => exchange.newOrderCounts.has(accepted.at(-1)!));

    // then: the exchange saw no ClOrdID twice and no SeqNum go backwards
    expect([...exchange.newOrderCounts.values()].every((count) => count === 1)).toBe(true);
    expect(exchange.sequenceErrors).toEqual([]);
    // every accepted order either reached the exchange or was rejected as lost, not both
    const received = new Set(exchange.newOrderCounts.keys());
    const lost = listener.rejects.filter((r) => r.clOrdId > 0);
    expect(lost.length).toBeGreaterThan(0);
    expect(lost.every((r) => r.reason === RejectReason.SessionDown && !received.has(r.clOrdId))).toBe(true);
    expect(lost[0]!.text).toMatch(/^not received by the exchange before the connection dropped \(SeqNum \d+ > PreviousSeqNo 55\)$/);
    expect(new Set(lost.map((r) => r.clOrdId)).size).toBe(lost.length);
    expect([...received, ...lost.map((r) => r.clOrdId)].sort((a, b) => a - b)).toEqual(accepted);
    // orders refused up front got their reject at once, with no ClOrdID
    expect(refused).toBeGreaterThanOrEqual(BATCH);
    expect(listener.rejects.filter((r) => r.clOrdId === 0)).toHaveLength(refused);
    expect(listener.rejects.filter((r) => r.clOrdId === 0).every((r) => r.text === 'exchange session down')).toBe(true);
    // and the strategy's open orders are exactly those the exchange has
    await pumpUntil(router, 'every ack', () => listener.reports.length === received.size);
    expect(entry.openOrderCount).toBe(received.size);
    expect(router.session.reconnects).toBe(1);
  });
});
