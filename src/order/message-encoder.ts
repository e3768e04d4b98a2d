/**
 * Writes the gateway's side of the order entry protocol (schemas/order-entry.xml): each message
 * as one SOFH frame, encoded once, in place, at an offset of a pool slot.
 *
 *   +------------------+---------------------+------------------------+
 *   | SOFH (4 bytes)   | SBE header (8)      | message block          |
 *   +------------------+---------------------+------------------------+
 *   ^ offset                                                 frame length = 12 + block
 *
 * One encoder object per message type, created once; every method returns the frame length.
 *
 * Prices and times are not Smis (4500.25 is 4_500_250_000_000; a time is ~1.7e18 ns), and V8
 * boxes a double into a fresh HeapNumber whenever it passes one to a call it does not inline.
 * So they travel inside their objects (the request, the clock) and the two 64-bit fields are
 * written here as 32-bit halves, not through the generated setters, which take the double as an
 * argument: measured, that boxing cost a scavenge every ~1 s of full-rate order flow.
 */
import type { TimeSource } from '../io/clock.js';
import type { NewOrderRequest } from './order-request.js';
import { SOFH_ENCODING_CME_SBE, SOFH_ENCODING_TYPE_OFFSET, SOFH_HEADER_LENGTH, SOFH_MESSAGE_LENGTH_OFFSET } from '../feed/framing/sofh.js';
import {
  EstablishEncoder,
  MessageHeaderEncoder,
  NewOrderSingleEncoder,
  OrdType,
  OrderCancelReplaceRequestEncoder,
  OrderCancelRequestEncoder,
  SequenceEncoder,
  TerminateEncoder,
  TimeInForce,
} from '../generated/order-entry/index.js';

/** uInt32NULL: TriggerSeqNum of an order no market data packet triggered (a timer, a fill). */
export const NO_TRIGGER_SEQ_NUM = 4294967295;

const SBE_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
const FRAME_OVERHEAD = SOFH_HEADER_LENGTH + SBE_HEADER_LENGTH;
const TWO_TO_32 = 0x1_0000_0000;

/** The largest frame the gateway sends: a response pool slot must hold it. */
export const MAX_OUTBOUND_FRAME_LENGTH =
  FRAME_OVERHEAD + Math.max(NewOrderSingleEncoder.BLOCK_LENGTH, OrderCancelReplaceRequestEncoder.BLOCK_LENGTH, OrderCancelRequestEncoder.BLOCK_LENGTH, EstablishEncoder.BLOCK_LENGTH);

export function writeSofhHeader(view: DataView, offset: number, frameLength: number): void {
  view.setUint16(offset + SOFH_MESSAGE_LENGTH_OFFSET, frameLength, true);
  view.setUint16(offset + SOFH_ENCODING_TYPE_OFFSET, SOFH_ENCODING_CME_SBE, true);
}

export class MessageEncoder {
  private readonly header = new MessageHeaderEncoder();
  private readonly establishEncoder = new EstablishEncoder();
  private readonly sequenceEncoder = new SequenceEncoder();
  private readonly terminateEncoder = new TerminateEncoder();
  private readonly newOrderEncoder = new NewOrderSingleEncoder();
  private readonly cancelEncoder = new OrderCancelRequestEncoder();
  private readonly replaceEncoder = new OrderCancelReplaceRequestEncoder();

  establish(view: DataView, offset: number, sessionId: number, keepAliveIntervalMs: number, nextSeqNo: number): number {
    this.establishEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .sessionID(sessionId)
      .keepAliveIntervalMs(keepAliveIntervalMs)
      .nextSeqNo(nextSeqNo);
    return this.frame(view, offset, EstablishEncoder.BLOCK_LENGTH);
  }

  sequence(view: DataView, offset: number, nextSeqNo: number): number {
    this.sequenceEncoder.wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header).nextSeqNo(nextSeqNo);
    return this.frame(view, offset, SequenceEncoder.BLOCK_LENGTH);
  }

  terminate(view: DataView, offset: number, reason: number): number {
    this.terminateEncoder.wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header).reason(reason);
    return this.frame(view, offset, TerminateEncoder.BLOCK_LENGTH);
  }

  /**
   * A NaN price encodes a market order (null price); `timeInForce` unset is Day. The trigger is a
   * uint32 passed as int32 (`seqNum | 0`), so that the null value 0xFFFFFFFF stays a Smi.
   */
  newOrderSingle(
    view: DataView,
    offset: number,
    seqNum: number,
    clOrdId: number,
    order: NewOrderRequest,
    sendingTime: TimeSource,
    triggerSeqNumInt32: number,
  ): number {
    const encoder = this.newOrderEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .securityID(order.securityId)
      .side(order.side)
      .ordType(order.price !== order.price ? OrdType.Market : OrdType.Limit)
      .timeInForce(order.timeInForce ?? TimeInForce.Day)
      .orderQty(order.quantity)
      .triggerSeqNum(triggerSeqNumInt32);
    writePriceMantissa(view, encoder.offset + NewOrderSingleEncoder.priceEncodingOffset, order);
    writeTimestamp(view, encoder.offset + NewOrderSingleEncoder.sendingTimeEpochEncodingOffset, sendingTime);
    return this.frame(view, offset, NewOrderSingleEncoder.BLOCK_LENGTH);
  }

  orderCancelRequest(
    view: DataView,
    offset: number,
    seqNum: number,
    clOrdId: number,
    origClOrdId: number,
    securityId: number,
    side: number,
    sendingTime: TimeSource,
  ): number {
    const encoder = this.cancelEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .origClOrdID(origClOrdId)
      .securityID(securityId)
      .side(side);
    writeTimestamp(view, encoder.offset + OrderCancelRequestEncoder.sendingTimeEpochEncodingOffset, sendingTime);
    return this.frame(view, offset, OrderCancelRequestEncoder.BLOCK_LENGTH);
  }

  /** The new price and quantity are those of `replacement`. */
  orderCancelReplaceRequest(
    view: DataView,
    offset: number,
    seqNum: number,
    clOrdId: number,
    origClOrdId: number,
    replacement: NewOrderRequest,
    sendingTime: TimeSource,
  ): number {
    const encoder = this.replaceEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .origClOrdID(origClOrdId)
      .securityID(replacement.securityId)
      .side(replacement.side)
      .orderQty(replacement.quantity);
    writePriceMantissa(view, encoder.offset + OrderCancelReplaceRequestEncoder.priceEncodingOffset, replacement);
    writeTimestamp(view, encoder.offset + OrderCancelReplaceRequestEncoder.sendingTimeEpochEncodingOffset, sendingTime);
    return this.frame(view, offset, OrderCancelReplaceRequestEncoder.BLOCK_LENGTH);
  }

  /** Writes the SOFH header in front of a message whose block is `blockLength`; returns the frame length. */
  private frame(view: DataView, offset: number, blockLength: number): number {
    const frameLength = FRAME_OVERHEAD + blockLength;
    writeSofhHeader(view, offset, frameLength);
    return frameLength;
  }
}

/** `order.price` as a PRICENULL9 mantissa (int64, little endian); NaN (a market order) writes the null value. */
function writePriceMantissa(view: DataView, offset: number, order: NewOrderRequest): void {
  const price = order.price;
  if (price !== price) {
    view.setUint32(offset, 0xffffffff, true);
    view.setInt32(offset + 4, 0x7fffffff, true);
    return;
  }
  view.setUint32(offset, price % TWO_TO_32, true); // a negative remainder wraps to its two's complement
  view.setInt32(offset + 4, Math.floor(price / TWO_TO_32), true);
}

/** `clock.nanos` as a uint64 (little endian). */
function writeTimestamp(view: DataView, offset: number, clock: TimeSource): void {
  const nanos = clock.nanos;
  view.setUint32(offset, nanos % TWO_TO_32, true);
  view.setUint32(offset + 4, Math.floor(nanos / TWO_TO_32), true);
}
