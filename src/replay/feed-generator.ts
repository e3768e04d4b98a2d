/**
 * Generates a synthetic MDP 3.0 session as a capture file: the exchange simulator's seeded
 * market (src/sim: the one generator of market activity) publishes its incremental feed to a
 * loopback socket, and each packet is written to the file as it arrives, stamped with its own
 * SendingTime. The simulator's clock is a seeded one too, so a seed gives the same file, byte
 * for byte.
 *
 * The file holds two channels, as CME's feeds do: the incremental feed (ChannelReset4,
 * SecurityStatus30, then book updates and trades) to 224.0.31.1:14310, and snapshot cycles
 * (SnapshotFullRefresh52, one packet per instrument) to 224.0.32.1:15310: one cycle after the
 * opening and one every SNAPSHOT_INTERVAL_PACKETS incremental packets. With `gapAt`, the
 * incremental packet with that MsgSeqNum is left out, as a lost packet would be.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { FRAME_END, FRAME_MESSAGE } from '../feed/framing/framing.js';
import { createMdp3Cursor, mdp3MsgSeqNum, mdp3SendingTime } from '../feed/framing/mdp3.js';
import {
  MDIncrementalRefreshBook46Decoder,
  MDIncrementalRefreshTradeSummary48Decoder,
  MessageHeaderDecoder,
} from '../generated/mdp3/index.js';
import { parseIpv4 } from '../io/ipv4.js';
import { PcapFileWriter, type CaptureFileFormat } from '../io/pcap-file-writer.js';
import type { UdpAddressing } from '../io/pcap-writer.js';
import { BufferPool } from '../io/pool.js';
import { UdpReceiver } from '../io/udp.js';
import { MAX_MDP3_PACKET_LENGTH } from '../sim/mdp3-packet-writer.js';
import { SeededRandom } from '../sim/seeded-random.js';
import { DEFAULT_BOOK_DEPTH, DEFAULT_INSTRUMENT_COUNT, startSimulator, type Simulator } from '../sim/simulator.js';
import { SnapshotCycleWriter } from './snapshot-cycle.js';

export interface GenerateFeedOptions {
  /** Incremental-feed SBE messages to generate at least (the last market event is whole). */
  messages: number;
  seed: number;
  out: string;
  /** Leave out the incremental packet with this MsgSeqNum. */
  gapAt?: number;
  /** 1-8. Default 4. */
  instruments?: number;
  format?: CaptureFileFormat;
}

export interface GeneratedFeed {
  incrementalPackets: number;
  incrementalMessages: number;
  snapshotPackets: number;
  /** MsgSeqNum of the packet left out, when one was. */
  gapSeqNum: number | undefined;
  bytes: number;
}

/** Monday 5 January 2026, 14:30:00 UTC (08:30 Chicago, the equity futures open), in ns. */
export const SESSION_START_NANOS = Date.UTC(2026, 0, 5, 14, 30, 0) * 1e6;
/** Market events are 5..500 us apart. */
const MIN_EVENT_GAP_NANOS = 5_000;
const MAX_EVENT_GAP_NANOS = 500_000;
export const SNAPSHOT_INTERVAL_PACKETS = 1000;
/** Steps run before the generator drains the socket: few enough never to overflow its buffer. */
const STEPS_PER_DRAIN = 100;
const RECEIVE_BUFFER_BYTES = 4 << 20;
/** Loopback delivers at once; this long without the packets the simulator sent means they are lost. */
const DRAIN_TIMEOUT_MS = 5000;

const SOURCE = parseIpv4('10.0.0.1');
const INCREMENTAL: UdpAddressing = { sourceAddress: SOURCE, sourcePort: 5000, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };
const SNAPSHOT: UdpAddressing = { sourceAddress: SOURCE, sourcePort: 5001, destinationAddress: parseIpv4('224.0.32.1'), destinationPort: 15310 };
const NANOS_PER_SECOND = 1e9;

export async function generateFeed(options: GenerateFeedOptions): Promise<GeneratedFeed> {
  if (!Number.isInteger(options.messages) || options.messages < 1) throw new RangeError(`messages must be a positive integer: messages=${options.messages}`);
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 256 });
  const receiver = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', receiveBufferBytes: RECEIVE_BUFFER_BYTES });
  const writer = PcapFileWriter.create(options.out, options.format === undefined ? {} : { format: options.format });
  const sessionClock = seededClock(options.seed);
  let simulator: Simulator | undefined;
  try {
    simulator = await startSimulator({
      feeds: [`udp://127.0.0.1:${receiver.localPort}`],
      rate: 0,
      seed: options.seed,
      instruments: options.instruments ?? DEFAULT_INSTRUMENT_COUNT,
      clock: sessionClock.next,
      log: () => undefined,
    });
    const session = new SessionWriter(writer, simulator, pool, options.gapAt);
    await session.drain(receiver);
    session.writeSnapshotCycle(sessionClock.now());
    while (session.incrementalMessages < options.messages) {
      // Fewer steps as the target nears, so the file ends close to it (a step is 1-3 messages).
      const remaining = options.messages - session.incrementalMessages;
      simulator.step(Math.max(1, Math.min(STEPS_PER_DRAIN, Math.floor(remaining / 3))));
      await session.drain(receiver);
      if (session.incrementalPackets >= session.nextSnapshotAt) session.writeSnapshotCycle(sessionClock.now());
    }
    return session.summary();
  } finally {
    await simulator?.stop();
    writer.close();
    receiver.close();
    pool.destroy();
  }
}

/** SendingTime for the simulator: from SESSION_START_NANOS, seeded gaps between events. */
function seededClock(seed: number): { next: () => number; now: () => number } {
  const random = new SeededRandom(seed);
  let time = SESSION_START_NANOS;
  return {
    next: () => (time += random.nextIntBetween(MIN_EVENT_GAP_NANOS, MAX_EVENT_GAP_NANOS)),
    now: () => time,
  };
}

/** Writes what the simulator publishes, and the snapshot cycles, into the capture. */
class SessionWriter {
  incrementalPackets = 0;
  incrementalMessages = 0;
  snapshotPackets = 0;
  nextSnapshotAt = SNAPSHOT_INTERVAL_PACKETS;
  private gapSeqNum: number | undefined;
  private lastSeqNum = 0;
  private snapshotSeqNum = 1;
  /** Last RptSeq the incremental feed gave each instrument, by security id. */
  private readonly rptSeqs = new Map<number, number>();
  private readonly cursor = createMdp3Cursor();
  private readonly header = new MessageHeaderDecoder();
  private readonly bookDecoder = new MDIncrementalRefreshBook46Decoder();
  private readonly tradeDecoder = new MDIncrementalRefreshTradeSummary48Decoder();
  private readonly snapshots = new SnapshotCycleWriter();
  private readonly snapshotBuffer = new Uint8Array(MAX_MDP3_PACKET_LENGTH);
  private readonly snapshotView = new DataView(this.snapshotBuffer.buffer);

  constructor(
    private readonly writer: PcapFileWriter,
    private readonly simulator: Simulator,
    private readonly pool: BufferPool,
    private readonly gapAt: number | undefined,
  ) {}

  /** Receives until every packet the simulator has sent is in; throws if loopback lost one. */
  async drain(receiver: UdpReceiver): Promise<void> {
    const sent = this.simulator.counters().packetsSent;
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (this.lastSeqNum < sent) {
      const received = receiver.receive(0);
      for (let i = 0; i < received; i++) this.take(receiver.offset(i), receiver.length(i));
      if (received === 0) {
        if (Date.now() > deadline) throw new Error(`generate: the simulator sent ${sent} packets but ${this.lastSeqNum} arrived on loopback`);
        await yieldToEventLoop();
      }
    }
    if (receiver.kernelDropCount > 0) throw new Error(`generate: ${receiver.kernelDropCount} packets were dropped on loopback: the file would have gaps`);
  }

  writeSnapshotCycle(sendingTimeNanos: number): void {
    const books = this.simulator.engine.books;
    for (const book of books) {
      const length = this.snapshots.writePacket(
        this.snapshotView,
        0,
        this.snapshotBuffer.byteLength,
        this.snapshotSeqNum++,
        sendingTimeNanos,
        book,
        DEFAULT_BOOK_DEPTH,
        this.rptSeqs.get(book.securityId) ?? 0,
        books.length,
        this.lastSeqNum,
      );
      this.write(this.snapshotBuffer, 0, length, sendingTimeNanos, SNAPSHOT);
      this.snapshotPackets++;
    }
    this.nextSnapshotAt = this.incrementalPackets + SNAPSHOT_INTERVAL_PACKETS;
  }

  summary(): GeneratedFeed {
    return {
      incrementalPackets: this.incrementalPackets,
      incrementalMessages: this.incrementalMessages,
      snapshotPackets: this.snapshotPackets,
      gapSeqNum: this.gapSeqNum,
      bytes: this.writer.byteCount,
    };
  }

  private take(offset: number, length: number): void {
    const view = this.pool.view;
    const seqNum = mdp3MsgSeqNum(view, offset);
    if (seqNum !== this.lastSeqNum + 1) throw new Error(`generate: packet ${seqNum} arrived after ${this.lastSeqNum}: loopback reordered or lost packets`);
    this.lastSeqNum = seqNum;
    this.incrementalMessages += this.noteRptSeqs(view, offset, length);
    this.incrementalPackets++;
    if (seqNum === this.gapAt) {
      this.gapSeqNum = seqNum;
      return;
    }
    this.write(this.pool.bytes, offset, length, mdp3SendingTime(view, offset), INCREMENTAL);
  }

  /** Remembers each instrument's latest RptSeq (the snapshot carries it); returns the packet's message count. */
  private noteRptSeqs(view: DataView, offset: number, length: number): number {
    const cursor = this.cursor;
    let messages = 0;
    if (cursor.wrap(view, offset, length) !== FRAME_END) return 0; // the simulator writes none such
    while (cursor.next() === FRAME_MESSAGE) {
      messages++;
      const templateId = this.header.wrap(view, cursor.messageOffset).templateId();
      if (templateId === MDIncrementalRefreshBook46Decoder.TEMPLATE_ID) {
        const entries = this.bookDecoder.wrapAndApplyHeader(view, cursor.messageOffset, this.header).noMDEntries();
        while (entries.hasNext()) this.rptSeqs.set(entries.next().securityID(), entries.rptSeq());
      } else if (templateId === MDIncrementalRefreshTradeSummary48Decoder.TEMPLATE_ID) {
        const entries = this.tradeDecoder.wrapAndApplyHeader(view, cursor.messageOffset, this.header).noMDEntries();
        while (entries.hasNext()) this.rptSeqs.set(entries.next().securityID(), entries.rptSeq());
      }
    }
    return messages;
  }

  private write(source: Uint8Array, offset: number, length: number, timeNanos: number, addressing: UdpAddressing): void {
    const seconds = Math.floor(timeNanos / NANOS_PER_SECOND);
    this.writer.writeUdp(source, offset, length, seconds, timeNanos - seconds * NANOS_PER_SECOND, addressing);
  }
}
