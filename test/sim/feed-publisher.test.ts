/**
 * The simulator's feed is valid MDP 3.0: received on loopback with node:dgram and decoded by the
 * OTF decoder with the project's schema, independently of the encoders that wrote it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { FeedCapture } from './support/feed-capture.js';
import { decodePacket } from './support/mdp3-packets.js';
import { ReferenceBook, applyPacket } from './support/reference-book.js';

const DEPTH = 10;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulatorWithCapture(options: { seed?: number; instruments?: number; clock?: () => number; lines?: number } = {}) {
  const captures: FeedCapture[] = [];
  for (let line = 0; line < (options.lines ?? 1); line++) captures.push(await FeedCapture.open());
  for (const capture of captures) cleanups.push(() => capture.close());
  const { lines: _lines, ...simulatorOptions } = options;
  const simulator = await startSimulator({ ...simulatorOptions, feeds: captures.map((capture) => capture.url), rate: 0, depth: DEPTH });
  cleanups.push(() => simulator.stop());
  return { simulator, capture: captures[0]!, captures };
}

/** Steps the market a few events at a time so the receive buffer never overflows, and waits for every packet. */
async function stepAndReceive(simulator: Simulator, captures: FeedCapture[], steps: number): Promise<void> {
  for (let done = 0; done < steps; done += 10) {
    simulator.step(Math.min(10, steps - done));
    for (const capture of captures) await capture.waitFor(simulator.counters().packetsSent);
  }
}

/** A clock that ticks 1 µs per reading: packets are reproducible to the byte. */
function fakeClock(): () => number {
  let now = 1_700_000_000_000_000_000;
  return () => (now += 1000);
}

describe('feed publisher', () => {
  it('numbers packets from 1 with no gap, and every MsgSize adds up to the packet', async () => {
    // given
    const { simulator, capture } = await simulatorWithCapture({ instruments: 3 });
    // when
    await stepAndReceive(simulator, [capture], 300);
    // then
    const packets = capture.packets.map(decodePacket);
    expect(packets.length).toBeGreaterThan(300);
    packets.forEach((packet, index) => {
      expect(packet.seqNum).toBe(index + 1);
      expect(packet.msgSizeTotal).toBe(capture.packets[index]!.length - 12);
      expect(packet.messages.length).toBeGreaterThan(0);
    });
  });

  it('opens the channel with ChannelReset4, then SecurityStatus30 ReadyToTrade for each instrument', async () => {
    const { simulator, capture } = await simulatorWithCapture({ instruments: 3 });
    await capture.waitFor(3);
    const [reset, status] = capture.packets.map(decodePacket);
    expect(reset!.messages.map((message) => message.name)).toEqual(['ChannelReset4']);
    expect(status!.messages.map((message) => [message.fields.SecurityID, message.fields.SecurityTradingStatus])).toEqual(
      simulator.instruments.map((instrument) => [instrument.securityId, 'ReadyToTrade']),
    );
  });

  it('keeps every book consistent after each event and equal to the matching engine at the end', async () => {
    // given
    const { simulator, capture } = await simulatorWithCapture({ instruments: 4, seed: 7 });
    const books = new Map(simulator.instruments.map((instrument) => [instrument.securityId, new ReferenceBook(DEPTH)]));
    // when
    await stepAndReceive(simulator, [capture], 1000);
    // then
    let events = 0;
    for (const packet of capture.packets) {
      applyPacket(books, decodePacket(packet).messages, () => {
        events++;
        for (const [securityId, book] of books) expect(book.isConsistent(), `security ${securityId} after event ${events}`).toBe(true);
      });
    }
    expect(events).toBeGreaterThan(1000);
    for (const engineBook of simulator.engine.books) {
      const book = books.get(engineBook.securityId)!;
      const tick = engineBook.spec.tickSize;
      const top = (side: typeof engineBook.bids) =>
        side.levels.slice(0, Math.min(DEPTH, side.count)).map((level) => ({ price: level.priceTicks * tick, size: level.totalQty, orders: level.orderCount }));
      expect(book.bids).toEqual(top(engineBook.bids));
      expect(book.asks).toEqual(top(engineBook.asks));
    }
  });

  it('shows trades as TradeSummary48 before the book update of the same event, with RptSeq rising per instrument', async () => {
    const { simulator, capture } = await simulatorWithCapture({ instruments: 2 });
    await stepAndReceive(simulator, [capture], 300);
    const lastRptSeq = new Map<number, number>();
    let trades = 0;
    for (const packet of capture.packets.map(decodePacket)) {
      for (const message of packet.messages) {
        if (message.name === 'MDIncrementalRefreshTradeSummary48') {
          trades++;
          expect(message.fields.MatchEventIndicator).toContain('LastTradeMsg');
        }
        for (const entry of message.fields.NoMDEntries ?? []) {
          if (entry.RptSeq === undefined) continue;
          expect(entry.RptSeq).toBe((lastRptSeq.get(entry.SecurityID) ?? 0) + 1);
          lastRptSeq.set(entry.SecurityID, entry.RptSeq);
        }
      }
    }
    expect(trades).toBeGreaterThan(0);
  });

  it('sends the same bytes for the same seed, and other bytes for another seed', async () => {
    const run = async (seed: number) => {
      const { simulator, capture } = await simulatorWithCapture({ seed, clock: fakeClock() });
      await stepAndReceive(simulator, [capture], 200);
      return capture.packets;
    };
    const first = await run(42);
    const second = await run(42);
    const other = await run(43);
    expect(second.length).toBe(first.length);
    second.forEach((packet, index) => expect(packet.equals(first[index]!), `packet ${index + 1}`).toBe(true));
    expect(other.some((packet, index) => first[index] === undefined || !packet.equals(first[index]!))).toBe(true);
  });

  it('loops snapshots of every book as receivers of the incremental feed hold it', async () => {
    // given
    const snapshotCapture = await FeedCapture.open();
    cleanups.push(() => snapshotCapture.close());
    const capture = await FeedCapture.open();
    cleanups.push(() => capture.close());
    const simulator = await startSimulator({ feeds: [capture.url], snapshotFeeds: [snapshotCapture.url], snapshotIntervalMs: 20, rate: 0, instruments: 3, depth: DEPTH });
    cleanups.push(() => simulator.stop());
    const books = new Map(simulator.instruments.map((instrument) => [instrument.securityId, new ReferenceBook(DEPTH)]));
    const lastRptSeq = new Map<number, number>();
    // when
    await stepAndReceive(simulator, [capture], 200);
    const lastSeqNum = simulator.counters().packetsSent;
    for (const packet of capture.packets.map(decodePacket)) {
      applyPacket(books, packet.messages, () => undefined);
      for (const message of packet.messages) for (const entry of message.fields.NoMDEntries ?? []) if (entry.RptSeq !== undefined) lastRptSeq.set(entry.SecurityID, entry.RptSeq);
    }
    // then: a loop taken after the last incremental packet matches the books built from the feed
    const snapshotOf = new Map<number, Record<string, any>>();
    const deadline = Date.now() + 5000;
    while (snapshotOf.size < books.size && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      for (const packet of snapshotCapture.packets.map(decodePacket)) {
        const snapshot = packet.messages[0]!.fields;
        if (snapshot.LastMsgSeqNumProcessed === lastSeqNum) snapshotOf.set(snapshot.SecurityID, snapshot);
      }
    }
    for (const [securityId, book] of books) {
      const snapshot = snapshotOf.get(securityId)!;
      expect(snapshot).toMatchObject({ TotNumReports: 3, RptSeq: lastRptSeq.get(securityId), MDSecurityTradingStatus: 'ReadyToTrade' });
      const side = (type: string) =>
        snapshot.NoMDEntries.filter((entry: any) => entry.MDEntryType === type).map((entry: any) => ({ price: entry.MDEntryPx.mantissa, size: entry.MDEntrySize, orders: entry.NumberOfOrders }));
      expect(side('Bid')).toEqual(book.bids);
      expect(side('Offer')).toEqual(book.asks);
    }
    const seqNums = snapshotCapture.packets.map((packet) => decodePacket(packet).seqNum);
    expect(seqNums).toEqual(seqNums.map((_, index) => index + 1));
  });

  it('sends every packet to both the A and the B line', async () => {
    const { simulator, captures } = await simulatorWithCapture({ lines: 2 });
    await stepAndReceive(simulator, captures, 50);
    const [lineA, lineB] = captures;
    expect(lineB!.packets.length).toBe(lineA!.packets.length);
    lineA!.packets.forEach((packet, index) => expect(packet.equals(lineB!.packets[index]!)).toBe(true));
  });
});
