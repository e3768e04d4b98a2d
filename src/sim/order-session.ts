/**
 * One order entry session, identified by its SessionID and kept across reconnects: its sequence
 * numbers both ways, its working orders, the ClOrdIDs it has used, and the messages waiting to go
 * out (written here even while no connection is attached, delivered after the next
 * EstablishmentAck, so nothing the exchange did is lost).
 *
 * Requests arrive here already framed, decoded and sequence-checked by the connection
 * (order-connection.ts); this file is the business side: validation, the matching engine, and
 * the ExecutionReports that tell the client what happened.
 */
import {
  ExecType,
  OrdRejReason,
  OrdStatus,
  OrdType,
  Side,
  TimeInForce,
  BusinessRejectReason,
  type NewOrderSingleDecoder,
  type OrderCancelReplaceRequestDecoder,
  type OrderCancelRequestDecoder,
  type PRICENULL9Decoder,
} from '../generated/order-entry/index.js';
import type { TimeSource } from '../io/clock.js';
import type { InstrumentBook, MatchingEngine } from './matching-engine.js';
import { SubmitOutcome } from './matching-engine.js';
import type { ClientOrder, OrderOwner } from './order-book.js';
import type { OrderEntryReplies } from './order-replies.js';
import type { OrderServerCounters } from './order-server-counters.js';
import { RecentIds } from './recent-ids.js';
import { SofhWriter } from './sofh-writer.js';
import type { TickToTrade } from './tick-to-trade.js';
import { WorkingOrders } from './working-orders.js';

/**
 * ClOrdIDs remembered per session for duplicate detection; the oldest are forgotten past this,
 * except that a ClOrdID an order still works under is always a duplicate. Like CME, which checks
 * among recent and working orders only: a few seconds of a fast client, 1.5 MiB per session.
 */
export const REMEMBERED_CLORDIDS = 65_536;
const TRIGGER_SEQ_NUM_NULL = 4294967295;
/** PRICENULL9's null mantissa (2^63-1) read as a number rounds to 2^63. */
const PRICE_NULL_AS_NUMBER = 9223372036854775807;
const NO_PRICE = Number.NaN;
const NO_ORIG_CLORDID = Number.NaN;

/** What sessions share: the exchange they trade on. */
export interface SessionContext {
  readonly engine: MatchingEngine;
  readonly replies: OrderEntryReplies;
  readonly counters: OrderServerCounters;
  readonly tickToTrade: TickToTrade;
  /** TransactTime for reports, ns since the epoch: updated before each report, read from `nanos` (nothing boxed). */
  readonly clock: TimeSource;
  /** Called when a session has output to send. */
  readonly onOutput: (session: OrderSession) => void;
}

/** The connection side, as the session sees it. */
export interface SessionConnection {
  drop(reason: string): void;
  /** Logs a problem with what the client sent (rate-limited per connection). */
  problem(text: string): void;
}

export class OrderSession implements OrderOwner {
  /** Messages waiting to be sent (ExecutionReport, BusinessReject: the sequenced ones). */
  readonly out = new SofhWriter();
  /**
   * The price of the request being handled (PRICE9 mantissa, NaN for null). A mantissa is no
   * small integer: returned from mantissa() or passed to a check V8 compiled out of line, it was
   * a 16-byte heap number per order, so it goes through this cell.
   */
  private readonly requestPrice = new Float64Array(1);
  /** The SeqNum the next inbound application message must carry. */
  expectedSeqNum = 1;
  /** The last inbound SeqNum accepted: EstablishmentAck.PreviousSeqNo after a reconnect. */
  lastReceivedSeqNum = 0;
  /** The SeqNum of the next message the exchange writes. */
  nextSentSeqNum = 1;
  /** The SeqNum of the first message in `out` not yet handed to a connection. */
  firstUnsentSeqNum = 1;
  connection: SessionConnection | null = null;
  /** Set while this session waits in the server's flush list. */
  queuedForOutput = false;
  private readonly workingOrders = new WorkingOrders(this);
  private readonly usedClOrdIds = new RecentIds(REMEMBERED_CLORDIDS);

  constructor(
    readonly sessionId: number,
    private readonly context: SessionContext,
  ) {}

  /** What EstablishmentAck.NextSeqNo announces: the first message still waiting, else the next one. */
  get nextSeqNoToAnnounce(): number {
    return this.out.length > 0 ? this.firstUnsentSeqNum : this.nextSentSeqNum;
  }

  /** The pending output, for the connection to send; everything written so far counts as sent. */
  takeOutput(): Buffer {
    this.firstUnsentSeqNum = this.nextSentSeqNum;
    return this.out.take();
  }

  get workingOrderCount(): number {
    return this.workingOrders.size;
  }

  newOrder(request: NewOrderSingleDecoder, receiveTimeNanos: number): void {
    const { counters, engine } = this.context;
    counters.ordersReceived++;
    const triggerSeqNum = request.triggerSeqNum();
    if (triggerSeqNum !== TRIGGER_SEQ_NUM_NULL) this.context.tickToTrade.record(triggerSeqNum, receiveTimeNanos);
    const clOrdId = request.clOrdID();
    const side = request.side();
    const ordType = request.ordType();
    const timeInForce = request.timeInForce();
    const invalidField = invalidEnumField(side, ordType, timeInForce);
    if (invalidField !== undefined) return this.malformed(request.seqNum(), clOrdId, invalidField);

    const securityId = request.securityID();
    readPriceInto(request.price(), this.requestPrice);
    const priceMantissa = this.requestPrice[0]!;
    const orderQty = request.orderQty();
    const rejectReason = this.checkNewOrder(clOrdId, engine.book(securityId), ordType, orderQty);
    if (rejectReason !== undefined) {
      return this.reject(clOrdId, NO_ORIG_CLORDID, securityId, side, priceMantissa, orderQty, rejectReason);
    }
    const book = engine.book(securityId)!;
    const order = this.workingOrders.open(clOrdId);
    order.orderId = engine.newOrderId();
    order.securityId = securityId;
    order.side = side === Side.Buy ? Side.Buy : Side.Sell;
    order.tickSize = book.spec.tickSize;
    order.priceTicks = ordType === OrdType.Market ? NO_PRICE : priceMantissa / book.spec.tickSize;
    order.orderQty = orderQty;
    order.immediateOrCancel = timeInForce === TimeInForce.ImmediateOrCancel;
    this.report(order, clOrdId, NO_ORIG_CLORDID, ExecType.New, OrdStatus.New, NO_PRICE, 0);
    this.afterSubmit(order, engine.submit(order));
  }

  cancelOrder(request: OrderCancelRequestDecoder): void {
    this.context.counters.cancelsReceived++;
    const clOrdId = request.clOrdID();
    const origClOrdId = request.origClOrdID();
    const order = this.workingOrders.get(origClOrdId);
    const rejectReason = this.checkCancel(clOrdId, order);
    if (rejectReason !== undefined || order === undefined) {
      return this.reject(clOrdId, origClOrdId, request.securityID(), request.side(), NO_PRICE, 0, rejectReason ?? OrdRejReason.UnknownOrder);
    }
    this.context.engine.cancel(order);
    this.workingOrders.close(order);
    this.report(order, clOrdId, origClOrdId, ExecType.Canceled, OrdStatus.Canceled, NO_PRICE, 0);
  }

  replaceOrder(request: OrderCancelReplaceRequestDecoder): void {
    const { counters, engine } = this.context;
    counters.replacesReceived++;
    const clOrdId = request.clOrdID();
    const origClOrdId = request.origClOrdID();
    readPriceInto(request.price(), this.requestPrice);
    const priceMantissa = this.requestPrice[0]!;
    const orderQty = request.orderQty();
    const order = this.workingOrders.get(origClOrdId);
    const rejectReason = this.checkReplace(clOrdId, order, orderQty);
    if (rejectReason !== undefined || order === undefined) {
      return this.reject(clOrdId, origClOrdId, request.securityID(), request.side(), priceMantissa, orderQty, rejectReason ?? OrdRejReason.UnknownOrder);
    }
    this.workingOrders.rename(order, clOrdId);
    const keptPlace = engine.amend(order, priceMantissa / order.tickSize, orderQty);
    const status = order.cumQty > 0 ? OrdStatus.PartiallyFilled : OrdStatus.New;
    this.report(order, clOrdId, origClOrdId, ExecType.Replaced, status, NO_PRICE, 0);
    if (!keptPlace) this.afterSubmit(order, engine.submit(order));
  }

  /** Cancel on disconnect: working orders leave the book; the reports wait for the next connection. */
  cancelAllOrders(): void {
    const workingOrders = this.workingOrders;
    for (let index = 0; index < workingOrders.size; index++) {
      const order = workingOrders.at(index);
      this.context.engine.cancel(order);
      this.context.counters.ordersCancelledOnDisconnect++;
      this.report(order, order.clOrdId, NO_ORIG_CLORDID, ExecType.Canceled, OrdStatus.Canceled, NO_PRICE, 0);
    }
    workingOrders.closeAll();
  }

  onOrderFill(order: ClientOrder, priceTicks: number, quantity: number): void {
    this.context.counters.fills++;
    const filled = order.leavesQty === 0;
    if (filled) this.workingOrders.close(order);
    const execType = filled ? ExecType.Fill : ExecType.PartialFill;
    const status = filled ? OrdStatus.Filled : OrdStatus.PartiallyFilled;
    this.report(order, order.clOrdId, NO_ORIG_CLORDID, execType, status, priceTicks, quantity);
  }

  /** BusinessReject for a message that is not acceptable as it stands (malformed, out of sequence). */
  businessReject(refSeqNum: number, clOrdId: number, reason: number, text: string): void {
    this.context.counters.businessRejects++;
    this.context.replies.businessReject(this.out, this.nextSentSeqNum++, refSeqNum, clOrdId, reason, text);
    this.context.onOutput(this);
  }

  private malformed(refSeqNum: number, clOrdId: number, text: string): void {
    this.context.counters.malformedMessages++;
    this.connection?.problem(`session ${this.sessionId}: malformed message SeqNum ${refSeqNum}: ${text}`);
    this.businessReject(refSeqNum, clOrdId, BusinessRejectReason.MalformedMessage, text);
  }

  /** The request's price is in requestPrice. */
  private checkNewOrder(clOrdId: number, book: InstrumentBook | undefined, ordType: number, orderQty: number): number | undefined {
    if (!this.claimClOrdId(clOrdId)) return OrdRejReason.DuplicateOrder;
    if (book === undefined) return OrdRejReason.UnknownSecurity;
    if (orderQty === 0) return OrdRejReason.InvalidQuantity;
    if (ordType === OrdType.Limit && !isOnTick(this.requestPrice[0]!, book.spec.tickSize)) return OrdRejReason.InvalidPrice;
    return undefined;
  }

  private checkCancel(clOrdId: number, order: ClientOrder | undefined): number | undefined {
    if (!this.claimClOrdId(clOrdId)) return OrdRejReason.DuplicateOrder;
    if (order === undefined || order.level === null) return OrdRejReason.UnknownOrder;
    return undefined;
  }

  /** The request's price is in requestPrice. */
  private checkReplace(clOrdId: number, order: ClientOrder | undefined, orderQty: number): number | undefined {
    if (!this.claimClOrdId(clOrdId)) return OrdRejReason.DuplicateOrder;
    if (order === undefined || order.level === null) return OrdRejReason.UnknownOrder;
    if (!isOnTick(this.requestPrice[0]!, order.tickSize)) return OrdRejReason.InvalidPrice;
    if (orderQty <= order.cumQty) return OrdRejReason.InvalidQuantity;
    return undefined;
  }

  /** What did not rest is cancelled (immediate-or-cancel, market, or a full book). */
  private afterSubmit(order: ClientOrder, outcome: SubmitOutcome): void {
    if (outcome !== SubmitOutcome.RemainderCancelled && outcome !== SubmitOutcome.BookFull) return;
    this.workingOrders.close(order);
    this.report(order, order.clOrdId, NO_ORIG_CLORDID, ExecType.Canceled, OrdStatus.Canceled, NO_PRICE, 0);
  }

  /** True the first time this session uses `clOrdId` (as far as it remembers), and never while an order works under it. */
  private claimClOrdId(clOrdId: number): boolean {
    return this.workingOrders.get(clOrdId) === undefined && this.usedClOrdIds.add(clOrdId);
  }

  private report(order: ClientOrder, clOrdId: number, origClOrdId: number, execType: number, ordStatus: number, lastPriceTicks: number, lastQty: number): void {
    const done = ordStatus === OrdStatus.Canceled || ordStatus === OrdStatus.Filled;
    const { replies, clock } = this.context;
    clock.update();
    replies.orderReport(this.out, this.nextSentSeqNum++, order, clOrdId, origClOrdId, execType, ordStatus, lastPriceTicks, lastQty, done ? 0 : order.leavesQty, clock);
    this.context.onOutput(this);
  }

  private reject(clOrdId: number, origClOrdId: number, securityId: number, side: number, priceMantissa: number, orderQty: number, reason: number): void {
    const { replies, clock, counters } = this.context;
    counters.rejects++;
    clock.update();
    replies.orderRejected(this.out, this.nextSentSeqNum++, clOrdId, origClOrdId, securityId, side, priceMantissa, orderQty, reason, clock);
    this.context.onOutput(this);
  }
}

/** The first enum field that holds no valid value, named for the BusinessReject text; undefined when all do. */
function invalidEnumField(side: number, ordType: number, timeInForce: number): string | undefined {
  if (side !== Side.Buy && side !== Side.Sell) return `Side ${side} is not Buy(1) or Sell(2)`;
  if (ordType !== OrdType.Market && ordType !== OrdType.Limit) return `OrdType ${ordType} is not Market(1) or Limit(2)`;
  if (timeInForce !== TimeInForce.Day && timeInForce !== TimeInForce.GoodTillCancel && timeInForce !== TimeInForce.ImmediateOrCancel) {
    return `TimeInForce ${timeInForce} is not 0, 1 or 3`;
  }
  return undefined;
}

/** The price's mantissa into `cell[0]`, NaN for the null price. */
function readPriceInto(price: PRICENULL9Decoder, cell: Float64Array): void {
  price.mantissaInto(cell, 0);
  if (cell[0]! >= PRICE_NULL_AS_NUMBER) cell[0] = Number.NaN;
}

function isOnTick(priceMantissa: number, tickSize: number): boolean {
  return priceMantissa > 0 && priceMantissa % tickSize === 0;
}
