/**
 * Encodes what the exchange sends on an order entry session (schemas/order-entry.xml) into a
 * SofhWriter: one set of encoders, reused for every message.
 */
import {
  BusinessRejectEncoder,
  EstablishmentAckEncoder,
  ExecType,
  ExecutionReportEncoder,
  MessageHeaderEncoder,
  OrdRejReason,
  OrdStatus,
  SequenceEncoder,
  TerminateEncoder,
} from '../generated/order-entry/index.js';
import type { TimeSource } from '../io/clock.js';
import type { ClientOrder } from './order-book.js';
import type { SofhWriter } from './sofh-writer.js';

const HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
/** The uint64 null value as a number: the encoders saturate it to all ones. */
const UINT64_NULL = ExecutionReportEncoder.origClOrdIDNullValue;
const PRICE_NULL = 9223372036854775807;

export class OrderEntryReplies {
  private readonly header = new MessageHeaderEncoder();
  private readonly establishmentAckEncoder = new EstablishmentAckEncoder();
  private readonly sequenceEncoder = new SequenceEncoder();
  private readonly terminateEncoder = new TerminateEncoder();
  private readonly executionReportEncoder = new ExecutionReportEncoder();
  private readonly businessRejectEncoder = new BusinessRejectEncoder();
  /**
   * 64-bit values (PRICE9 mantissas, times, the null ClOrdID) on their way to the encoder: a
   * double stored here and read by a setter's `xFrom` form is never boxed, where one passed to a
   * setter V8 did not inline is (16 bytes a report in some backtest rounds, by the heap profiler).
   */
  private readonly wide = new Float64Array(1);

  establishmentAck(out: SofhWriter, sessionId: number, keepAliveIntervalMs: number, nextSeqNo: number, previousSeqNo: number): void {
    const offset = out.begin(HEADER_LENGTH + EstablishmentAckEncoder.BLOCK_LENGTH);
    const encoder = this.establishmentAckEncoder.wrapAndApplyHeader(out.view, offset, this.header);
    encoder.sessionID(sessionId).keepAliveIntervalMs(keepAliveIntervalMs).nextSeqNo(nextSeqNo).previousSeqNo(previousSeqNo);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  sequence(out: SofhWriter, nextSeqNo: number): void {
    const offset = out.begin(HEADER_LENGTH + SequenceEncoder.BLOCK_LENGTH);
    const encoder = this.sequenceEncoder.wrapAndApplyHeader(out.view, offset, this.header).nextSeqNo(nextSeqNo);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  terminate(out: SofhWriter, reason: number): void {
    const offset = out.begin(HEADER_LENGTH + TerminateEncoder.BLOCK_LENGTH);
    const encoder = this.terminateEncoder.wrapAndApplyHeader(out.view, offset, this.header).reason(reason);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  /** `clOrdId` NaN when the rejected message has none (or it could not be read). */
  businessReject(out: SofhWriter, seqNum: number, refSeqNum: number, clOrdId: number, reason: number, text: string): void {
    const offset = out.begin(HEADER_LENGTH + BusinessRejectEncoder.BLOCK_LENGTH);
    const encoder = this.businessRejectEncoder.wrapAndApplyHeader(out.view, offset, this.header);
    encoder
      .seqNum(seqNum)
      .refSeqNum(refSeqNum)
      .clOrdID(Number.isNaN(clOrdId) ? UINT64_NULL : clOrdId)
      .businessRejectReason(reason)
      .textFromString(text.length > BusinessRejectEncoder.textLength ? text.slice(0, BusinessRejectEncoder.textLength) : text);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  /**
   * An ExecutionReport about a known order: its price, quantities and state as they are now.
   * `origClOrdId` NaN when not a cancel or replace; `lastPriceTicks` (the fill's price in the
   * order's ticks: a small integer, where a PRICE9 mantissa would be boxed as an argument) NaN when not a fill;
   * `leavesQty` 0 once the order is done (filled, cancelled). TransactTime is `clock.nanos`
   * (ns since the epoch), read here: a double passed to a call V8 does not inline is boxed.
   */
  orderReport(
    out: SofhWriter,
    seqNum: number,
    order: ClientOrder,
    clOrdId: number,
    origClOrdId: number,
    execType: number,
    ordStatus: number,
    lastPriceTicks: number,
    lastQty: number,
    leavesQty: number,
    clock: TimeSource,
  ): void {
    const encoder = this.beginExecutionReport(out, seqNum, clOrdId, origClOrdId, order.orderId, order.securityId, order.side);
    const wide = this.wide;
    encoder.execType(execType).ordStatus(ordStatus);
    wide[0] = order.isMarket ? PRICE_NULL : order.priceTicks * order.tickSize;
    encoder.price().mantissaFrom(wide, 0);
    encoder.orderQty(order.orderQty);
    wide[0] = Number.isNaN(lastPriceTicks) ? PRICE_NULL : lastPriceTicks * order.tickSize;
    encoder.lastPx().mantissaFrom(wide, 0);
    wide[0] = clock.nanos;
    encoder.lastQty(lastQty).cumQty(order.cumQty).leavesQty(leavesQty).transactTimeFrom(wide, 0).ordRejReason(OrdRejReason.NULL_VALUE);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  /** An ExecutionReport refusing a request, echoing what it asked for; TransactTime is `clock.nanos`. */
  orderRejected(
    out: SofhWriter,
    seqNum: number,
    clOrdId: number,
    origClOrdId: number,
    securityId: number,
    side: number,
    priceMantissa: number,
    orderQty: number,
    reason: number,
    clock: TimeSource,
  ): void {
    const encoder = this.beginExecutionReport(out, seqNum, clOrdId, origClOrdId, 0, securityId, side);
    encoder.execType(ExecType.Rejected).ordStatus(OrdStatus.Rejected);
    encoder.price().mantissa(Number.isNaN(priceMantissa) ? PRICE_NULL : priceMantissa);
    encoder.orderQty(orderQty);
    encoder.lastPx().mantissa(PRICE_NULL);
    this.wide[0] = clock.nanos;
    encoder.lastQty(0).cumQty(0).leavesQty(0).transactTimeFrom(this.wide, 0).ordRejReason(reason);
    out.commit(HEADER_LENGTH + encoder.encodedLength());
  }

  private beginExecutionReport(
    out: SofhWriter,
    seqNum: number,
    clOrdId: number,
    origClOrdId: number,
    orderId: number,
    securityId: number,
    side: number,
  ): ExecutionReportEncoder {
    const offset = out.begin(HEADER_LENGTH + ExecutionReportEncoder.BLOCK_LENGTH);
    this.wide[0] = Number.isNaN(origClOrdId) ? UINT64_NULL : origClOrdId;
    return this.executionReportEncoder
      .wrapAndApplyHeader(out.view, offset, this.header)
      .seqNum(seqNum)
      .clOrdID(clOrdId)
      .origClOrdIDFrom(this.wide, 0)
      .orderID(orderId)
      .securityID(securityId)
      .side(side);
  }
}
