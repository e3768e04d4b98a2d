/**
 * Records a live UDP feed to a capture file: recvmmsg batches (UdpReceiver) with kernel receive
 * timestamps as the packet times, written through PcapFileWriter. The loop yields to the event
 * loop between batches so a signal handler can call stop(); run() then closes the file cleanly.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parseIpv4 } from '../io/ipv4.js';
import { monotonicNanos, realtimeNanos } from '../io/native.js';
import { PcapFileWriter, type CaptureFileFormat } from '../io/pcap-file-writer.js';
import type { UdpAddressing } from '../io/pcap-writer.js';
import { BufferPool } from '../io/pool.js';
import { UdpReceiver } from '../io/udp.js';

export interface RecordOptions {
  /** Unicast address to bind, or the multicast group to join. */
  host: string;
  port: number;
  /** Interface to join a multicast group on. */
  interfaceName?: string;
  /** Source of a source-specific multicast join. */
  source?: string;
  out: string;
  format?: CaptureFileFormat;
  /** Start a new file before one grows past this size. */
  rotateBytes?: number;
  /** Stop after this long. Default: until stop(). */
  durationMs?: number;
  /** Stop after this many packets. Default: until stop(). */
  count?: number;
  /** SO_RCVBUF request. Default 8 MiB, so a burst waits in the kernel while a flush writes. */
  receiveBufferBytes?: number;
}

export interface RecordStats {
  packets: number;
  /** UDP payload bytes recorded. */
  payloadBytes: number;
  /** Datagrams the socket dropped for lack of buffer (SO_MEMINFO): the recorder fell behind. */
  kernelDrops: number;
  /** Datagrams received but not recorded whole (longer than a pool slot). */
  ownDrops: number;
  files: readonly string[];
  elapsedNs: number;
}

/** Datagrams per recvmmsg. */
const BATCH_SIZE = 64;
/** A slot holds the largest UDP datagram IPv4 can carry, so nothing is ever cut short. */
const SLOT_SIZE = 65_536;
const DEFAULT_RECEIVE_BUFFER_BYTES = 8 << 20;
/** How long one receive may block: the longest a stop() waits to be noticed when the feed is idle. */
const RECEIVE_TIMEOUT_MS = 50;
/** Buffered records reach the file at least this often, so a killed recorder loses little. */
const FLUSH_INTERVAL_NS = 100e6;
/** A busy feed still lets signal handlers and progress run this often. */
const YIELD_INTERVAL_NS = 20e6;
const NANOS_PER_SECOND = 1e9;

export class Recorder {
  readonly localPort: number;
  readonly stats: RecordStats;

  private readonly pool: BufferPool;
  private readonly receiver: UdpReceiver;
  private readonly writer: PcapFileWriter;
  private readonly addressing: UdpAddressing;
  private readonly countLimit: number;
  private readonly durationNs: number;
  private stopRequested = false;
  private ownDrops = 0;

  static open(options: RecordOptions): Recorder {
    const pool = BufferPool.create({ slotSize: SLOT_SIZE, slotCount: BATCH_SIZE });
    let receiver: UdpReceiver | undefined;
    try {
      receiver = UdpReceiver.open(pool, {
        port: options.port,
        bindAddress: options.host,
        batchSize: BATCH_SIZE,
        receiveBufferBytes: options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES,
        ...(options.interfaceName === undefined
          ? {}
          : { multicast: { group: options.host, interface: options.interfaceName, ...(options.source === undefined ? {} : { source: options.source }) } }),
      });
      const writer = PcapFileWriter.create(options.out, {
        ...(options.format === undefined ? {} : { format: options.format }),
        ...(options.rotateBytes === undefined ? {} : { rotateBytes: options.rotateBytes }),
      });
      return new Recorder(pool, receiver, writer, options);
    } catch (error) {
      receiver?.close();
      pool.destroy();
      throw error;
    }
  }

  private constructor(pool: BufferPool, receiver: UdpReceiver, writer: PcapFileWriter, options: RecordOptions) {
    this.pool = pool;
    this.receiver = receiver;
    this.writer = writer;
    this.localPort = receiver.localPort;
    // Datagrams were sent to the address we bound (or the group we joined) and our port.
    this.addressing = { sourceAddress: 0, sourcePort: 0, destinationAddress: parseIpv4(options.host), destinationPort: receiver.localPort };
    this.countLimit = options.count ?? Infinity;
    this.durationNs = (options.durationMs ?? Infinity) * 1e6;
    this.stats = { packets: 0, payloadBytes: 0, kernelDrops: 0, ownDrops: 0, files: writer.files, elapsedNs: 0 };
  }

  /** Asks run() to finish: it closes the file after the batch in hand. Safe from a signal handler. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Records until stop(), the count or the duration; then flushes, fsyncs and closes the file
   * and the socket. `onProgress` is called at every yield to the event loop.
   */
  async run(onProgress?: (stats: RecordStats) => void): Promise<RecordStats> {
    const start = monotonicNanos();
    let lastFlush = start;
    let lastYield = start;
    try {
      while (!this.stopRequested && this.stats.packets < this.countLimit) {
        const received = this.receiver.receive(RECEIVE_TIMEOUT_MS);
        this.writeBatch(received);
        const now = monotonicNanos();
        this.stats.elapsedNs = now - start;
        if (this.stats.elapsedNs >= this.durationNs) break;
        if (now - lastFlush >= FLUSH_INTERVAL_NS) {
          this.writer.flush();
          lastFlush = now;
        }
        if (received === 0 || now - lastYield >= YIELD_INTERVAL_NS) {
          this.updateDrops();
          onProgress?.(this.stats);
          await yieldToEventLoop();
          lastYield = monotonicNanos();
        }
      }
    } finally {
      this.updateDrops(); // before close(): the counters live in the receiver's native memory
      this.close();
    }
    return this.stats;
  }

  private writeBatch(received: number): void {
    const receiver = this.receiver;
    const bytes = this.pool.bytes;
    const addressing = this.addressing;
    const stats = this.stats;
    const wanted = Math.min(received, this.countLimit - stats.packets);
    for (let i = 0; i < wanted; i++) {
      // A datagram without a kernel timestamp (never on Linux with SO_TIMESTAMPNS) gets ours.
      const timestamp = receiver.timestampNanos(i) || realtimeNanos();
      const seconds = Math.floor(timestamp / NANOS_PER_SECOND);
      const length = receiver.length(i);
      addressing.sourceAddress = receiver.sourceAddress(i);
      addressing.sourcePort = receiver.sourcePort(i);
      this.writer.writeUdp(bytes, receiver.offset(i), length, seconds, timestamp - seconds * NANOS_PER_SECOND, addressing, receiver.datagramLength(i));
      if (receiver.isTruncated(i)) this.ownDrops++;
      stats.payloadBytes += length;
    }
    stats.packets += wanted;
  }

  private updateDrops(): void {
    this.stats.kernelDrops = this.receiver.kernelDropCount;
    this.stats.ownDrops = this.ownDrops + this.receiver.discardedCount;
  }

  private close(): void {
    this.writer.close();
    this.receiver.close();
    this.pool.destroy();
  }
}
