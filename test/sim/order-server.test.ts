/**
 * The simulator's order entry server, driven through a real TCP socket on loopback by a client
 * that encodes with the generated encoders and decodes replies with the OTF decoder.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { OrdType, Side, TimeInForce } from '../../src/generated/order-entry/index.js';
import { REMEMBERED_CLORDIDS } from '../../src/sim/order-session.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { FeedCapture } from './support/feed-capture.js';
import { decodePacket } from './support/mdp3-packets.js';
import { OrderClient } from './support/order-client.js';

const ES = 10001;
const ES_TICK = 250_000_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const capture = await FeedCapture.open();
  cleanups.push(() => capture.close());
  const problems: string[] = [];
  const simulator = await startSimulator({ feeds: [capture.url], rate: 0, instruments: 2, seed: 3, log: (line) => problems.push(line) });
  cleanups.push(() => simulator.stop());
  await capture.waitFor(simulator.counters().packetsSent);
  return { simulator, capture, problems };
}

async function connect(simulator: Simulator): Promise<OrderClient> {
  const client = await OrderClient.connect(simulator.orderEntry.port);
  cleanups.push(() => client.close());
  return client;
}

async function establishedClient(simulator: Simulator, sessionId = 1): Promise<OrderClient> {
  const client = await connect(simulator);
  client.establish(sessionId, 1);
  await client.next('EstablishmentAck');
  return client;
}

function best(simulator: Simulator, side: 'bids' | 'asks') {
  const level = simulator.engine.book(ES)![side].levels[0]!;
  return { price: level.priceTicks * ES_TICK, quantity: level.totalQty, orders: level.orderCount };
}

/** Feed messages received from packet `fromSeqNum` on. */
function feedMessagesSince(capture: FeedCapture, fromSeqNum: number) {
  return capture.packets.slice(fromSeqNum - 1).flatMap((packet) => decodePacket(packet).messages);
}

describe('order entry session', () => {
  it('acknowledges Establish with the next sequence number and no previous one', async () => {
    const { simulator } = await setUp();
    const client = await connect(simulator);
    client.establish(77, 1, 0);
    expect((await client.next()).fields).toMatchObject({ SessionID: 77, NextSeqNo: 1, PreviousSeqNo: 0 });
    expect(simulator.counters().sessionsEstablished).toBe(1);
  });

  it('sends Sequence heartbeats when idle, and terminates a client that stays silent', async () => {
    const { simulator } = await setUp();
    const client = await connect(simulator);
    client.establish(1, 1, 20);
    await client.next('EstablishmentAck');
    expect((await client.next('Sequence')).fields).toEqual({ NextSeqNo: 1 });
    expect((await client.next('Terminate')).fields).toEqual({ Reason: 'Timeout' });
    await client.closed;
  });

  it('refuses a second Establish on an established connection and keeps the first session', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator, 5);
    client.establish(6, 1);
    expect((await client.next()).fields).toMatchObject({ BusinessRejectReason: 'Other', SeqNum: 1 });
    client.newOrder({ seqNum: 1, clOrdId: 1, securityId: 999, side: Side.Buy, price: 1_000_000_000, quantity: 1 });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 1, OrdRejReason: 'UnknownSecurity', SeqNum: 2 });
  });

  it('answers Terminate with Terminate and closes', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    client.terminate();
    expect((await client.next('Terminate')).fields).toEqual({ Reason: 'Finished' });
    await client.closed;
  });
});

describe('orders', () => {
  it('fills a marketable order against the published level, and the feed shows the trade and the smaller level', async () => {
    // given
    const { simulator, capture } = await setUp();
    const client = await establishedClient(simulator);
    const ask = best(simulator, 'asks');
    const nextSeqNum = simulator.counters().packetsSent + 1;
    // when
    client.newOrder({ seqNum: 1, clOrdId: 101, securityId: ES, side: Side.Buy, price: ask.price, quantity: 2 });
    // then
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 101, ExecType: 'New', OrdStatus: 'New', LeavesQty: 2 });
    const fill = await client.next();
    expect(fill.fields).toMatchObject({ ClOrdID: 101, ExecType: 'Fill', OrdStatus: 'Filled', LastQty: 2, CumQty: 2, LeavesQty: 0, SeqNum: 2 });
    expect(fill.fields.LastPx.mantissa).toBe(ask.price);
    await capture.waitFor(nextSeqNum);
    const messages = feedMessagesSince(capture, nextSeqNum);
    expect(messages[0]!.name).toBe('MDIncrementalRefreshTradeSummary48');
    expect(messages[0]!.fields.NoMDEntries[0]).toMatchObject({ SecurityID: ES, MDEntrySize: 2, AggressorSide: 'Buy', MDEntryPx: { mantissa: ask.price } });
    expect(messages[1]!.fields.NoMDEntries[0]).toMatchObject({
      SecurityID: ES,
      MDEntryType: 'Offer',
      MDPriceLevel: 1,
      MDUpdateAction: 'Change',
      MDEntrySize: ask.quantity - 2,
      MDEntryPx: { mantissa: ask.price },
    });
    expect(simulator.counters()).toMatchObject({ ordersReceived: 1, fills: 1, rejects: 0 });
  });

  it('sweeps levels up to the limit, reporting a partial fill per level, and cancels the rest of an immediate-or-cancel order', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    const asks = simulator.engine.book(ES)!.asks;
    const firstQuantity = asks.levels[0]!.totalQty;
    const available = firstQuantity + asks.levels[1]!.totalQty;
    const secondPrice = asks.levels[1]!.priceTicks * ES_TICK;
    client.newOrder({
      seqNum: 1,
      clOrdId: 5,
      securityId: ES,
      side: Side.Buy,
      price: secondPrice,
      quantity: available + 4,
      timeInForce: TimeInForce.ImmediateOrCancel,
    });
    expect((await client.next()).fields.ExecType).toBe('New');
    expect((await client.next()).fields).toMatchObject({ ExecType: 'PartialFill', LastQty: firstQuantity, CumQty: firstQuantity });
    const secondFill = await client.next();
    expect(secondFill.fields).toMatchObject({ ExecType: 'PartialFill', LastQty: available - firstQuantity, CumQty: available, LeavesQty: 4 });
    expect(secondFill.fields.LastPx.mantissa).toBe(secondPrice);
    expect((await client.next()).fields).toMatchObject({ ExecType: 'Canceled', OrdStatus: 'Canceled', CumQty: available, LeavesQty: 0 });
  });

  it('rests an order that does not cross, shows it on the feed, and fills it when the market trades through', async () => {
    // given
    const { simulator, capture } = await setUp();
    const client = await establishedClient(simulator);
    const bid = best(simulator, 'bids');
    const nextSeqNum = simulator.counters().packetsSent + 1;
    // when
    client.newOrder({ seqNum: 1, clOrdId: 9, securityId: ES, side: Side.Buy, price: bid.price, quantity: 3 });
    // then
    expect((await client.next()).fields).toMatchObject({ ExecType: 'New', LeavesQty: 3, CumQty: 0 });
    await capture.waitFor(nextSeqNum);
    expect(feedMessagesSince(capture, nextSeqNum)[0]!.fields.NoMDEntries[0]).toMatchObject({
      MDEntryType: 'Bid',
      MDPriceLevel: 1,
      MDUpdateAction: 'Change',
      MDEntrySize: bid.quantity + 3,
      NumberOfOrders: bid.orders + 1,
    });
    // when the synthetic market moves (deterministic for the seed) until it trades through the order
    for (let step = 0; step < 5000 && simulator.counters().fills === 0; step++) simulator.step();
    // then
    const fill = await client.next();
    expect(fill.fields).toMatchObject({ ClOrdID: 9, SecurityID: ES, Side: 'Buy' });
    expect(['PartialFill', 'Fill']).toContain(fill.fields.ExecType);
    expect(fill.fields.LastPx.mantissa).toBe(bid.price);
  });

  it('cancels a resting order, and rejects cancelling it again as an unknown order', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    const bid = best(simulator, 'bids');
    client.newOrder({ seqNum: 1, clOrdId: 20, securityId: ES, side: Side.Buy, price: bid.price - 5 * ES_TICK, quantity: 1 });
    await client.next();
    client.cancel({ seqNum: 2, clOrdId: 21, origClOrdId: 20, securityId: ES, side: Side.Buy });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 21, OrigClOrdID: 20, ExecType: 'Canceled', OrdStatus: 'Canceled', LeavesQty: 0 });
    client.cancel({ seqNum: 3, clOrdId: 22, origClOrdId: 20, securityId: ES, side: Side.Buy });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 22, ExecType: 'Rejected', OrdRejReason: 'UnknownOrder' });
    expect(simulator.engine.book(ES)!.bids.indexOf((bid.price - 5 * ES_TICK) / ES_TICK)).toBeGreaterThanOrEqual(0); // synthetic level stays
    expect(simulator.counters()).toMatchObject({ cancelsReceived: 2, rejects: 1 });
  });

  it('replaces a resting order: new ClOrdID, price and quantity', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    const bid = best(simulator, 'bids');
    const farPrice = bid.price - 30 * ES_TICK;
    client.newOrder({ seqNum: 1, clOrdId: 30, securityId: ES, side: Side.Buy, price: farPrice, quantity: 2 });
    await client.next();
    client.replace({ seqNum: 2, clOrdId: 31, origClOrdId: 30, securityId: ES, side: Side.Buy, price: farPrice + ES_TICK, quantity: 5 });
    const replaced = await client.next();
    expect(replaced.fields).toMatchObject({ ClOrdID: 31, OrigClOrdID: 30, ExecType: 'Replaced', OrderQty: 5, LeavesQty: 5 });
    expect(replaced.fields.Price.mantissa).toBe(farPrice + ES_TICK);
    const bids = simulator.engine.book(ES)!.bids;
    expect(bids.indexOf(farPrice / ES_TICK)).toBeLessThan(0);
    expect(bids.levels[bids.indexOf(farPrice / ES_TICK + 1)]!.clientQty).toBe(5);
  });

  it('rejects a ClOrdID used twice in a session, an unknown security, a zero quantity and an off-tick price', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    const bid = best(simulator, 'bids');
    client.newOrder({ seqNum: 1, clOrdId: 40, securityId: ES, side: Side.Buy, price: bid.price - 10 * ES_TICK, quantity: 1 });
    expect((await client.next()).fields.ExecType).toBe('New');
    client.newOrder({ seqNum: 2, clOrdId: 40, securityId: ES, side: Side.Buy, price: bid.price - 10 * ES_TICK, quantity: 1 });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 40, ExecType: 'Rejected', OrdStatus: 'Rejected', OrdRejReason: 'DuplicateOrder' });
    client.newOrder({ seqNum: 3, clOrdId: 41, securityId: 999, side: Side.Buy, price: bid.price, quantity: 1 });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 41, OrdRejReason: 'UnknownSecurity' });
    client.newOrder({ seqNum: 4, clOrdId: 42, securityId: ES, side: Side.Buy, price: bid.price, quantity: 0 });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 42, OrdRejReason: 'InvalidQuantity' });
    client.newOrder({ seqNum: 5, clOrdId: 43, securityId: ES, side: Side.Buy, price: bid.price + 1, quantity: 1 });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 43, OrdRejReason: 'InvalidPrice' });
    expect(simulator.counters()).toMatchObject({ ordersReceived: 5, rejects: 4 });
    expect(simulator.engine.book(ES)!.bids.levels[simulator.engine.book(ES)!.bids.indexOf(bid.price / ES_TICK - 10)]!.clientOrderCount).toBe(1);
  });

  it(`forgets a ClOrdID after ${REMEMBERED_CLORDIDS} newer ones, but never one an order still works under`, async () => {
    // given a resting order (ClOrdID 1) and a rejected one (ClOrdID 2), then REMEMBERED_CLORDIDS newer ClOrdIDs
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    const restingPrice = best(simulator, 'bids').price - 10 * ES_TICK;
    client.newOrder({ seqNum: 1, clOrdId: 1, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 1 });
    client.newOrder({ seqNum: 2, clOrdId: 2, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 0 });
    let seqNum = 3;
    for (let newer = 0; newer < REMEMBERED_CLORDIDS; newer++) {
      client.newOrder({ seqNum: seqNum++, clOrdId: 1000 + newer, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 0 });
    }
    for (let reports = 0; reports < 2 + REMEMBERED_CLORDIDS; reports++) await client.next();
    // when both ClOrdIDs come again
    client.newOrder({ seqNum: seqNum++, clOrdId: 2, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 0 });
    client.newOrder({ seqNum: seqNum++, clOrdId: 1, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 1 });
    // then the rejected one is forgotten (refused for its quantity, not as a duplicate); the working one is a duplicate
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 2, OrdRejReason: 'InvalidQuantity' });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 1, OrdRejReason: 'DuplicateOrder' });
  }, 60_000);

  it('fills a market order and cancels what the book could not fill', async () => {
    const { simulator } = await setUp();
    const client = await establishedClient(simulator);
    client.newOrder({ seqNum: 1, clOrdId: 50, securityId: ES, side: Side.Sell, price: null, quantity: 1, ordType: OrdType.Market });
    expect((await client.next()).fields).toMatchObject({ ExecType: 'New', Price: { mantissa: null } });
    expect((await client.next()).fields).toMatchObject({ ExecType: 'Fill', LastQty: 1 });
  });
});

describe('bad input', () => {
  it('answers malformed and out-of-sequence messages with BusinessReject, counts them, and goes on', async () => {
    // given
    const { simulator, problems } = await setUp();
    const client = await establishedClient(simulator);
    // when: an unknown template
    client.sendRaw(Buffer.from([16, 0, 0xfe, 0xca, 4, 0, 99, 0, 8, 0, 0, 0, 1, 0, 0, 0]));
    // then
    expect((await client.next()).fields).toMatchObject({ BusinessRejectReason: 'UnknownMessageType', SeqNum: 1 });
    // when: a NewOrderSingle whose block is shorter than the schema's
    client.sendRaw(Buffer.from([16, 0, 0xfe, 0xca, 4, 0, 10, 0, 8, 0, 0, 0, 1, 0, 0, 0]));
    expect((await client.next()).fields).toMatchObject({ BusinessRejectReason: 'MalformedMessage', RefSeqNum: 1 });
    // when: an invalid enum value
    client.newOrder({ seqNum: 1, clOrdId: 60, securityId: ES, side: 7, price: null, quantity: 1 });
    expect((await client.next()).fields).toMatchObject({ BusinessRejectReason: 'MalformedMessage', ClOrdID: 60 });
    // when: SeqNum 5 where 2 is expected
    client.newOrder({ seqNum: 5, clOrdId: 61, securityId: ES, side: Side.Buy, price: null, quantity: 1, ordType: OrdType.Market });
    expect((await client.next()).fields).toMatchObject({ BusinessRejectReason: 'OutOfSequence', RefSeqNum: 5, ClOrdID: 61 });
    // then the session goes on with the expected number
    client.newOrder({ seqNum: 2, clOrdId: 62, securityId: ES, side: Side.Buy, price: null, quantity: 1, ordType: OrdType.Market });
    expect((await client.next()).fields).toMatchObject({ ClOrdID: 62, ExecType: 'New' });
    expect(simulator.counters()).toMatchObject({ malformedMessages: 3, outOfSequenceMessages: 1, businessRejects: 4 });
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('terminates a connection whose framing is broken, and keeps serving others', async () => {
    const { simulator } = await setUp();
    const broken = await establishedClient(simulator, 1);
    broken.sendRaw(Buffer.from([2, 0, 0xfe, 0xca]));
    expect((await broken.next('Terminate')).fields).toEqual({ Reason: 'ProtocolError' });
    await broken.closed;
    const wrongEncoding = await establishedClient(simulator, 2);
    wrongEncoding.sendRaw(Buffer.from([12, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect((await wrongEncoding.next('Terminate')).fields).toEqual({ Reason: 'ProtocolError' });
    const beforeEstablish = await connect(simulator);
    beforeEstablish.newOrder({ seqNum: 1, clOrdId: 1, securityId: ES, side: Side.Buy, price: null, quantity: 1, ordType: OrdType.Market });
    expect((await beforeEstablish.next('Terminate')).fields).toEqual({ Reason: 'ProtocolError' });
    await establishedClient(simulator, 3);
    expect(simulator.counters().protocolErrors).toBe(3);
  });
});

describe('random input', () => {
  /** A SOFH frame around an SBE header with the given template and schema ids and random block bytes. */
  const frame = fc
    .record({
      templateId: fc.constantFrom(1, 3, 4, 10, 11, 12, 20, 99),
      schemaId: fc.constantFrom(8, 8, 8, 1),
      blockLength: fc.integer({ min: 0, max: 60 }),
      body: fc.uint8Array({ minLength: 0, maxLength: 60 }),
      establishedFirst: fc.boolean(),
    })
    .map(({ templateId, schemaId, blockLength, body, establishedFirst }) => {
      const bytes = Buffer.alloc(4 + 8 + body.length);
      bytes.writeUInt16LE(bytes.length, 0);
      bytes.writeUInt16LE(0xcafe, 2);
      bytes.writeUInt16LE(blockLength, 4);
      bytes.writeUInt16LE(templateId, 6);
      bytes.writeUInt16LE(schemaId, 8);
      bytes.set(body, 12);
      return { bytes, establishedFirst };
    });
  const garbage = fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({ bytes: Buffer.from(bytes), establishedFirst: true }));

  it('survives any stream of frames and bytes: counted, answered or terminated, and the next client trades normally', async () => {
    const { simulator } = await setUp();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(frame, frame, garbage), { minLength: 1, maxLength: 8 }), async (inputs) => {
        const client = await connect(simulator);
        if (inputs[0]!.establishedFirst) client.establish(1000, 1);
        for (const input of inputs) client.sendRaw(input.bytes);
        await new Promise((resolve) => setTimeout(resolve, 5));
        client.close();
      }),
      { numRuns: 60 },
    );
    const client = await establishedClient(simulator, 4242);
    client.newOrder({ seqNum: 1, clOrdId: 1, securityId: ES, side: Side.Sell, price: null, quantity: 1, ordType: OrdType.Market });
    expect((await client.next()).fields.ExecType).toBe('New');
    expect((await client.next()).fields.ExecType).toBe('Fill');
    const counters = simulator.counters();
    expect(counters.malformedMessages + counters.protocolErrors + counters.outOfSequenceMessages).toBeGreaterThan(0);
  });
});

describe('reconnect', () => {
  it('tells the reconnecting session the last SeqNum it received, delivers the cancels of its orders, and still refuses its old ClOrdIDs', async () => {
    // given a session that sent three orders, one of them resting, then dropped
    const { simulator } = await setUp();
    const first = await establishedClient(simulator, 7);
    const bid = best(simulator, 'bids');
    const restingPrice = bid.price - 20 * ES_TICK;
    client3Orders(first, restingPrice);
    for (let reports = 0; reports < 3; reports++) await first.next();
    first.close();
    await first.closed;
    // when it reconnects
    const second = await connect(simulator);
    second.establish(7, 4);
    // then
    expect((await second.next()).fields).toMatchObject({ SessionID: 7, PreviousSeqNo: 3, NextSeqNo: 4 });
    expect((await second.next()).fields).toMatchObject({ SeqNum: 4, ClOrdID: 1, ExecType: 'Canceled' });
    expect(simulator.engine.book(ES)!.bids.levels[simulator.engine.book(ES)!.bids.indexOf(restingPrice / ES_TICK)]?.clientOrderCount ?? 0).toBe(0);
    second.newOrder({ seqNum: 4, clOrdId: 2, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 1 });
    expect((await second.next()).fields).toMatchObject({ ClOrdID: 2, OrdRejReason: 'DuplicateOrder', SeqNum: 5 });
  });

  it('hands the session to a new connection that establishes it while the old one is still open', async () => {
    const { simulator } = await setUp();
    const old = await establishedClient(simulator, 8);
    const replacement = await connect(simulator);
    replacement.establish(8, 1);
    expect((await replacement.next()).fields).toMatchObject({ SessionID: 8 });
    await old.closed;
  });
});

function client3Orders(client: OrderClient, restingPrice: number): void {
  client.newOrder({ seqNum: 1, clOrdId: 1, securityId: ES, side: Side.Buy, price: restingPrice, quantity: 1 });
  client.newOrder({ seqNum: 2, clOrdId: 2, securityId: 999, side: Side.Buy, price: restingPrice, quantity: 1 });
  client.newOrder({ seqNum: 3, clOrdId: 3, securityId: 999, side: Side.Buy, price: restingPrice, quantity: 1 });
}

describe('tick-to-trade', () => {
  it('measures orders that name the packet that triggered them, and only those', async () => {
    // given
    const { simulator, capture } = await setUp();
    const client = await establishedClient(simulator);
    const trigger = simulator.counters().packetsSent;
    await capture.waitFor(trigger);
    // when
    client.newOrder({ seqNum: 1, clOrdId: 1, securityId: ES, side: Side.Buy, price: best(simulator, 'bids').price - 40 * ES_TICK, quantity: 1, triggerSeqNum: trigger });
    client.newOrder({ seqNum: 2, clOrdId: 2, securityId: ES, side: Side.Buy, price: best(simulator, 'bids').price - 40 * ES_TICK, quantity: 1 });
    client.newOrder({ seqNum: 3, clOrdId: 3, securityId: 999, side: Side.Buy, price: 1, quantity: 1, triggerSeqNum: trigger - 1 });
    client.newOrder({ seqNum: 4, clOrdId: 4, securityId: ES, side: Side.Buy, price: null, quantity: 1, ordType: OrdType.Market, triggerSeqNum: trigger + 1000 });
    for (let reports = 0; reports < 5; reports++) await client.next(); // New, New, Rejected, New + Fill
    // then
    const latency = simulator.tickToTrade();
    expect(latency.count).toBe(2);
    expect(latency.p50Nanos).toBeGreaterThan(0);
    expect(latency.maxNanos).toBeGreaterThanOrEqual(latency.p99Nanos);
    expect(latency.p999Nanos).toBeGreaterThanOrEqual(latency.p50Nanos);
    expect(simulator.counters().unknownTriggers).toBe(1);
    expect(simulator.tickToTradeHistogram.outputPercentileDistribution()).toContain('#[Max');
    simulator.resetTickToTrade();
    expect(simulator.tickToTrade().count).toBe(0);
  });
});
