/**
 * UDP send by sendmmsg: a batch of packets, each duplicated to every destination (A/B feed
 * lines), leaves in one native call, read in place from the caller's region: a mapped capture
 * file, a pool. Destinations are fixed at open; the caller writes (offset, length) entries into
 * the native batch table (layout: udp-send-layout.ts) and calls send(region, count). Nothing is
 * allocated or copied per packet.
 *
 *   const sender = UdpSender.open({ destinations: [{ host: '127.0.0.1', port: 9000 }] });
 *   sender.setPacket(0, payloadOffset, payloadLength);
 *   sender.send(reader.bytes, 1);
 *
 * For throughput, sendSegmented(region, count) sends each run of equal-length packets as one
 * UDP GSO sendmsg per destination (sendmmsg pays the kernel's whole stack per datagram; GSO once
 * per run). If the kernel refuses GSO it says so once and goes on by sendmmsg.
 */
import { checkResult, errnoName } from './errors.js';
import { koffi, nativeLibrary } from './native.js';
import { closeSocket, interfaceIndex, setSendBuffer } from './socket.js';
import {
  BLOCKED_COUNT_OFFSET,
  DATAGRAMS_SENT_OFFSET,
  ENTRY_LENGTH_OFFSET,
  ENTRY_OFFSET_OFFSET,
  GSO_DATAGRAMS_OFFSET,
  GSO_REFUSED_ERRNO_OFFSET,
  GSO_SENDS_OFFSET,
  MAX_DESTINATIONS,
  MAX_SEND_BATCH,
  entryOffset,
  sharedLength,
} from './udp-send-layout.js';

/** Packets per sendmmsg when not configured: amortizes the call, stays small enough for L1. */
export const DEFAULT_SEND_BATCH = 64;
/** Multicast TTL when not configured: the sending host's network only, as feeds in a lab expect. */
export const DEFAULT_MULTICAST_TTL = 1;

export interface UdpDestination {
  /** IPv4 address (dotted quad), unicast or a multicast group. */
  host: string;
  port: number;
}

export interface UdpSenderOptions {
  /** 1..8 destinations: every packet goes to each, in this order. */
  destinations: readonly UdpDestination[];
  /** Packets per send(), 1..1024. Default 64. */
  batchSize?: number;
  /** SO_SNDBUF request in bytes. Default: the system's. */
  sendBufferBytes?: number;
  /** Interface multicast destinations leave by, e.g. 'lo' or 'eth0'. Default: the routing table's choice. */
  multicastInterface?: string;
  /** Default 1. */
  multicastTtl?: number;
  /** Told once, in a sentence, if the kernel refuses UDP GSO to sendSegmented. Default: a line on stderr. */
  onSegmentationRefused?: (message: string) => void;
}

function writeToStderr(message: string): void {
  process.stderr.write(`${message}\n`);
}

const ztUdpSocket: () => number = nativeLibrary.func('int zt_udp_socket(void)');
const ztUdpTxCreate: (fd: number, capacity: number, out: [bigint | null]) => number = nativeLibrary.func('zt_udp_tx_create', 'int', [
  'int', 'uint32_t', koffi.out(koffi.pointer('void *')),
]);
const ztUdpTxDestroy: (tx: bigint) => number = nativeLibrary.func('int zt_udp_tx_destroy(void *tx)');
const ztUdpTxAddDestination: (tx: bigint, ip: string, port: number) => number =
  nativeLibrary.func('int zt_udp_tx_add_destination(void *tx, const char *ip, int port)');
const ztUdpTxSetMulticast: (fd: number, interfaceIndex: number, ttl: number) => number =
  nativeLibrary.func('int zt_udp_tx_set_multicast(int fd, int interface_index, int ttl)');
// `region` is declared void * so koffi hands the typed array's own memory over, never a copy.
const ztUdpTxSend: (tx: bigint, region: Uint8Array, regionLength: number, count: number) => number =
  nativeLibrary.func('int zt_udp_tx_send(void *tx, void *region, double region_length, uint32_t count)');
const ztUdpTxSendSegmented: (tx: bigint, region: Uint8Array, regionLength: number, count: number) => number =
  nativeLibrary.func('int zt_udp_tx_send_segmented(void *tx, void *region, double region_length, uint32_t count)');

export class UdpSender {
  readonly batchSize: number;
  readonly destinations: readonly UdpDestination[];
  /** The socket, for options this class does not set (SO_PRIORITY, SO_MARK, ...). */
  readonly fd: number;

  private readonly context: bigint;
  private readonly view: DataView;
  private readonly description: string;
  private readonly onSegmentationRefused: (message: string) => void;
  private segmentationRefusalTold = false;
  private closed = false;

  static open(options: UdpSenderOptions): UdpSender {
    const batchSize = options.batchSize ?? DEFAULT_SEND_BATCH;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_SEND_BATCH) {
      throw new RangeError(`batchSize must be an integer in 1..${MAX_SEND_BATCH}: batchSize=${batchSize}`);
    }
    const count = options.destinations.length;
    if (count < 1 || count > MAX_DESTINATIONS) {
      throw new RangeError(`a sender takes 1..${MAX_DESTINATIONS} destinations: got ${count}`);
    }
    const description = `udp -> ${options.destinations.map((d) => `${d.host}:${d.port}`).join(', ')}`;
    const fd = checkResult(ztUdpSocket(), 'socket', description);
    try {
      if (options.sendBufferBytes !== undefined) setSendBuffer(fd, options.sendBufferBytes, description);
      if (options.multicastInterface !== undefined) {
        const index = interfaceIndex(options.multicastInterface);
        const ttl = options.multicastTtl ?? DEFAULT_MULTICAST_TTL;
        checkResult(ztUdpTxSetMulticast(fd, index, ttl), 'setsockopt IP_MULTICAST_IF', `${options.multicastInterface} (${description})`);
      }
      return new UdpSender(fd, batchSize, options, description);
    } catch (error) {
      closeSocket(fd, description);
      throw error;
    }
  }

  private constructor(fd: number, batchSize: number, options: UdpSenderOptions, description: string) {
    const destinations = options.destinations;
    const out: [bigint | null] = [null];
    checkResult(ztUdpTxCreate(fd, batchSize, out), 'mmap', `send context for ${description}`);
    const context = out[0]!;
    try {
      for (const destination of destinations) {
        const added = ztUdpTxAddDestination(context, destination.host, destination.port);
        checkResult(added, 'destination', `${destination.host}:${destination.port} (an IPv4 address and a port in 0..65535)`);
      }
    } catch (error) {
      ztUdpTxDestroy(context);
      throw error;
    }
    this.fd = fd;
    this.batchSize = batchSize;
    this.destinations = destinations.map((d) => ({ ...d }));
    this.description = description;
    this.onSegmentationRefused = options.onSegmentationRefused ?? writeToStderr;
    this.context = context;
    this.view = new DataView(koffi.view(context, sharedLength(batchSize)));
  }

  /** Says where packet `index` (0..batchSize-1) of the next send is: bytes [offset, offset+length) of the region. */
  setPacket(index: number, offset: number, length: number): void {
    const entry = entryOffset(index);
    this.view.setFloat64(entry + ENTRY_OFFSET_OFFSET, offset, true);
    this.view.setUint32(entry + ENTRY_LENGTH_OFFSET, length, true);
  }

  /**
   * Sends packets 0..count-1 (as set by setPacket) from `region` to every destination in one
   * sendmmsg (more only if the kernel takes part of the batch). Waits while the socket buffer
   * is full. Returns the datagrams sent, count * destinations; throws SyscallError on failure
   * (ERANGE: an entry lies outside the region).
   */
  send(region: Uint8Array, count: number): number {
    return checkResult(ztUdpTxSend(this.context, region, region.byteLength, count), 'sendmmsg', this.description);
  }

  /**
   * As send(), but each run of consecutive packets of one length (the last of a run may be
   * shorter; at most 64 packets, 65507 bytes) leaves as one sendmsg with UDP_SEGMENT to each
   * destination in turn: A gets the run, then B. Every destination still gets every packet in
   * order. Packets in no run go by sendmmsg, as does everything once the kernel refuses GSO
   * (told once to onSegmentationRefused, the reason in segmentationRefusal).
   */
  sendSegmented(region: Uint8Array, count: number): number {
    const sent = checkResult(ztUdpTxSendSegmented(this.context, region, region.byteLength, count), 'sendmsg', this.description);
    if (!this.segmentationRefusalTold && this.view.getInt32(GSO_REFUSED_ERRNO_OFFSET, true) !== 0) this.tellSegmentationRefused();
    return sent;
  }

  /** Datagrams the kernel accepted so far, every destination counted. */
  get datagramsSent(): number {
    return this.view.getFloat64(DATAGRAMS_SENT_OFFSET, true);
  }

  /** Sends that found the socket buffer full and had to wait: the sender outran the network. */
  get blockedCount(): number {
    return this.view.getFloat64(BLOCKED_COUNT_OFFSET, true);
  }

  /** sendmsg calls that sent a run by UDP GSO. */
  get gsoSends(): number {
    return this.view.getFloat64(GSO_SENDS_OFFSET, true);
  }

  /** Datagrams that left by UDP GSO (also counted in datagramsSent), every destination counted. */
  get gsoDatagrams(): number {
    return this.view.getFloat64(GSO_DATAGRAMS_OFFSET, true);
  }

  /** Why the kernel refused UDP GSO ('EINVAL', 'ENOPROTOOPT', ...), after which every send is sendmmsg; undefined while it is in use. */
  get segmentationRefusal(): string | undefined {
    const errno = this.view.getInt32(GSO_REFUSED_ERRNO_OFFSET, true);
    return errno === 0 ? undefined : errnoName(errno);
  }

  private tellSegmentationRefused(): void {
    this.segmentationRefusalTold = true;
    this.onSegmentationRefused(`${this.description}: the kernel refused UDP GSO (${this.segmentationRefusal}): sending by sendmmsg from now on`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    checkResult(ztUdpTxDestroy(this.context), 'munmap', this.description);
    closeSocket(this.fd, this.description);
  }
}
