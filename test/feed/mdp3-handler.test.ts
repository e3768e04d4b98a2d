/**
 * The MDP 3.0 handler over synthesized datagrams: books applied entry by entry and reported
 * once per instrument per matching event, implied levels apart, trades, snapshots, ChannelReset.
 */
import { describe, expect, it } from 'vitest';
import { Mdp3Handler } from '../../src/feed/mdp3-handler.js';
import { MDEntryTypeBook, MDUpdateAction } from '../../src/generated/mdp3/index.js';
import { MDEntryType, Mdp3PacketBuilder, type BookEntry } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';
import { ReceiveTime } from '../../src/feed/datagram.js';

const ES = 1001;
const NQ = 1002;

function newHandler(): { handler: Mdp3Handler; listener: RecordingListener; warnings: string[] } {
  const listener = new RecordingListener();
  const warnings: string[] = [];
  const handler = new Mdp3Handler({ listener, logger: { warn: (line) => warnings.push(line) } });
  return { handler, listener, warnings };
}

function send(handler: Mdp3Handler, packet: Mdp3PacketBuilder, line = 0): void {
  handler.onDatagram(packet.view, 0, packet.length, ReceiveTime.of(123), line);
}

const bid = (securityId: number, level: number, price: number, quantity: number, action: number = MDUpdateAction.New): BookEntry => ({
  securityId, action, entryType: MDEntryTypeBook.Bid, level, price, quantity,
});
const ask = (securityId: number, level: number, price: number, quantity: number, action: number = MDUpdateAction.New): BookEntry => ({
  securityId, action, entryType: MDEntryTypeBook.Offer, level, price, quantity,
});

describe('Mdp3Handler', () => {
  it('hands every message to the listener with the packet header, in order', () => {
    const { handler, listener } = newHandler();
    const packet = new Mdp3PacketBuilder().packet(42).bookRefresh([bid(ES, 1, 100, 1)], { endOfEvent: false }).tradeSummary(ES, 100, 2);
    send(handler, packet, 1);
    expect(listener.messages).toEqual([
      { templateId: 46, seqNum: 42, line: 1 },
      { templateId: 48, seqNum: 42, line: 1 },
    ]);
    expect(handler.counters.messagesByTemplate[46]).toBe(1);
    expect(handler.counters.messagesByTemplate[48]).toBe(1);
  });

  it('hands on only the templates the listener handles, and keeps the books of all', () => {
    // given a listener that handles trades only
    const listener = new RecordingListener();
    listener.handlesMessage = (templateId) => templateId === 48;
    const handler = new Mdp3Handler({ listener });
    // when a packet carries a book update and a trade
    send(handler, new Mdp3PacketBuilder().packet(7).bookRefresh([bid(ES, 1, 100, 1)], { endOfEvent: false }).tradeSummary(ES, 100, 2));
    // then only the trade reaches onMessage, but both are counted and the book has the bid
    expect(listener.messages).toEqual([{ templateId: 48, seqNum: 7, line: 0 }]);
    expect([handler.counters.messages, handler.counters.messagesByTemplate[46]]).toEqual([2, 1]);
    expect(handler.book(ES)!.bids.price(0)).toBe(100);
    expect(listener.books.map((book) => book.securityId)).toEqual([ES]);
  });

  it('asks the listener which templates it handles once per template of the schema, when made', () => {
    const listener = new RecordingListener();
    const asked: number[] = [];
    listener.handlesMessage = (templateId) => {
      asked.push(templateId);
      return true;
    };
    const handler = new Mdp3Handler({ listener });
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 1)]));
    expect(asked).toEqual(handler.templates.decoders.flatMap((decoder, templateId) => (decoder === undefined ? [] : [templateId])));
  });

  it('applies entries as they come but reports a book once per matching event, at EndOfEvent', () => {
    const { handler, listener } = newHandler();
    // given an event spread over two packets, touching ES twice and NQ once
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 5), ask(ES, 1, 101, 6)], { endOfEvent: false }));
    expect(listener.books).toEqual([]);
    expect(handler.book(ES)!.bids.price(0)).toBe(100); // applied already, not yet reported
    // when its last message ends the event
    send(handler, new Mdp3PacketBuilder().packet(2).bookRefresh([bid(NQ, 1, 200, 1), bid(ES, 1, 105, 2)], { endOfEvent: true }));
    // then each book is reported once, in the order first changed, as of the end of the event
    expect(listener.books.map((book) => [book.securityId, book.seqNum])).toEqual([[ES, 2], [NQ, 2]]);
    expect(listener.books[0]!.bids).toEqual([[105, 2, 1], [100, 5, 1]]);
    expect(listener.books[0]!.asks).toEqual([[101, 6, 1]]);
    expect(handler.counters.events).toBe(1);
    expect(handler.counters.bookUpdates).toBe(2);
  });

  it('keeps implied levels apart from outright ones', () => {
    const { handler, listener } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([
      bid(ES, 1, 100, 5),
      { securityId: ES, action: MDUpdateAction.New, entryType: MDEntryTypeBook.ImpliedBid, level: 1, price: 102, quantity: 3 },
      { securityId: ES, action: MDUpdateAction.New, entryType: MDEntryTypeBook.ImpliedOffer, level: 1, price: 103, quantity: 4 },
    ]));
    const [book] = listener.books;
    expect(book!.bids).toEqual([[100, 5, 1]]);
    expect(book!.impliedBids).toEqual([[102, 3, 1]]);
    expect(book!.impliedAsks).toEqual([[103, 4, 1]]);
    expect(book!.asks).toEqual([]);
  });

  it('empties a book on a BookReset entry', () => {
    const { handler } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 5), ask(ES, 1, 101, 5)]));
    send(handler, new Mdp3PacketBuilder().packet(2).bookRefresh([{ securityId: ES, action: MDUpdateAction.New, entryType: MDEntryTypeBook.BookReset, level: 0, price: 0, quantity: 0 }]));
    expect([handler.book(ES)!.bids.levelCount, handler.book(ES)!.asks.levelCount]).toEqual([0, 0]);
  });

  it('records the last trade from TradeSummary48 and reports the book at the end of the event', () => {
    const { handler, listener } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).tradeSummary(ES, 10050, 7));
    expect(listener.books).toMatchObject([{ securityId: ES, lastTradePrice: 10050, lastTradeQuantity: 7 }]);
  });

  it('replaces a book with SnapshotFullRefresh52 and reports it at once', () => {
    const { handler, listener } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 90, 1), bid(ES, 2, 89, 1)]));
    send(handler, new Mdp3PacketBuilder().packet(2).snapshot(ES, [
      { entryType: MDEntryType.Bid, level: 1, price: 100, quantity: 10, orders: 2 },
      { entryType: MDEntryType.Offer, level: 1, price: 101, quantity: 11, orders: 3 },
      { entryType: MDEntryType.Offer, level: 2, price: 102, quantity: 12, orders: 4 },
      { entryType: MDEntryType.Trade, level: 0, price: 105, quantity: 9 },
      { entryType: MDEntryType.SettlementPrice, level: 0, price: 95, quantity: 0 },
    ]));
    expect(listener.books.at(-1)).toMatchObject({
      securityId: ES, seqNum: 2, bids: [[100, 10, 2]], asks: [[101, 11, 3], [102, 12, 4]], lastTradePrice: 105, lastTradeQuantity: 9,
    });
    expect(handler.book(ES)!.rptSeq).toBe(7);
  });

  it('clears every book on ChannelReset4 and tells the listener', () => {
    // given two instruments with books
    const { handler, listener } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 5), ask(NQ, 1, 201, 1)]).tradeSummary(ES, 100, 1));
    listener.books.length = 0;
    // when the channel resets
    send(handler, new Mdp3PacketBuilder().packet(2).channelReset());
    // then both books are empty and reported so
    expect(listener.channelResets).toBe(1);
    expect(handler.counters.channelResets).toBe(1);
    for (const securityId of [ES, NQ]) {
      const book = handler.book(securityId)!;
      expect([book.bids.levelCount, book.asks.levelCount, book.lastTradePrice]).toEqual([0, 0, Number.NaN]);
    }
    expect(listener.books.map((book) => book.securityId).sort()).toEqual([ES, NQ]);
  });

  it('counts a level it cannot apply (a book out of step) and goes on', () => {
    const { handler } = newHandler();
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 5, MDUpdateAction.Change), bid(ES, 1, 99, 5)]));
    expect(handler.counters.bookEntriesRejected).toBe(1);
    expect(handler.counters.bookEntriesApplied).toBe(1);
    expect(handler.book(ES)!.bids.price(0)).toBe(99);
  });

  it('still reports every changed book on the next event after a listener threw out of onBook', () => {
    // given a listener that throws on its first onBook
    const { handler, listener } = newHandler();
    const onBook = listener.onBook.bind(listener);
    let calls = 0;
    listener.onBook = (book, packet) => {
      if (calls++ === 0) throw new Error('strategy bug');
      onBook(book, packet);
    };
    send(handler, new Mdp3PacketBuilder().packet(1).bookRefresh([bid(ES, 1, 100, 5), bid(NQ, 1, 200, 5)]));
    expect(handler.counters.listenerError).toBe(1);
    // when the next event changes both books again
    send(handler, new Mdp3PacketBuilder().packet(2).bookRefresh([bid(ES, 1, 100, 6, MDUpdateAction.Change), bid(NQ, 1, 200, 6, MDUpdateAction.Change)]));
    // then both are reported
    expect(listener.books.map((book) => [book.securityId, book.seqNum])).toEqual([[ES, 2], [NQ, 2]]);
  });
});
