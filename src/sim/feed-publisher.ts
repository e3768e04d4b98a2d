/**
 * Publishes the simulated exchange's MDP 3.0 incremental feed over UDP.
 *
 * Each event (a synthetic market step, or what the client orders of one read did) becomes one or
 * more packets: the trades first (MDIncrementalRefreshTradeSummary48), then the price levels that
 * changed (MDIncrementalRefreshBook46), EndOfEvent on the event's last message, as CME orders
 * them. Packets are numbered from 1, contiguously, and each one's send time is kept by MsgSeqNum
 * for the tick-to-trade measurement.
 *
 * Each packet is written in place into one preallocated buffer and sent synchronously before
 * the next is written; nothing is allocated per packet.
 */
import { monotonicNanos, realtimeNanos } from '../io/native.js';
import { mdp3MsgSeqNum, MDP3_PACKET_HEADER_LENGTH } from '../feed/framing/mdp3.js';
import type { UdpEndpoint } from './endpoints.js';
import { EntryBatch } from './entry-batch.js';
import type { MatchingEngine } from './matching-engine.js';
import { END_OF_EVENT, LAST_QUOTE_MSG, LAST_TRADE_MSG, MAX_MDP3_PACKET_LENGTH, Mdp3PacketWriter } from './mdp3-packet-writer.js';
import { PublishedBook } from './published-book.js';
import type { SendTimeRing } from './send-time-ring.js';
import { UdpPacketSink, type PacketSink } from './udp-packet-sink.js';

/** Book entries an instrument's event can produce per level of depth: each position of each side is at most deleted and refilled. */
const ENTRIES_PER_LEVEL_PER_EVENT = 4;
/** ChannelReset4's ApplID: the channel's single application. */
const DEFAULT_APPL_ID = 1;

export interface FeedPublisherOptions {
  /** One destination, or two for the A and B lines (each packet goes to both). */
  destinations: readonly UdpEndpoint[];
  engine: MatchingEngine;
  /** Price levels per side the feed shows (MDPriceLevel 1..depth). */
  depth: number;
  sendTimes: SendTimeRing;
  /** SendingTime and TransactTime, ns since the epoch. Default: CLOCK_REALTIME. Tests inject one to make packets byte-identical. */
  clock?: () => number;
  /** The send time kept for tick-to-trade, monotonic ns. Default: CLOCK_MONOTONIC (the order server reads the same clock). */
  sendClock?: () => number;
}

export class FeedPublisher {
  /** The MsgSeqNum the next packet gets. */
  nextSeqNum = 1;
  packetsSent = 0;

  private readonly packet = new Uint8Array(MAX_MDP3_PACKET_LENGTH);
  private readonly view = new DataView(this.packet.buffer);
  private readonly writer: Mdp3PacketWriter;
  /** Each instrument's book as receivers of this feed hold it (the snapshot loop publishes these). */
  readonly publishedBooks: PublishedBook[];
  private readonly trades: EntryBatch;
  private readonly levels: EntryBatch;
  private nextTradeEntryId = 1;
  private readonly sendClock: () => number;

  /** Publishes through `sink` (tests and benchmarks can pass their own); `open` sends over UDP. */
  constructor(
    private readonly options: FeedPublisherOptions,
    private readonly sink: PacketSink,
  ) {
    const { engine, depth } = options;
    this.writer = new Mdp3PacketWriter(options.clock ?? realtimeNanos);
    this.sendClock = options.sendClock ?? monotonicNanos;
    this.publishedBooks = engine.books.map((book) => new PublishedBook(book, depth));
    const tradeCapacity = engine.books.reduce((sum, book) => sum + book.trades.capacity, 0);
    this.trades = new EntryBatch(Math.max(1, tradeCapacity));
    this.levels = new EntryBatch(Math.max(1, engine.books.length * depth * ENTRIES_PER_LEVEL_PER_EVENT));
  }

  static open(options: FeedPublisherOptions): FeedPublisher {
    return new FeedPublisher(options, UdpPacketSink.open(options.destinations));
  }

  /** MsgSeqNum of the last packet sent (0 before the first). */
  get lastSeqNum(): number {
    return this.nextSeqNum - 1;
  }

  get destinations(): readonly UdpEndpoint[] {
    return this.options.destinations;
  }

  /** The start of the channel: ChannelReset4, then SecurityStatus30 (ReadyToTrade) for each instrument. */
  publishOpening(): void {
    this.writer.startEvent();
    this.beginPacket();
    this.writer.writeChannelReset(DEFAULT_APPL_ID);
    this.sendPacket();
    this.beginPacket();
    for (const published of this.publishedBooks) {
      if (this.writer.bookEntriesThatFit() === 0) {
        this.sendPacket();
        this.beginPacket();
      }
      this.writer.writeSecurityStatus(published.book.spec, END_OF_EVENT);
    }
    this.sendPacket();
  }

  /** Publishes what changed in the engine since the last event (trades, then levels); returns the packets sent. */
  publishEvent(): number {
    const trades = this.trades;
    const levels = this.levels;
    trades.clear();
    levels.clear();
    const publishedBooks = this.publishedBooks;
    for (let index = 0; index < publishedBooks.length; index++) {
      const published = publishedBooks[index]!;
      if (published.book.trades.count > 0) published.takeTrades(trades);
    }
    for (let index = 0; index < publishedBooks.length; index++) {
      const published = publishedBooks[index]!;
      if (!published.book.changed) continue;
      published.catchUp(levels);
      published.book.changed = false;
    }
    if (trades.count === 0 && levels.count === 0) return 0;
    return this.writeEvent(trades, levels);
  }

  /** Sends a recorded MDP3 packet as it is (replay); its own MsgSeqNum keys the send time. False when it cannot be one. */
  sendRecorded(region: Uint8Array, view: DataView, offset: number, length: number): boolean {
    if (length < MDP3_PACKET_HEADER_LENGTH) return false;
    this.options.sendTimes.record(mdp3MsgSeqNum(view, offset), this.sendClock());
    this.sink.send(region, offset, length);
    this.packetsSent++;
    return true;
  }

  close(): void {
    this.sink.close();
  }

  private writeEvent(trades: EntryBatch, levels: EntryBatch): number {
    const writer = this.writer;
    const firstSeqNum = this.nextSeqNum;
    writer.startEvent();
    this.beginPacket();
    let index = 0;
    while (index < trades.count) {
      const count = Math.min(trades.count - index, writer.tradeEntriesThatFit());
      if (count === 0) {
        this.sendPacket();
        this.beginPacket();
        continue;
      }
      const last = index + count === trades.count;
      const indicator = last ? LAST_TRADE_MSG | (levels.count === 0 ? END_OF_EVENT : 0) : 0;
      writer.writeTrades(trades, index, count, this.nextTradeEntryId, indicator);
      this.nextTradeEntryId += count;
      index += count;
    }
    index = 0;
    while (index < levels.count) {
      const count = Math.min(levels.count - index, writer.bookEntriesThatFit());
      if (count === 0) {
        this.sendPacket();
        this.beginPacket();
        continue;
      }
      const last = index + count === levels.count;
      writer.writeBookEntries(levels, index, count, last ? LAST_QUOTE_MSG | END_OF_EVENT : 0);
      index += count;
    }
    this.sendPacket();
    return this.nextSeqNum - firstSeqNum;
  }

  private beginPacket(): void {
    this.writer.begin(this.view, 0, this.nextSeqNum);
  }

  private sendPacket(): void {
    this.options.sendTimes.record(this.nextSeqNum++, this.sendClock());
    this.sink.send(this.packet, 0, this.writer.length);
    this.packetsSent++;
  }
}
