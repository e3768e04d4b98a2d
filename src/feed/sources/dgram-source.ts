/**
 * `udp://host:port` for the copy baseline (`zerotick run --io copy`): the ordinary Node way, so
 * the benchmark measures what zero copy saves. node:dgram receives each datagram into a Buffer
 * of its own and emits 'message' on the event loop; the datagram is copied once more into a
 * fresh buffer, as code that keeps what it decodes would, and handed to the same handler chain
 * as the zero-copy sources' datagrams, through a DataView made for it.
 *
 * The source pushes: datagrams go to the handler given to deliverTo() as they arrive, and
 * poll() delivers none. Those that arrive before deliverTo() wait, copied, in arrival order.
 */
import { createSocket, type Socket } from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { realtimeNanos } from '../../io/native.js';
import { ReceiveBufferGrant, ReceiveTime, type DatagramHandler, type FeedSource } from '../datagram.js';
import { parseFeedUrl, type FeedAddress } from '../feed-url.js';

export interface DgramSourceOptions {
  /** Feed line the datagrams are tagged with: 0 = A, 1 = B. */
  line: number;
}

type UdpAddress = Extract<FeedAddress, { kind: 'udp' }>;

export class DgramSource implements FeedSource {
  readonly url: string;
  readonly line: number;
  /** node:dgram does not expose the kernel's drop counter (SO_RXQ_OVFL): a loss shows only as a sequence gap. */
  readonly droppedCount = 0;
  /** Datagrams received (every one, whatever its content). */
  receivedCount = 0;
  /** The socket's last error after it was bound (an ICMP error, say), for status and tests. */
  lastError = '';
  readonly receiveBuffer: ReceiveBufferGrant | undefined;
  private readonly socket: Socket;
  private handler: DatagramHandler | undefined;
  private readonly waiting: { copy: ArrayBuffer; receiveTimeNanos: number }[] = [];
  private readonly received = new ReceiveTime();

  /** Binds (SO_REUSEADDR) and joins the multicast group, if any; rejects naming the URL. */
  static async open(url: string, options: DgramSourceOptions): Promise<DgramSource> {
    const address = parseFeedUrl(url);
    if (address.kind !== 'udp') throw new Error(`feed ${url}: node:dgram reads udp:// feeds only`);
    const { receiveBufferBytes } = address;
    const socket = createSocket({ type: 'udp4', reuseAddr: true, ...(receiveBufferBytes === undefined ? {} : { recvBufferSize: receiveBufferBytes }) });
    try {
      await bind(socket, address);
      if (address.multicast) join(socket, address);
    } catch (error) {
      socket.close();
      throw new Error(`feed ${url}: cannot open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const grant = ReceiveBufferGrant.ifRequested(receiveBufferBytes, () => socket.getRecvBufferSize());
    return new DgramSource(url, options.line, socket, grant);
  }

  private constructor(url: string, line: number, socket: Socket, receiveBuffer: ReceiveBufferGrant | undefined) {
    this.url = url;
    this.line = line;
    this.socket = socket;
    this.receiveBuffer = receiveBuffer;
    socket.on('message', (message) => this.onMessage(message));
    socket.on('error', (error) => (this.lastError = error.message));
  }

  /** The bound port (the kernel's choice for udp://host:0). */
  get localPort(): number {
    return this.socket.address().port;
  }

  /** From now on, each datagram goes to `handler` as it arrives; the ones that waited go first. */
  deliverTo(handler: DatagramHandler): void {
    this.handler = handler;
    for (const { copy, receiveTimeNanos } of this.waiting.splice(0)) this.deliver(handler, copy, receiveTimeNanos);
  }

  /** Delivers nothing: datagrams are pushed to the handler of deliverTo() as they arrive. */
  poll(): number {
    return 0;
  }

  close(): void {
    this.handler = undefined;
    this.socket.close();
  }

  private onMessage(message: Buffer): void {
    // No kernel timestamp on this path: the time the event ran is the receive time.
    const receiveTimeNanos = realtimeNanos();
    this.receivedCount++;
    // (node:dgram's Buffers are never over a SharedArrayBuffer)
    const copy = (message.buffer as ArrayBuffer).slice(message.byteOffset, message.byteOffset + message.length);
    const handler = this.handler;
    if (handler === undefined) this.waiting.push({ copy, receiveTimeNanos });
    else this.deliver(handler, copy, receiveTimeNanos);
  }

  /** The copy baseline: a view per datagram over its own copy, as the ordinary Node way does. */
  private deliver(handler: DatagramHandler, copy: ArrayBuffer, receiveTimeNanos: number): void {
    this.received.nanos = receiveTimeNanos;
    handler.onDatagram(new DataView(copy), 0, copy.byteLength, this.received, this.line);
  }
}

function bind(socket: Socket, address: UdpAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port: address.port, address: address.host, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function join(socket: Socket, address: UdpAddress): void {
  const interfaceName = address.interfaceName ?? 'lo';
  const interfaceAddress = networkInterfaces()[interfaceName]?.find((entry) => entry.family === 'IPv4')?.address;
  if (interfaceAddress === undefined) throw new Error(`interface ${interfaceName} has no IPv4 address to join ${address.host} on`);
  if (address.source === undefined) socket.addMembership(address.host, interfaceAddress);
  else socket.addSourceSpecificMembership(address.source, address.host, interfaceAddress);
}
