/**
 * The snapshot loop (MDP3's market recovery feed): at a fixed interval, one packet per instrument
 * carrying a SnapshotFullRefresh52 with its whole book as receivers of the incremental feed hold
 * it, tagged with the incremental MsgSeqNum it reflects (LastMsgSeqNumProcessed) and the
 * instrument's RptSeq. A receiver that lost packets rebuilds its books from one loop and resumes
 * the incremental feed after LastMsgSeqNumProcessed. Snapshot packets are numbered from 1 on
 * their own channel.
 */
import { realtimeNanos } from '../io/native.js';
import type { UdpEndpoint } from './endpoints.js';
import { EntryBatch } from './entry-batch.js';
import type { FeedPublisher } from './feed-publisher.js';
import { MAX_MDP3_PACKET_LENGTH, Mdp3PacketWriter } from './mdp3-packet-writer.js';
import { UdpPacketSink, type PacketSink } from './udp-packet-sink.js';

export interface SnapshotPublisherOptions {
  /** One destination, or two for the A and B lines. */
  destinations: readonly UdpEndpoint[];
  /** Levels per side the incremental feed shows: a snapshot carries up to twice this many entries. */
  depth: number;
  /** SendingTime and TransactTime, ns since the epoch. Default: CLOCK_REALTIME. */
  clock?: () => number;
}

export class SnapshotPublisher {
  packetsSent = 0;
  cyclesSent = 0;
  private nextSeqNum = 1;
  private readonly packet = new Uint8Array(MAX_MDP3_PACKET_LENGTH);
  private readonly view = new DataView(this.packet.buffer);
  private readonly writer: Mdp3PacketWriter;
  private readonly levels: EntryBatch;

  constructor(
    private readonly incremental: FeedPublisher,
    options: SnapshotPublisherOptions,
    private readonly sink: PacketSink,
  ) {
    this.writer = new Mdp3PacketWriter(options.clock ?? realtimeNanos);
    this.levels = new EntryBatch(2 * options.depth);
    this.writer.begin(this.view, 0, 0);
    const fit = this.writer.snapshotEntriesThatFit();
    if (2 * options.depth > fit) {
      throw new RangeError(`a snapshot packet holds ${fit} levels: depth ${options.depth} per side needs ${2 * options.depth}`);
    }
  }

  static open(incremental: FeedPublisher, options: SnapshotPublisherOptions): SnapshotPublisher {
    return new SnapshotPublisher(incremental, options, UdpPacketSink.open(options.destinations));
  }

  /** Sends one loop: a packet per instrument, each book as of the incremental feed's last packet. */
  publishCycle(): void {
    const books = this.incremental.publishedBooks;
    const lastMsgSeqNumProcessed = this.incremental.lastSeqNum;
    const { writer, levels } = this;
    writer.startEvent();
    for (let index = 0; index < books.length; index++) {
      const published = books[index]!;
      levels.clear();
      published.snapshot(levels);
      writer.begin(this.view, 0, this.nextSeqNum++);
      writer.writeSnapshot(levels, 0, levels.count, published.book.securityId, published.rptSeq, lastMsgSeqNumProcessed, books.length);
      this.sink.send(this.packet, 0, writer.length);
      this.packetsSent++;
    }
    this.cyclesSent++;
  }

  close(): void {
    this.sink.close();
  }
}
