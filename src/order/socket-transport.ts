/**
 * The copy baseline's exchange connection (`zerotick run --io copy`): the ordinary Node way, so
 * the benchmark measures what zero copy saves. The session encodes into its pool slot as always;
 * here each message is then copied into a newly allocated Buffer (the slot goes straight back)
 * and written with net.Socket.write on flush, the messages of one flush corked together. Each
 * 'data' chunk is queued as Node delivered it and copied into the receive buffer the session
 * decodes from, on its next receive().
 *
 * Socket events arrive on the event loop between the session's polls; the halves report them
 * the way TcpSender and TcpReceiver report syscall results: flush() throws, receive() returns
 * RECEIVE_PEER_CLOSED or -errno once every byte received before the close was handed over.
 * sendBufferBytes is not applied: net.Socket has no SO_SNDBUF option, and the baseline keeps
 * Node's defaults.
 */
import { connect, type Socket } from 'node:net';
import { constants } from 'node:os';
import { SyscallError } from '../io/errors.js';
import type { BufferPool } from '../io/pool.js';
import { DEFAULT_RECEIVE_BUFFER_BYTES, RECEIVE_BUFFER_FULL, RECEIVE_PEER_CLOSED } from '../io/tcp-receiver.js';
import type { OrderReceiver, OrderSender, OrderTransport } from './order-transport.js';

/** Messages queued between flushes, as TcpSender's default queue: the session flushes when full. */
const SEND_QUEUE_CAPACITY = 1024;
/** For a stream error that carries no errno (a write after the end): the connection is unusable. */
const EPIPE = constants.errno.EPIPE;

/** Node gives a system error's errno negative; a stream error carries none. */
function errnoOf(error: NodeJS.ErrnoException): number {
  return typeof error.errno === 'number' && error.errno < 0 ? -error.errno : EPIPE;
}

/** What the socket's events said, read by both halves. */
class SocketEvents {
  /** -errno of the first error, 0 while none. */
  errno = 0;
  peerClosed = false;

  constructor(socket: Socket) {
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.errno === 0) this.errno = -errnoOf(error);
    });
    socket.on('end', () => (this.peerClosed = true));
  }
}

export const socketTransport: OrderTransport = (pool, options) => {
  const description = `exchange ${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: options.host, port: options.port, noDelay: true });
    const fail = (errno: number): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SyscallError('connect', `${options.host}:${options.port}`, errno));
    };
    const timer = setTimeout(() => fail(constants.errno.ETIMEDOUT), options.connectTimeoutMs);
    socket.once('error', (error: NodeJS.ErrnoException) => fail(errnoOf(error)));
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      const events = new SocketEvents(socket);
      resolve({
        sender: new SocketSender(pool, socket, events, description),
        receiver: new SocketReceiver(socket, events, options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES, description),
      });
    });
  });
};

/** Copies each message out of its pool slot into a new Buffer; flush() writes each with socket.write. */
export class SocketSender implements OrderSender {
  bytesSent = 0;
  /** Flushes that wrote something: one write or corked writev each. */
  writevCalls = 0;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private closed = false;

  constructor(
    private readonly pool: BufferPool,
    private readonly socket: Socket,
    private readonly events: SocketEvents,
    private readonly description: string,
  ) {}

  get pendingBytes(): number {
    return this.queuedBytes + this.socket.writableLength;
  }

  get pendingSegments(): number {
    return this.queue.length;
  }

  /** Copies the message and releases `slot` at once: one enqueue per slot, as the session does. */
  enqueue(slot: number, offset: number, length: number): boolean {
    this.checkUsable();
    if (this.queue.length === SEND_QUEUE_CAPACITY) return false;
    const start = this.pool.slotOffset(slot) + offset;
    const message = Buffer.allocUnsafe(length);
    message.set(this.pool.bytes.subarray(start, start + length));
    this.pool.release(slot);
    this.queue.push(message);
    this.queuedBytes += length;
    return true;
  }

  /**
   * Writes each queued message with socket.write; several are corked, so Node hands them to the
   * kernel in one writev (Socket._writev), as TcpSender sends a batch, instead of a write each.
   */
  flush(): number {
    this.checkUsable();
    const queue = this.queue;
    if (queue.length === 0) return 0;
    const socket = this.socket;
    const batched = queue.length > 1;
    if (batched) socket.cork();
    for (let i = 0; i < queue.length; i++) socket.write(queue[i]!);
    if (batched) socket.uncork();
    const written = this.queuedBytes;
    this.writevCalls++;
    this.bytesSent += written;
    queue.length = 0;
    this.queuedBytes = 0;
    return written;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    // Like close(2) on TcpSender's fd, what was written still goes out (a Terminate, the last
    // cancels at stop): Node may hold bytes the kernel had no room for, destroy() would drop them.
    this.socket.destroySoon();
  }

  private checkUsable(): void {
    if (this.closed) throw new Error(`socket to ${this.description} is closed`);
    const events = this.events;
    if (events.errno !== 0) throw new SyscallError('write', this.description, -events.errno);
    if (events.peerClosed) throw new Error(`write ${this.description}: connection closed by the peer`);
  }
}

/**
 * Received bytes are [readOffset, writeOffset) of one buffer; receive() first moves the
 * unconsumed tail to the front, then copies in the chunks that arrived since.
 */
export class SocketReceiver implements OrderReceiver {
  readonly view: DataView;
  readOffset = 0;
  writeOffset = 0;
  bytesReceived = 0;
  private readonly bytes: Uint8Array;
  private readonly chunks: Buffer[] = [];
  private destroyed = false;

  constructor(
    socket: Socket,
    private readonly events: SocketEvents,
    readonly capacity: number,
    private readonly description: string,
  ) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
    socket.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  get unconsumedBytes(): number {
    return this.writeOffset - this.readOffset;
  }

  receive(): number {
    if (this.destroyed) throw new Error(`receiver of ${this.description} is destroyed`);
    this.moveTailToFront();
    const received = this.copyChunks();
    if (received > 0) return received;
    if (this.chunks.length > 0) return RECEIVE_BUFFER_FULL;
    if (this.events.errno !== 0) return this.events.errno;
    return this.events.peerClosed ? RECEIVE_PEER_CLOSED : 0;
  }

  consume(offset: number): void {
    if (offset < this.readOffset || offset > this.writeOffset) {
      throw new RangeError(`consume outside the received bytes: offset=${offset} (readOffset=${this.readOffset}, writeOffset=${this.writeOffset})`);
    }
    this.readOffset = offset;
  }

  describeResult(result: number): string {
    if (result === RECEIVE_PEER_CLOSED) return `recv ${this.description}: connection closed by the peer`;
    if (result === RECEIVE_BUFFER_FULL) return `recv ${this.description}: ${this.capacity}-byte buffer full of unconsumed bytes`;
    return new SyscallError('recv', this.description, -result).message;
  }

  /** The socket belongs to the sender, which destroys it. */
  destroy(): void {
    this.destroyed = true;
    this.chunks.length = 0;
  }

  private moveTailToFront(): void {
    if (this.readOffset === 0) return;
    this.bytes.copyWithin(0, this.readOffset, this.writeOffset);
    this.writeOffset -= this.readOffset;
    this.readOffset = 0;
  }

  /** As much of the waiting chunks as fits; a chunk cut by a full buffer keeps its rest queued. */
  private copyChunks(): number {
    const chunks = this.chunks;
    let copied = 0;
    while (chunks.length > 0 && this.writeOffset < this.capacity) {
      const chunk = chunks[0]!;
      const length = Math.min(chunk.length, this.capacity - this.writeOffset);
      this.bytes.set(length === chunk.length ? chunk : chunk.subarray(0, length), this.writeOffset);
      this.writeOffset += length;
      copied += length;
      if (length === chunk.length) chunks.shift();
      else chunks[0] = chunk.subarray(length);
    }
    this.bytesReceived += copied;
    return copied;
  }
}
