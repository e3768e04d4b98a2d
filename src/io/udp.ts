/**
 * UDP receive by recvmmsg: each receive() is one native call that fills up to `batchSize`
 * pool slots, with the kernel receive time, source and length of each datagram written into a
 * native metadata array (layout: udp-batch-layout.ts). Nothing is allocated per call.
 *
 * Slot ownership: the receiver owns one slot per batch position. A received datagram's bytes
 * stay valid until the next receive(), which reuses the same slots; to keep a datagram longer,
 * takeSlot(i) hands its slot to the caller (who releases it to the pool later) and the receiver
 * acquires a replacement before the next batch.
 */
import { checkResult } from './errors.js';
import { formatIpv4 } from './ipv4.js';
import { koffi, nativeLibrary } from './native.js';
import { BufferPool, NO_SLOT } from './pool.js';
import {
  bindSocket,
  closeSocket,
  forceReceiveBuffer,
  interfaceIndex,
  localPort,
  setReceiveBuffer,
  setReuseAddress,
  setReusePort,
} from './socket.js';
import {
  DATAGRAM_LENGTH_WORD,
  FLAGS_WORD,
  KERNEL_DROP_COUNT_OFFSET,
  LENGTH_WORD,
  MAX_BATCH,
  MESSAGE_LENGTH_DOUBLES,
  MESSAGE_LENGTH_WORDS,
  MESSAGE_SLOT_INDEX_WORD,
  messageOffset,
  messagesOffset,
  sharedLength,
  SLOT_INDEX_OFFSET,
  SLOTS_CHANGED_OFFSET,
  SOURCE_ADDRESS_OFFSET,
  SOURCE_ADDRESS_OPTION,
  SOURCE_PORT_OFFSET,
  TIMESTAMP_NANOS_DOUBLE,
  TRUNCATED_FLAG,
} from './udp-batch-layout.js';

/** Messages per recvmmsg when not configured: enough to drain a burst, small enough to stay in L1. */
export const DEFAULT_BATCH_SIZE = 64;
/** receive() timeout that means "one non-blocking attempt": the busy-poll mode. */
export const BUSY_POLL = 0;
/** receive() timeout that means "wait until something arrives". */
export const WAIT_FOREVER = -1;

/** A batch position that holds no slot. */
const EMPTY = -1;

export interface MulticastMembership {
  /** Group address, e.g. '239.1.2.3'. */
  group: string;
  /** Interface name, e.g. 'eth0' or 'lo': the join happens on this interface only. */
  interface: string;
  /** Source address for a source-specific join; any source when absent. */
  source?: string;
}

export interface UdpReceiverOptions {
  /** Local port; 0 lets the kernel choose (read it back from `localPort`). */
  port: number;
  /** Address to bind. Default: the multicast group when joining one, else '0.0.0.0'. */
  bindAddress?: string;
  /** Datagrams per recvmmsg, 1..1024. Default 64. */
  batchSize?: number;
  /** SO_RCVBUF request in bytes; the granted size is in `receiveBufferBytes`. Default: the system's. */
  receiveBufferBytes?: number;
  /**
   * Ask for receiveBufferBytes by SO_RCVBUFFORCE, which net.core.rmem_max does not cap, when the
   * process holds CAP_NET_ADMIN; without it, SO_RCVBUF as usual (`receiveBufferForced` says
   * which). For a backlog larger than the system allows. Default false.
   */
  forceReceiveBuffer?: boolean;
  /** SO_REUSEADDR. Default true. */
  reuseAddress?: boolean;
  /** SO_REUSEPORT: lets several sockets (threads or processes) bind the same port. Default false. */
  reusePort?: boolean;
  multicast?: MulticastMembership;
  /**
   * Kernel receive time of each datagram (SO_TIMESTAMPNS), read by timestampNanos(). Default
   * true: the feed's wire-latency stage needs it. false saves the kernel a control message per
   * datagram (about a tenth of the receive cost on lo); timestampNanos() then returns 0.
   */
  timestamps?: boolean;
  /**
   * Source address and port of each datagram (recvmmsg's msg_name), read by sourceAddress() and
   * sourcePort(). Default true. false saves the kernel an address copy per datagram (about a
   * twentieth of the receive cost on lo); the feed handler does without it.
   */
  sourceAddress?: boolean;
}

const ztUdpSocket: () => number = nativeLibrary.func('int zt_udp_socket(void)');
const ztUdpEnableTimestamps: (fd: number) => number = nativeLibrary.func('int zt_udp_enable_timestamps(int fd)');
const ztUdpJoinGroup: (fd: number, group: string, interfaceIndex: number) => number =
  nativeLibrary.func('int zt_udp_join_group(int fd, const char *group, int interface_index)');
const ztUdpJoinSourceGroup: (fd: number, group: string, source: string, interfaceIndex: number) => number =
  nativeLibrary.func('int zt_udp_join_source_group(int fd, const char *group, const char *source, int interface_index)');
const ztUdpRxCreate: (
  fd: number, capacity: number, poolBase: bigint, slotSize: number, slotStride: number, slotCount: number, options: number, out: [bigint | null],
) => number = nativeLibrary.func('zt_udp_rx_create', 'int', [
  'int', 'uint32_t', 'uint64_t', 'uint32_t', 'uint32_t', 'uint32_t', 'uint32_t', koffi.out(koffi.pointer('void *')),
]);
const ztUdpRxDestroy: (rx: bigint) => number = nativeLibrary.func('int zt_udp_rx_destroy(void *rx)');
const ztUdpRxReadDrops: (rx: bigint) => number = nativeLibrary.func('int zt_udp_rx_read_drops(void *rx)');
const ztUdpRxRecv: (rx: bigint, max: number, timeoutMs: number) => number =
  nativeLibrary.func('int zt_udp_rx_recv(void *rx, uint32_t max, int timeout_ms)');

export class UdpReceiver {
  readonly pool: BufferPool;
  readonly batchSize: number;
  /** The bound port (the kernel's choice when the options said 0). */
  readonly localPort: number;
  /** SO_RCVBUF as granted by the kernel, or undefined when left at the system default. */
  readonly receiveBufferBytes: number | undefined;
  /** Whether receiveBufferBytes was granted by SO_RCVBUFFORCE (asked for and allowed). */
  readonly receiveBufferForced: boolean;
  /** Whether timestampNanos() reports kernel receive times (the `timestamps` option). */
  readonly timestamps: boolean;
  /** Whether sourceAddress() and sourcePort() are available (the `sourceAddress` option). */
  readonly sourceAddresses: boolean;
  /** Datagrams received but discarded because the pool was empty under the 'drop' policy. */
  discardedCount = 0;

  private readonly fd: number;
  private readonly description: string;
  private readonly context: bigint;
  /** The header and the cold per-datagram fields (source), by byte offset. */
  private readonly view: DataView;
  /** slotIndex[N]: which pool slot each batch position receives into. */
  private readonly slotIndexes: Int32Array;
  /** The message array as int32 words and as float64s: one load per hot field, no DataView call. */
  private readonly messageWords: Int32Array;
  private readonly messageDoubles: Float64Array;
  private readonly firstMessageOffset: number;
  /** Positions [0, armedCount) hold slots; the rest are EMPTY. */
  private armedCount = 0;
  private needsRefill = true;
  /** Only under the 'drop' policy: where datagrams go when there is no slot for them. */
  private readonly scratchSlot: number;
  private receivedCount = 0;
  private closed = false;
  /** kernelDropCount's last reading: what it answers once the native context is gone. */
  private lastDropCount = 0;

  static open(pool: BufferPool, options: UdpReceiverOptions): UdpReceiver {
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
      throw new RangeError(`batchSize must be an integer in 1..${MAX_BATCH}: batchSize=${batchSize}`);
    }
    const bindAddress = options.bindAddress ?? options.multicast?.group ?? '0.0.0.0';
    const description = `udp ${bindAddress}:${options.port}`;
    const fd = checkResult(ztUdpSocket(), 'socket', description);
    let scratchSlot = EMPTY;
    try {
      const receiveBuffer = configureSocket(fd, options, description);
      bindSocket(fd, bindAddress, options.port);
      if (options.multicast !== undefined) joinMulticast(fd, options.multicast);
      const port = localPort(fd, description);
      if (pool.exhaustionPolicy === 'drop') scratchSlot = acquireScratchSlot(pool);
      const metadata: ReceivedMetadata = { timestamps: options.timestamps ?? true, sourceAddresses: options.sourceAddress ?? true };
      return new UdpReceiver(pool, fd, batchSize, port, receiveBuffer, `udp ${bindAddress}:${port}`, scratchSlot, metadata);
    } catch (error) {
      if (scratchSlot !== EMPTY) pool.release(scratchSlot);
      closeSocket(fd, description);
      throw error;
    }
  }

  private constructor(
    pool: BufferPool,
    fd: number,
    batchSize: number,
    port: number,
    receiveBuffer: ReceiveBuffer,
    description: string,
    scratchSlot: number,
    metadata: ReceivedMetadata,
  ) {
    this.pool = pool;
    this.fd = fd;
    this.batchSize = batchSize;
    this.localPort = port;
    this.receiveBufferBytes = receiveBuffer.granted;
    this.receiveBufferForced = receiveBuffer.forced;
    this.timestamps = metadata.timestamps;
    this.sourceAddresses = metadata.sourceAddresses;
    this.description = description;
    const out: [bigint | null] = [null];
    const contextOptions = metadata.sourceAddresses ? SOURCE_ADDRESS_OPTION : 0;
    // Arguments were checked above and by the pool, so mmap is the one call that can fail here.
    const created = ztUdpRxCreate(fd, batchSize, pool.address, pool.slotSize, pool.slotStride, pool.slotCount, contextOptions, out);
    checkResult(created, 'mmap', `receive context for ${description}`);
    this.context = out[0]!;
    const shared = koffi.view(this.context, sharedLength(batchSize));
    this.view = new DataView(shared);
    this.firstMessageOffset = messagesOffset(batchSize);
    this.slotIndexes = new Int32Array(shared, SLOT_INDEX_OFFSET, batchSize);
    this.messageWords = new Int32Array(shared, this.firstMessageOffset, batchSize * MESSAGE_LENGTH_WORDS);
    this.messageDoubles = new Float64Array(shared, this.firstMessageOffset, batchSize * MESSAGE_LENGTH_DOUBLES);
    this.scratchSlot = scratchSlot;
  }

  /**
   * Receives one batch: returns how many datagrams arrived (0 when none), which are then read
   * with the accessors below at positions 0..count-1. timeoutMs: BUSY_POLL (0) tries once
   * without blocking; > 0 waits up to that long; WAIT_FOREVER (-1) waits without limit.
   * Under 'backpressure', an empty pool means 0 without reading the socket.
   */
  receive(timeoutMs: number = BUSY_POLL): number {
    if (this.needsRefill) this.refill();
    const armed = this.armedCount;
    const batchSize = this.batchSize;
    let received: number;
    if (armed === batchSize) {
      received = this.receiveInto(batchSize, timeoutMs);
    } else if (this.scratchSlot !== EMPTY) {
      received = this.receiveDiscardingOverflow(armed, timeoutMs);
    } else {
      received = armed === 0 ? 0 : this.receiveInto(armed, timeoutMs);
    }
    this.receivedCount = received;
    return received;
  }

  /** The pool slot holding datagram `position` of the last batch. */
  slot(position: number): number {
    return this.messageWords[position * MESSAGE_LENGTH_WORDS + MESSAGE_SLOT_INDEX_WORD]!;
  }

  /** Byte offset of datagram `position` in pool.bytes / pool.view. */
  offset(position: number): number {
    return this.slot(position) * this.pool.slotStride;
  }

  /** Bytes in the slot (at most pool.slotSize). */
  length(position: number): number {
    return this.messageWords[position * MESSAGE_LENGTH_WORDS + LENGTH_WORD]!;
  }

  /** Size of the datagram on the wire; larger than length() when it was truncated. */
  datagramLength(position: number): number {
    return this.messageWords[position * MESSAGE_LENGTH_WORDS + DATAGRAM_LENGTH_WORD]!;
  }

  isTruncated(position: number): boolean {
    return (this.messageWords[position * MESSAGE_LENGTH_WORDS + FLAGS_WORD]! & TRUNCATED_FLAG) !== 0;
  }

  /**
   * Kernel receive time, CLOCK_REALTIME ns since the epoch (comparable with realtimeNanos());
   * 0 when the receiver was opened with `timestamps: false`.
   */
  timestampNanos(position: number): number {
    return this.messageDoubles[position * MESSAGE_LENGTH_DOUBLES + TIMESTAMP_NANOS_DOUBLE]!;
  }

  /**
   * timestampNanos() stored into `into.nanos`, for the hot path: a double returned from a call
   * V8 does not inline is boxed (16 B a datagram), one stored into a field in place is not.
   */
  copyTimestamp(position: number, into: { nanos: number }): void {
    into.nanos = this.messageDoubles[position * MESSAGE_LENGTH_DOUBLES + TIMESTAMP_NANOS_DOUBLE]!;
  }

  /** Source IPv4 address as a host-order uint32 (formatIpv4() makes it a string off the hot path). */
  sourceAddress(position: number): number {
    this.checkSourceAddresses('sourceAddress');
    return this.view.getUint32(this.messageField(position, SOURCE_ADDRESS_OFFSET), true);
  }

  sourcePort(position: number): number {
    this.checkSourceAddresses('sourcePort');
    return this.view.getUint16(this.messageField(position, SOURCE_PORT_OFFSET), true);
  }

  /** Hands the slot of datagram `position` to the caller, who must release it to the pool. */
  takeSlot(position: number): number {
    if (!Number.isInteger(position) || position < 0 || position >= this.receivedCount) {
      throw new RangeError(`takeSlot position out of the last batch: position=${position} (received ${this.receivedCount})`);
    }
    const slot = this.slotIndexes[position]!;
    if (slot === EMPTY) throw new RangeError(`takeSlot: the slot at position=${position} was already taken`);
    this.slotIndexes[position] = EMPTY;
    this.slotsChanged();
    this.needsRefill = true;
    return slot;
  }

  /**
   * Datagrams the kernel dropped on this socket because its buffer was full, cumulative: read
   * from the kernel now (getsockopt SO_MEMINFO, a system call: callers on the hot path read it
   * every few hundred passes, not per packet). After close(), the count as of closing. (Not
   * SO_RXQ_OVFL: after a socket's first drop that puts a control message on every datagram,
   * about a tenth of the receive cost on lo.)
   */
  get kernelDropCount(): number {
    if (!this.closed) this.lastDropCount = this.readDropCount();
    return this.lastDropCount;
  }

  private readDropCount(): number {
    checkResult(ztUdpRxReadDrops(this.context), 'getsockopt SO_MEMINFO', this.description);
    return this.view.getUint32(KERNEL_DROP_COUNT_OFFSET, true);
  }

  /** Returns the receiver's slots to the pool, frees the context and closes the socket. */
  close(): void {
    if (this.closed) return;
    this.lastDropCount = this.readDropCount();
    this.closed = true;
    for (let position = 0; position < this.batchSize; position++) {
      const slot = this.slotIndexes[position]!;
      if (slot !== EMPTY && slot !== this.scratchSlot) this.pool.release(slot);
    }
    if (this.scratchSlot !== EMPTY) this.pool.release(this.scratchSlot);
    checkResult(ztUdpRxDestroy(this.context), 'munmap', this.description);
    closeSocket(this.fd, this.description);
  }

  private receiveInto(max: number, timeoutMs: number): number {
    return checkResult(ztUdpRxRecv(this.context, max, timeoutMs), 'recvmmsg', this.description);
  }

  /**
   * 'drop' policy with too few slots: positions past the armed ones point at the scratch slot,
   * so the socket is still drained; what lands there is counted and not reported.
   */
  private receiveDiscardingOverflow(armed: number, timeoutMs: number): number {
    const slotIndexes = this.slotIndexes;
    slotIndexes.fill(this.scratchSlot, armed);
    this.slotsChanged();
    const received = this.receiveInto(this.batchSize, timeoutMs);
    slotIndexes.fill(EMPTY, armed);
    this.slotsChanged();
    if (received <= armed) return received;
    this.discardedCount += received - armed;
    return armed;
  }

  /**
   * Gives every EMPTY position a slot. When the pool runs dry, the slots still held are moved
   * to the front so that positions [0, armedCount) are exactly the ones with a slot.
   */
  private refill(): void {
    const slotIndexes = this.slotIndexes;
    const pool = this.pool;
    let end = this.batchSize;
    let poolDry = false;
    let position = 0;
    for (; position < end; position++) {
      if (slotIndexes[position] !== EMPTY) continue;
      let slot = poolDry ? NO_SLOT : pool.acquire();
      if (slot === NO_SLOT) {
        poolDry = true;
        do end--;
        while (end > position && slotIndexes[end] === EMPTY);
        if (end === position) break;
        slot = slotIndexes[end]!;
        slotIndexes[end] = EMPTY;
      }
      slotIndexes[position] = slot;
    }
    this.slotsChanged();
    this.armedCount = position;
    // Keep trying on every receive while short of slots, so released slots are picked up.
    this.needsRefill = position < this.batchSize;
  }

  /** Tells the C side to re-point its iovecs at slotIndex before the next recvmmsg. */
  private slotsChanged(): void {
    this.view.setUint32(SLOTS_CHANGED_OFFSET, 1, true);
  }

  private checkSourceAddresses(accessor: string): void {
    if (!this.sourceAddresses) throw new Error(`${accessor}: ${this.description} was opened with sourceAddress: false`);
  }

  private messageField(position: number, fieldOffset: number): number {
    return messageOffset(this.firstMessageOffset, position) + fieldOffset;
  }
}

/** SO_RCVBUF as granted (undefined: left at the system default) and whether it was forced. */
interface ReceiveBuffer {
  granted: number | undefined;
  forced: boolean;
}

interface ReceivedMetadata {
  timestamps: boolean;
  sourceAddresses: boolean;
}

function acquireScratchSlot(pool: BufferPool): number {
  const slot = pool.acquire();
  if (slot === NO_SLOT) {
    throw new RangeError(`the 'drop' policy needs one free slot for discarded datagrams: the pool has none (slotCount=${pool.slotCount})`);
  }
  return slot;
}

function configureSocket(fd: number, options: UdpReceiverOptions, description: string): ReceiveBuffer {
  if (options.reuseAddress ?? true) setReuseAddress(fd, description);
  if (options.reusePort === true) setReusePort(fd, description);
  const receiveBuffer = sizeReceiveBuffer(fd, options, description);
  if (options.timestamps ?? true) checkResult(ztUdpEnableTimestamps(fd), 'setsockopt SO_TIMESTAMPNS', description);
  return receiveBuffer;
}

function sizeReceiveBuffer(fd: number, options: UdpReceiverOptions, description: string): ReceiveBuffer {
  const bytes = options.receiveBufferBytes;
  if (bytes === undefined) return { granted: undefined, forced: false };
  if (options.forceReceiveBuffer === true) return forceReceiveBuffer(fd, bytes, description);
  return { granted: setReceiveBuffer(fd, bytes, description), forced: false };
}

function joinMulticast(fd: number, membership: MulticastMembership): void {
  const index = interfaceIndex(membership.interface);
  if (membership.source === undefined) {
    const result = ztUdpJoinGroup(fd, membership.group, index);
    checkResult(result, 'setsockopt IP_ADD_MEMBERSHIP', `${membership.group} on ${membership.interface}`);
  } else {
    const result = ztUdpJoinSourceGroup(fd, membership.group, membership.source, index);
    checkResult(result, 'setsockopt MCAST_JOIN_SOURCE_GROUP', `${membership.source} -> ${membership.group} on ${membership.interface}`);
  }
}

