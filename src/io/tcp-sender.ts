/**
 * Orders out by gather write: the caller encodes each order into pool slots, enqueue() appends
 * the slot ranges to an iovec array in native memory, and flush() sends everything queued with
 * one sendmsg (writev's gather, plus MSG_NOSIGNAL).
 *
 * The socket is non-blocking. When the kernel takes only part of the queue, the sent entries are
 * dropped from the front and the first unsent one is advanced in place (iov_base += n,
 * iov_len -= n), so the next flush continues exactly where the kernel stopped: no byte lost,
 * reordered or sent twice. A slot goes back to the pool once every segment queued from it has
 * been sent; the sender owns the slots it was given until then.
 */
import { checkResult, SyscallError } from './errors.js';
import { nativeLibrary } from './native.js';
import { BufferPool } from './pool.js';
import { IOV_MAX, IOVEC_LENGTH, readBase, readLength, writeBase, writeLength } from './iovec-layout.js';
import { closeSocket, setSendBuffer } from './socket.js';

/** Segments queued before flush() must run: enough for hundreds of orders per call. */
export const DEFAULT_QUEUE_CAPACITY = IOV_MAX;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface TcpSenderOptions {
  host: string;
  port: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** SO_SNDBUF request in bytes. Default: the system's (autotuned). */
  sendBufferBytes?: number;
  /** Segments the queue holds, 1..1024. Default 1024. */
  queueCapacity?: number;
}

interface AsyncNative<Args extends unknown[]> {
  (...args: Args): number;
  async(...args: [...Args, (error: unknown, result: number) => void]): void;
}

const ztTcpSocket: () => number = nativeLibrary.func('int zt_tcp_socket(void)');
const ztTcpSetNodelay: (fd: number) => number = nativeLibrary.func('int zt_tcp_set_nodelay(int fd)');
const ztTcpConnectStart: (fd: number, ip: string, port: number) => number =
  nativeLibrary.func('int zt_tcp_connect_start(int fd, const char *ip, int port)');
// Waited for on koffi's thread pool: a connect timeout must not freeze the event loop.
const ztTcpConnectWait = nativeLibrary.func('int zt_tcp_connect_wait(int fd, int timeout_ms)') as AsyncNative<[number, number]>;
const ztTcpWaitWritable: (fd: number, timeoutMs: number) => number = nativeLibrary.func('int zt_tcp_wait_writable(int fd, int timeout_ms)');
const ztTcpSendv: (fd: number, iov: bigint, first: number, count: number) => number =
  nativeLibrary.func('long zt_tcp_sendv(int fd, void *iov, int first, int count)');

export class TcpSender {
  readonly pool: BufferPool;
  readonly queueCapacity: number;
  /** SO_SNDBUF as granted, or undefined when left at the system default. */
  readonly sendBufferBytes: number | undefined;

  /** Bytes the kernel accepted. */
  bytesSent = 0;
  /** sendmsg calls that sent something. */
  writevCalls = 0;
  /** Calls after which bytes were left queued. */
  partialWrites = 0;
  /** Calls that found the socket buffer full (EAGAIN). */
  wouldBlockCount = 0;

  /** The connected socket, for a TcpReceiver reading the same connection; the sender closes it. */
  readonly fd: number;
  private readonly description: string;
  /** The iovec array: one slot of a private pool, so it is native, page-aligned and viewed once. */
  private readonly iovecPool: BufferPool;
  private readonly iovecs: DataView;
  private readonly iovecAddress: bigint;
  /** Which response-pool slot each queued segment came from. */
  private readonly segmentSlots: Int32Array;
  /** Segments still queued per response-pool slot; the slot is released when it drops to 0. */
  private readonly queuedSegmentsPerSlot: Uint16Array;
  private head = 0;
  private tail = 0;
  private queuedBytes = 0;
  private failure: SyscallError | undefined;
  private closed = false;

  /** Connects (non-blocking, with a timeout) and sets TCP_NODELAY. */
  static async connect(pool: BufferPool, options: TcpSenderOptions): Promise<TcpSender> {
    const queueCapacity = options.queueCapacity ?? DEFAULT_QUEUE_CAPACITY;
    if (!Number.isInteger(queueCapacity) || queueCapacity < 1 || queueCapacity > IOV_MAX) {
      throw new RangeError(`queueCapacity must be an integer in 1..${IOV_MAX}: queueCapacity=${queueCapacity}`);
    }
    const description = `${options.host}:${options.port}`;
    const fd = checkResult(ztTcpSocket(), 'socket', description);
    try {
      const sendBufferBytes = options.sendBufferBytes === undefined ? undefined : setSendBuffer(fd, options.sendBufferBytes, description);
      await connectWithTimeout(fd, options, description);
      checkResult(ztTcpSetNodelay(fd), 'setsockopt TCP_NODELAY', description);
      return new TcpSender(pool, fd, queueCapacity, sendBufferBytes, description);
    } catch (error) {
      closeSocket(fd, description);
      throw error;
    }
  }

  private constructor(pool: BufferPool, fd: number, queueCapacity: number, sendBufferBytes: number | undefined, description: string) {
    this.pool = pool;
    this.fd = fd;
    this.queueCapacity = queueCapacity;
    this.sendBufferBytes = sendBufferBytes;
    this.description = description;
    this.iovecPool = BufferPool.create({ slotSize: queueCapacity * IOVEC_LENGTH, slotCount: 1 });
    this.iovecPool.acquire();
    this.iovecs = this.iovecPool.view;
    this.iovecAddress = this.iovecPool.address;
    this.segmentSlots = new Int32Array(queueCapacity);
    this.queuedSegmentsPerSlot = new Uint16Array(pool.slotCount);
  }

  /**
   * Queues `length` bytes at `offset` in `slot` (a slot of `pool` acquired by the caller, who
   * hands it over: it is released once all its queued bytes are sent). An order in two parts,
   * header and body, is two enqueue calls. Returns false when the queue is full: flush first.
   */
  enqueue(slot: number, offset: number, length: number): boolean {
    this.checkUsable();
    const pool = this.pool;
    if (!pool.isInUse(slot) || !(length > 0) || offset < 0 || offset + length > pool.slotSize) {
      throw new RangeError(`enqueue outside an acquired slot: slot=${slot} offset=${offset} length=${length} (slotSize=${pool.slotSize})`);
    }
    if (this.tail === this.queueCapacity) {
      if (this.head === 0) return false;
      this.compact();
    }
    const entry = this.tail++;
    writeBase(this.iovecs, entry, pool.addressNumber + slot * pool.slotStride + offset);
    writeLength(this.iovecs, entry, length);
    this.segmentSlots[entry] = slot;
    this.queuedSegmentsPerSlot[slot]!++;
    this.queuedBytes += length;
    return true;
  }

  /**
   * Sends everything queued with one sendmsg. Returns the bytes the kernel took (0 when its
   * buffer is full); what it did not take stays queued for the next flush. A reset or closed
   * connection throws a SyscallError (ECONNRESET, EPIPE) and closes the sender.
   */
  flush(): number {
    this.checkUsable();
    const queued = this.tail - this.head;
    if (queued === 0) return 0;
    const sent = ztTcpSendv(this.fd, this.iovecAddress, this.head, queued);
    if (sent < 0) this.fail(sent);
    if (sent === 0) {
      this.wouldBlockCount++;
      return 0;
    }
    this.writevCalls++;
    this.bytesSent += sent;
    this.queuedBytes -= sent;
    this.dropSent(sent);
    if (this.head !== this.tail) this.partialWrites++;
    return sent;
  }

  /** Blocks the calling thread until the socket can take more bytes: true, or false after timeoutMs. */
  waitWritable(timeoutMs: number): boolean {
    this.checkUsable();
    return checkResult(ztTcpWaitWritable(this.fd, timeoutMs), 'poll', this.description) === 1;
  }

  /** Bytes enqueued and not yet taken by the kernel. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  get pendingSegments(): number {
    return this.tail - this.head;
  }

  /** Closes the socket; slots of segments never sent go back to the pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.releaseQueuedSlots();
    this.iovecPool.destroy();
    closeSocket(this.fd, this.description);
  }

  /** Drops fully sent entries from the front and advances the first partly sent one in place. */
  private dropSent(sent: number): void {
    const iovecs = this.iovecs;
    let remaining = sent;
    let head = this.head;
    while (remaining > 0) {
      const length = readLength(iovecs, head);
      if (remaining < length) {
        writeBase(iovecs, head, readBase(iovecs, head) + remaining);
        writeLength(iovecs, head, length - remaining);
        break;
      }
      remaining -= length;
      this.segmentSent(this.segmentSlots[head]!);
      head++;
    }
    if (head === this.tail) {
      this.head = 0;
      this.tail = 0;
    } else {
      this.head = head;
    }
  }

  private segmentSent(slot: number): void {
    if (--this.queuedSegmentsPerSlot[slot]! === 0) this.pool.release(slot);
  }

  /** Moves the queued entries to the front of the array to make room at the back. */
  private compact(): void {
    this.iovecPool.bytes.copyWithin(0, this.head * IOVEC_LENGTH, this.tail * IOVEC_LENGTH);
    this.segmentSlots.copyWithin(0, this.head, this.tail);
    this.tail -= this.head;
    this.head = 0;
  }

  private fail(result: number): never {
    this.failure = new SyscallError('sendmsg', this.description, -result);
    this.close();
    throw this.failure;
  }

  private checkUsable(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error(`TcpSender ${this.description} is closed`);
  }

  private releaseQueuedSlots(): void {
    for (let entry = this.head; entry < this.tail; entry++) this.segmentSent(this.segmentSlots[entry]!);
    this.head = 0;
    this.tail = 0;
    this.queuedBytes = 0;
  }
}

async function connectWithTimeout(fd: number, options: TcpSenderOptions, description: string): Promise<void> {
  const started = checkResult(ztTcpConnectStart(fd, options.host, options.port), 'connect', description);
  if (started === 0) return;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const result = await new Promise<number>((resolve, reject) => {
    ztTcpConnectWait.async(fd, timeoutMs, (error, waited) => (error ? reject(error) : resolve(waited)));
  });
  checkResult(result, 'connect', description);
}
