/**
 * `udp://host:port`: datagrams received by recvmmsg into a pool (UdpReceiver), handed to the
 * handler in place with their kernel receive timestamps.
 */
import { BufferPool } from '../../io/pool.js';
import { UdpReceiver } from '../../io/udp.js';
import { ReceiveBufferGrant, ReceiveTime, type DatagramHandler, type FeedSource } from '../datagram.js';
import type { FeedAddress } from '../feed-url.js';

export interface UdpSourceOptions {
  /** Feed line the datagrams are tagged with: 0 = A, 1 = B. */
  line: number;
  /** Datagrams per recvmmsg. Default 64. */
  batchSize?: number;
  /** Bytes per pool slot: larger datagrams are truncated, counted and skipped. Default 2048. */
  slotSize?: number;
  /**
   * Kernel receive timestamps handed to onDatagram (SO_TIMESTAMPNS). Default true: the
   * wire-latency stage measures from them. false saves the kernel about a tenth of its receive
   * work per datagram, and every datagram then arrives with timestamp 0.
   */
  timestamps?: boolean;
}

/** MDP 3.0 packets are at most 1420 bytes; a 2 KiB slot holds any datagram of a 1500-byte MTU. */
const DEFAULT_SLOT_SIZE = 2048;
const DEFAULT_BATCH_SIZE = 64;

export class UdpSource implements FeedSource {
  readonly url: string;
  readonly line: number;
  readonly receiver: UdpReceiver;
  readonly receiveBuffer: ReceiveBufferGrant | undefined;
  /** Datagrams larger than a slot: cut by the kernel, so skipped (counted in droppedCount too). */
  truncatedCount = 0;
  private readonly pool: BufferPool;
  private readonly view: DataView;
  /** Datagrams of the last batch not yet handed out (poll's maxDatagrams was smaller than the batch). */
  private batchPosition = 0;
  private batchCount = 0;
  private readonly received = new ReceiveTime();

  static open(url: string, address: Extract<FeedAddress, { kind: 'udp' }>, options: UdpSourceOptions): UdpSource {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    // Two batches of slots: the receiver re-arms a full batch while the last one is handled.
    const pool = BufferPool.create({ slotSize: options.slotSize ?? DEFAULT_SLOT_SIZE, slotCount: batchSize * 2 });
    const { receiveBufferBytes } = address;
    try {
      const receiver = UdpReceiver.open(pool, {
        port: address.port,
        bindAddress: address.host,
        batchSize,
        // The handler never sees the source, so the kernel need not copy it out per datagram.
        sourceAddress: false,
        timestamps: options.timestamps ?? true,
        ...(receiveBufferBytes === undefined ? {} : { receiveBufferBytes }),
        ...(address.multicast
          ? { multicast: { group: address.host, interface: address.interfaceName ?? 'lo', ...(address.source === undefined ? {} : { source: address.source }) } }
          : {}),
      });
      const grant = ReceiveBufferGrant.ifRequested(receiveBufferBytes, () => receiver.receiveBufferBytes!);
      return new UdpSource(url, options.line, pool, receiver, grant);
    } catch (error) {
      pool.destroy();
      throw error;
    }
  }

  private constructor(url: string, line: number, pool: BufferPool, receiver: UdpReceiver, receiveBuffer: ReceiveBufferGrant | undefined) {
    this.url = url;
    this.line = line;
    this.pool = pool;
    this.view = pool.view;
    this.receiver = receiver;
    this.receiveBuffer = receiveBuffer;
  }

  /** The bound port (the kernel's choice for udp://host:0). */
  get localPort(): number {
    return this.receiver.localPort;
  }

  /** Kernel drops (as of the end of the last burst), datagrams discarded for want of a pool slot, and truncated ones skipped. */
  get droppedCount(): number {
    return this.receiver.kernelDropCount + this.receiver.discardedCount + this.truncatedCount;
  }

  poll(handler: DatagramHandler, maxDatagrams: number, timeoutMs: number): number {
    const receiver = this.receiver;
    if (this.batchPosition === this.batchCount) {
      this.batchCount = receiver.receive(timeoutMs);
      this.batchPosition = 0;
    }
    const end = Math.min(this.batchCount, this.batchPosition + maxDatagrams);
    const view = this.view;
    const line = this.line;
    const received = this.received;
    let delivered = 0;
    for (let position = this.batchPosition; position < end; position++) {
      if (receiver.isTruncated(position)) {
        this.truncatedCount++;
        continue;
      }
      receiver.copyTimestamp(position, received);
      handler.onDatagram(view, receiver.offset(position), receiver.length(position), received, line);
      delivered++;
    }
    this.batchPosition = end;
    return delivered;
  }

  close(): void {
    this.receiver.close();
    this.pool.destroy();
  }
}
