/**
 * A plain order entry client for the tests: encodes requests with the generated encoders behind
 * a SOFH header, and decodes whatever the simulator sends with the OTF decoder, independently of
 * the simulator's own encoders.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  EstablishEncoder,
  MessageHeaderEncoder,
  NewOrderSingleEncoder,
  OrdType,
  OrderCancelReplaceRequestEncoder,
  OrderCancelRequestEncoder,
  SequenceEncoder,
  TerminateEncoder,
  TerminateReason,
  TimeInForce,
} from '../../../src/generated/order-entry/index.js';
import { decodeMessage } from '../../../src/sbe/otf.js';
import { loadSchemaOrThrow } from '../../../src/sbe/parser.js';

export const orderEntrySchema = loadSchemaOrThrow(fileURLToPath(new URL('../../../schemas/order-entry.xml', import.meta.url)));
export const NO_TRIGGER = 4294967295;
export const NULL_PRICE = 9223372036854775807;

export interface Received {
  name: string;
  fields: Record<string, any>;
}

export interface NewOrder {
  seqNum: number;
  clOrdId: number;
  securityId: number;
  side: number;
  price: number | null;
  quantity: number;
  ordType?: number;
  timeInForce?: number;
  triggerSeqNum?: number;
}

const FRAME_CAPACITY = 256;

export class OrderClient {
  readonly received: Received[] = [];
  readonly closed: Promise<void>;
  private readBytes = Buffer.alloc(0);
  private position = 0;
  private readonly frame = Buffer.alloc(FRAME_CAPACITY);
  private readonly view = new DataView(this.frame.buffer, this.frame.byteOffset, this.frame.byteLength);
  private readonly header = new MessageHeaderEncoder();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static async connect(port: number): Promise<OrderClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new OrderClient(socket);
  }

  establish(sessionId: number, nextSeqNo: number, keepAliveIntervalMs = 0): void {
    this.send((view, offset) => new EstablishEncoder().wrapAndApplyHeader(view, offset, this.header).sessionID(sessionId).keepAliveIntervalMs(keepAliveIntervalMs).nextSeqNo(nextSeqNo));
  }

  heartbeat(nextSeqNo: number): void {
    this.send((view, offset) => new SequenceEncoder().wrapAndApplyHeader(view, offset, this.header).nextSeqNo(nextSeqNo));
  }

  terminate(): void {
    this.send((view, offset) => new TerminateEncoder().wrapAndApplyHeader(view, offset, this.header).reason(TerminateReason.Finished));
  }

  newOrder(order: NewOrder): void {
    this.send((view, offset) => {
      const encoder = new NewOrderSingleEncoder().wrapAndApplyHeader(view, offset, this.header);
      encoder.seqNum(order.seqNum).clOrdID(order.clOrdId).securityID(order.securityId).side(order.side);
      encoder.ordType(order.ordType ?? OrdType.Limit).timeInForce(order.timeInForce ?? TimeInForce.Day);
      encoder.price().mantissa(order.price ?? NULL_PRICE);
      return encoder.orderQty(order.quantity).sendingTimeEpoch(Date.now() * 1e6).triggerSeqNum(order.triggerSeqNum ?? NO_TRIGGER);
    });
  }

  cancel(request: { seqNum: number; clOrdId: number; origClOrdId: number; securityId: number; side: number }): void {
    this.send((view, offset) =>
      new OrderCancelRequestEncoder()
        .wrapAndApplyHeader(view, offset, this.header)
        .seqNum(request.seqNum)
        .clOrdID(request.clOrdId)
        .origClOrdID(request.origClOrdId)
        .securityID(request.securityId)
        .side(request.side)
        .sendingTimeEpoch(Date.now() * 1e6),
    );
  }

  replace(request: { seqNum: number; clOrdId: number; origClOrdId: number; securityId: number; side: number; price: number; quantity: number }): void {
    this.send((view, offset) => {
      const encoder = new OrderCancelReplaceRequestEncoder().wrapAndApplyHeader(view, offset, this.header);
      encoder.seqNum(request.seqNum).clOrdID(request.clOrdId).origClOrdID(request.origClOrdId).securityID(request.securityId).side(request.side);
      encoder.price().mantissa(request.price);
      return encoder.orderQty(request.quantity).sendingTimeEpoch(Date.now() * 1e6);
    });
  }

  /** Sends bytes as they are (to test bad input). */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next message received (heartbeats included only when asked for by name). */
  async next(name?: string, timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.position < this.received.length) {
        const message = this.received[this.position++]!;
        if (name === undefined ? message.name !== 'Sequence' : message.name === name) return message;
        if (name !== undefined && message.name !== 'Sequence') throw new Error(`expected ${name}, got ${message.name} ${JSON.stringify(message.fields)}`);
      }
      if (Date.now() > deadline) throw new Error(`no ${name ?? 'message'} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private send(encode: (view: DataView, offset: number) => { encodedLength(): number }): void {
    const encoder = encode(this.view, 4);
    const frameLength = 4 + 8 + encoder.encodedLength();
    this.view.setUint16(0, frameLength, true);
    this.view.setUint16(2, 0xcafe, true);
    this.socket.write(Buffer.from(this.frame.subarray(0, frameLength)));
  }

  private onData(chunk: Buffer): void {
    this.readBytes = Buffer.concat([this.readBytes, chunk]);
    const view = new DataView(this.readBytes.buffer, this.readBytes.byteOffset, this.readBytes.byteLength);
    let offset = 0;
    while (this.readBytes.length - offset >= 4) {
      const frameLength = view.getUint16(offset, true);
      if (this.readBytes.length - offset < frameLength) break;
      const message = decodeMessage(orderEntrySchema, view, offset + 4, frameLength - 4);
      this.received.push({ name: message.name, fields: message.fields as Record<string, any> });
      offset += frameLength;
    }
    this.readBytes = this.readBytes.subarray(offset);
  }
}
