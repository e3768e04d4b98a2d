/**
 * The seam between the order session and the bytes of its exchange connection. The session
 * encodes every message into a slot of its response pool, hands the slot to an OrderSender and
 * decodes what an OrderReceiver collected, in place. Two transports satisfy it:
 *
 *   nativeTransport (zero copy)   TcpSender: writev straight from the pool slots;
 *                                 TcpReceiver: recv into one native buffer
 *   socketTransport (copy)        each message copied into a new Buffer, net.Socket.write;
 *                                 'data' chunks copied into a receive buffer
 *
 * Both interfaces are what TcpSender and TcpReceiver already are, so on the zero-copy path every
 * call site still sees one class: the seam costs no indirection and no allocation.
 */
import type { BufferPool } from '../io/pool.js';
import { TcpReceiver } from '../io/tcp-receiver.js';
import { TcpSender } from '../io/tcp-sender.js';

/** The outbound half: queues messages encoded in pool slots and sends them on flush(). */
export interface OrderSender {
  /** Bytes handed to the kernel (or, for a socket, to net.Socket.write). */
  readonly bytesSent: number;
  /** Send calls that sent something. */
  readonly writevCalls: number;
  readonly pendingBytes: number;
  readonly pendingSegments: number;
  /** Takes over `slot` (released once sent or copied); false when the queue is full: flush first. */
  enqueue(slot: number, offset: number, length: number): boolean;
  /** Sends what is queued; returns the bytes taken. Throws on a reset or closed connection. */
  flush(): number;
  close(): void;
}

/**
 * The inbound half: received bytes are [readOffset, writeOffset) of `view`; the session consumes
 * whole frames and leaves a partial one for the next receive().
 */
export interface OrderReceiver {
  readonly view: DataView;
  readonly readOffset: number;
  readonly writeOffset: number;
  readonly unconsumedBytes: number;
  readonly bytesReceived: number;
  /** Bytes newly received, 0 for none, or negative (peer closed, buffer full, -errno). */
  receive(): number;
  consume(offset: number): void;
  /** A sentence for a negative receive() result. */
  describeResult(result: number): string;
  destroy(): void;
}

export interface OrderConnection {
  sender: OrderSender;
  receiver: OrderReceiver;
}

export interface OrderConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  /** SO_SNDBUF request; undefined: the system's. */
  sendBufferBytes: number | undefined;
  /** Receive buffer size; undefined: the receiver's default. */
  receiveBufferBytes: number | undefined;
}

/** Opens one connection to the exchange; the sender sends from `pool`'s slots. */
export type OrderTransport = (pool: BufferPool, options: OrderConnectOptions) => Promise<OrderConnection>;

/** Zero copy: writev from the pool slots, recv into a native buffer, both on one non-blocking fd. */
export const nativeTransport: OrderTransport = async (pool, options) => {
  const sender = await TcpSender.connect(pool, {
    host: options.host,
    port: options.port,
    connectTimeoutMs: options.connectTimeoutMs,
    sendBufferBytes: options.sendBufferBytes,
  });
  try {
    const receiver = TcpReceiver.attach(sender.fd, { bufferBytes: options.receiveBufferBytes, description: `exchange ${options.host}:${options.port}` });
    return { sender, receiver };
  } catch (error) {
    sender.close();
    throw error;
  }
};

/** Ends both halves of a connection nobody will use (a stale connect, a failed setup). */
export function discardConnection(connection: OrderConnection): void {
  connection.receiver.destroy();
  connection.sender.close();
}
