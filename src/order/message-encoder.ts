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
 * Prices and times come in inside their objects (the request, the clock), not as loose doubles,
 * so that no call boundary boxes them.
 */
import type { TimeSource } from './clock.js';
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

/** PRICENULL9's null mantissa (int64 max): a market order's price. */
export const NULL_PRICE_MANTISSA = 9223372036854775807;
/** uInt32NULL: TriggerSeqNum of an order no market data packet triggered (a timer, a fill). */
export const NO_TRIGGER_SEQ_NUM = 4294967295;

const SBE_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
const FRAME_OVERHEAD = SOFH_HEADER_LENGTH + SBE_HEADER_LENGTH;

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

  /** A NaN price encodes a market order (null price); `timeInForce` unset is Day. */
  newOrderSingle(
    view: DataView,
    offset: number,
    seqNum: number,
    clOrdId: number,
    order: NewOrderRequest,
    sendingTime: TimeSource,
    triggerSeqNum: number,
  ): number {
    const price = order.price;
    const isMarket = price !== price;
    const encoder = this.newOrderEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .securityID(order.securityId)
      .side(order.side)
      .ordType(isMarket ? OrdType.Market : OrdType.Limit)
      .timeInForce(order.timeInForce ?? TimeInForce.Day);
    encoder.price().mantissa(isMarket ? NULL_PRICE_MANTISSA : price);
    encoder.orderQty(order.quantity).sendingTimeEpoch(sendingTime.nanos).triggerSeqNum(triggerSeqNum);
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
    this.cancelEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .origClOrdID(origClOrdId)
      .securityID(securityId)
      .side(side)
      .sendingTimeEpoch(sendingTime.nanos);
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
    const price = replacement.price;
    const encoder = this.replaceEncoder
      .wrapAndApplyHeader(view, offset + SOFH_HEADER_LENGTH, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .origClOrdID(origClOrdId)
      .securityID(replacement.securityId)
      .side(replacement.side);
    encoder.price().mantissa(price !== price ? NULL_PRICE_MANTISSA : price);
    encoder.orderQty(replacement.quantity).sendingTimeEpoch(sendingTime.nanos);
    return this.frame(view, offset, OrderCancelReplaceRequestEncoder.BLOCK_LENGTH);
  }

  /** Writes the SOFH header in front of a message whose block is `blockLength`; returns the frame length. */
  private frame(view: DataView, offset: number, blockLength: number): number {
    const frameLength = FRAME_OVERHEAD + blockLength;
    writeSofhHeader(view, offset, frameLength);
    return frameLength;
  }
}
