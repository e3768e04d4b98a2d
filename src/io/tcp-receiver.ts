/**
 * Bytes in from a TCP connection (the order session's ExecutionReports): a non-blocking recv
 * (native/zt_tcp_recv.c) into one native buffer viewed once.
 *
 *   buffer (native, page aligned)
 *   +----------------+--------------------------+---------------------+
 *   | consumed       | received, not consumed   | free                |
 *   +----------------+--------------------------+---------------------+
 *   0                readOffset                 writeOffset           capacity
 *
 * A stream cuts frames anywhere, so the consumer reads whole frames from [readOffset,
 * writeOffset), calls consume() up to the end of the last whole one, and leaves the partial
 * tail for the next receive(), which first moves that tail to the front when the free room
 * runs low. Results follow the native convention: bytes, 0 for "nothing yet", or negative.
 */
import { SyscallError } from './errors.js';
import { nativeLibrary } from './native.js';
import { BufferPool } from './pool.js';

/** receive(): the peer closed the connection (libuv's UV_EOF, as native/zt_tcp_recv.c returns it). */
export const RECEIVE_PEER_CLOSED = -4095;
/** receive(): the buffer is full of unconsumed bytes (the consumer never called consume()). */
export const RECEIVE_BUFFER_FULL = -105; // -ENOBUFS
/** Room for a few of the largest SOFH frames (u16 length): a partial frame always fits. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 256 * 1024;
const MIN_RECEIVE_BUFFER_BYTES = 1 << 16;

export interface TcpReceiverOptions {
  /** Default 256 KiB; at least 64 KiB so that one frame of any u16 length fits. */
  bufferBytes?: number;
  /** Names the connection in error messages, e.g. "127.0.0.1:9000". */
  description?: string;
}

const ztTcpRecv: (fd: number, base: bigint, offset: number, capacity: number) => number =
  nativeLibrary.func('long zt_tcp_recv(int fd, void *base, long offset, long capacity)');
const ztTcpWaitReadable: (fd: number, timeoutMs: number) => number = nativeLibrary.func('int zt_tcp_wait_readable(int fd, int timeout_ms)');

export class TcpReceiver {
  readonly fd: number;
  readonly capacity: number;
  readonly description: string;
  /** The whole buffer; received bytes are [readOffset, writeOffset). Invalid after destroy(). */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readOffset = 0;
  writeOffset = 0;

  bytesReceived = 0;
  /** recv calls that returned bytes. */
  receiveCalls = 0;

  private readonly region: BufferPool;
  private readonly address: bigint;
  private destroyed = false;

  /**
   * Reads from `fd`, a connected non-blocking socket owned by someone else (the TcpSender of the
   * same connection): destroy() frees the buffer and leaves the socket open.
   */
  static attach(fd: number, options: TcpReceiverOptions = {}): TcpReceiver {
    const capacity = options.bufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES;
    if (!Number.isInteger(capacity) || capacity < MIN_RECEIVE_BUFFER_BYTES) {
      throw new RangeError(`bufferBytes must be an integer >= ${MIN_RECEIVE_BUFFER_BYTES}: bufferBytes=${capacity}`);
    }
    return new TcpReceiver(fd, capacity, options.description ?? `fd ${fd}`);
  }

  private constructor(fd: number, capacity: number, description: string) {
    this.fd = fd;
    this.capacity = capacity;
    this.description = description;
    this.region = BufferPool.create({ slotSize: capacity, slotCount: 1 });
    this.region.acquire();
    this.bytes = this.region.bytes;
    this.view = this.region.view;
    this.address = this.region.address;
  }

  /**
   * One non-blocking recv appended at writeOffset. Returns the bytes read, 0 when none were
   * waiting, RECEIVE_PEER_CLOSED, RECEIVE_BUFFER_FULL, or -errno (ECONNRESET, ...).
   */
  receive(): number {
    if (this.destroyed) throw new Error(`TcpReceiver ${this.description} is destroyed`);
    this.makeRoom();
    const room = this.capacity - this.writeOffset;
    if (room === 0) return RECEIVE_BUFFER_FULL;
    const received = ztTcpRecv(this.fd, this.address, this.writeOffset, room);
    if (received > 0) {
      this.writeOffset += received;
      this.bytesReceived += received;
      this.receiveCalls++;
    }
    return received;
  }

  /** Marks everything before `offset` as read. */
  consume(offset: number): void {
    if (offset < this.readOffset || offset > this.writeOffset) {
      throw new RangeError(`consume outside the received bytes: offset=${offset} (readOffset=${this.readOffset}, writeOffset=${this.writeOffset})`);
    }
    this.readOffset = offset;
  }

  get unconsumedBytes(): number {
    return this.writeOffset - this.readOffset;
  }

  /** Blocks until bytes or a close are waiting: true, or false after timeoutMs. */
  waitReadable(timeoutMs: number): boolean {
    const ready = ztTcpWaitReadable(this.fd, timeoutMs);
    if (ready < 0) throw new SyscallError('poll', this.description, -ready);
    return ready === 1;
  }

  /** Frees the buffer (not the socket). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.region.destroy();
  }

  /** Turns a negative receive() result into a sentence (cold path). */
  describeResult(result: number): string {
    if (result === RECEIVE_PEER_CLOSED) return `recv ${this.description}: connection closed by the peer`;
    if (result === RECEIVE_BUFFER_FULL) return `recv ${this.description}: ${this.capacity}-byte buffer full of unconsumed bytes`;
    return new SyscallError('recv', this.description, -result).message;
  }

  /** Moves the unconsumed tail to the front once the free room drops below half the buffer. */
  private makeRoom(): void {
    const readOffset = this.readOffset;
    if (readOffset === 0) return;
    if (readOffset === this.writeOffset) {
      this.readOffset = 0;
      this.writeOffset = 0;
      return;
    }
    if (this.capacity - this.writeOffset >= this.capacity >>> 1) return;
    this.bytes.copyWithin(0, readOffset, this.writeOffset);
    this.writeOffset -= readOffset;
    this.readOffset = 0;
  }
}
