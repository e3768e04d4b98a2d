/**
 * The order path behind `ctx.orders`: a request from a strategy goes
 *   session up? -> risk checks -> SBE encode, once, into a response pool slot -> TcpSender queue
 * and leaves with the batch on flush() (one writev), or at once in 'immediate' send mode.
 * Answers from the exchange come back through poll(): each ExecutionReport updates the order
 * table, positions and risk exposure, then goes to the listener of the strategy that sent the
 * order.
 *
 * Nothing is lost or sent twice across a dropped connection. Every order is in the table with
 * the SeqNum that carried it. On re-establishment the exchange's EstablishmentAck.PreviousSeqNo
 * says the last SeqNum it got: every order and request after it that the exchange never
 * answered is rejected to its strategy (SessionDown, with both numbers in the text), never
 * retransmitted. A late order is a different order than the one the strategy meant (the book
 * moved while the session was down), so the strategy decides whether to send it again.
 * While the session is down, new requests are refused with SessionDown at once.
 *
 * ClOrdIDs are one sequence per router (cancels and replaces take their own), never reused.
 */
import { BusinessRejectReasonNames, ExecType, type BusinessRejectDecoder, type ExecutionReportDecoder } from '../generated/order-entry/index.js';
import { NO_SLOT } from '../io/pool.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, NanosecondClock, type TimeSource } from '../io/clock.js';
import { MessageEncoder, NO_TRIGGER_SEQ_NUM } from './message-encoder.js';
import { OrderCounters } from './order-counters.js';
import { OrderRejectEvent } from './order-reject.js';
import { OrderSide, RejectReason, type NewOrderRequest, type OrderEntry, type OrderReject } from './order-request.js';
import { OrderSession, SessionState, type OrderSessionOptions, type SessionHandler } from './order-session.js';
import { NO_RECORD, OrderTable, RecordKind } from './order-table.js';
import { RISK_ALLOWED, RiskChecks, type RiskConfig } from './risk.js';

/** 'batch': orders wait for flush() (the gateway calls it after each datagram batch). 'immediate': each is sent at once. */
export type SendMode = 'batch' | 'immediate';

export interface OrderRouterOptions<Session extends RouterSession = OrderSession> extends OrderSessionOptions {
  risk?: RiskConfig;
  /** Default 'batch'. */
  sendMode?: SendMode;
  /** Orders live at once across all strategies (the order table's size). Default 8192. */
  maxLiveOrders?: number;
  /** First ClOrdID. Default 1; pass something larger to keep IDs unique across restarts. */
  firstClOrdId?: number;
  /** Monotonic ns for the throttle and duplicate windows, read once per request. Default: CLOCK_MONOTONIC. */
  clock?: TimeSource;
  /** Epoch ns for SendingTimeEpoch, read once per message. Default: CLOCK_REALTIME. */
  wallClock?: TimeSource;
  /** The transport the router sends through. Default: a TCP OrderSession to host:port; a backtest passes an in-process one. */
  openSession?: (handler: SessionHandler) => Session;
}

/** What the router needs of its session: the TCP OrderSession live, an in-process one in a backtest. */
export type RouterSession = Pick<
  OrderSession,
  'state' | 'nextSeqNo' | 'pool' | 'needsEventLoop' | 'reconnects' | 'poll' | 'acquireSlot' | 'sendApplicationMessage' | 'flush' | 'close'
>;

/** Where the order path reports to one strategy (the gateway registers one per strategy). */
export interface OrderListener {
  /** Every report about the strategy's orders; the decoder is valid during the call only. */
  onExecutionReport(report: ExecutionReportDecoder): void;
  /** Refused by risk, by a down session, or by the exchange; the object is reused. */
  onReject(reject: OrderReject): void;
}

export class OrderRouter<Session extends RouterSession = OrderSession> implements SessionHandler {
  readonly session: Session;
  readonly risk: RiskChecks;
  readonly counters = new OrderCounters();
  readonly sendMode: SendMode;
  readonly maxLiveOrders: number;
  /**
   * MsgSeqNum of the MDP packet being handled, written into each NewOrderSingle's TriggerSeqNum:
   * the gateway sets it before calling strategies and resets it to NO_TRIGGER_SEQ_NUM after.
   */
  triggerSeqNum = NO_TRIGGER_SEQ_NUM;

  private readonly table: OrderTable;
  private readonly encoder = new MessageEncoder();
  private readonly rejectEvent = new OrderRejectEvent();
  private readonly listeners: OrderListener[] = [];
  private readonly entries: StrategyOrderEntry[] = [];
  private readonly clock: TimeSource;
  private readonly wallClock: TimeSource;
  private readonly ownedClocks: NanosecondClock[] = [];
  /** The price and quantity a replace asks for, in the request shape the risk checks and encoder read. */
  private readonly replacement: NewOrderRequest = { securityId: 0, side: OrderSide.Buy, price: 0.5, quantity: 0 };
  private nextClOrdId: number;
  private liveOrders = 0;

  constructor(options: OrderRouterOptions<Session>) {
    this.sendMode = options.sendMode ?? 'batch';
    this.maxLiveOrders = options.maxLiveOrders ?? 8192;
    this.nextClOrdId = options.firstClOrdId ?? 1;
    if (!Number.isSafeInteger(this.nextClOrdId) || this.nextClOrdId < 1) throw new RangeError(`firstClOrdId must be a positive integer: ${this.nextClOrdId}`);
    this.clock = options.clock ?? this.ownClock(CLOCK_MONOTONIC);
    this.wallClock = options.wallClock ?? this.ownClock(CLOCK_REALTIME);
    this.risk = new RiskChecks(options.risk);
    // Room for every live order plus one pending cancel/replace each: a request always fits.
    this.table = new OrderTable(this.maxLiveOrders * 2);
    // Without openSession, Session is its default, OrderSession.
    this.session = options.openSession?.(this) ?? (new OrderSession(options, this) as RouterSession as Session);
  }

  /** Adds a strategy; its ctx.orders is the returned entry, and its answers go to `listener`. */
  register(listener: OrderListener): OrderEntry {
    const entry = new StrategyOrderEntry(this, this.entries.length);
    this.entries.push(entry);
    this.listeners.push(listener);
    return entry;
  }

  /**
   * Drives the session: reads exchange messages (dispatched to listeners), timers, reconnects.
   * `nowNanos` is CLOCK_MONOTONIC ns; without it the session reads that clock itself, which
   * allocates nothing (a double passed in is boxed unless V8 inlines the call).
   */
  poll(nowNanos?: number): void {
    this.session.poll(nowNanos);
  }

  /** Sends every queued message with one writev; returns the bytes the kernel took. */
  flush(): number {
    return this.session.flush();
  }

  setReferencePrice(securityId: number, price: number): void {
    this.risk.setReferencePrice(securityId, price);
  }

  /** Blocks new orders and replaces, and cancels every working order. Returns the cancels sent. */
  engageKillSwitch(): number {
    this.risk.killSwitchEngaged = true;
    return this.cancelAllWorking();
  }

  releaseKillSwitch(): void {
    this.risk.killSwitchEngaged = false;
  }

  /** The control plane's switch: engage (returns the cancels sent) or release (returns 0). */
  setKillSwitch(engaged: boolean): number {
    if (engaged) return this.engageKillSwitch();
    this.releaseKillSwitch();
    return 0;
  }

  get killSwitchEngaged(): boolean {
    return this.risk.killSwitchEngaged;
  }

  /** True while the session connects: the hot loop must let the event loop turn. */
  get needsEventLoop(): boolean {
    return this.session.needsEventLoop;
  }

  get liveOrderCount(): number {
    return this.liveOrders;
  }

  /** Ends the session (Terminate) and frees the native memory of the clocks this router made. */
  close(): void {
    this.session.close();
    for (const clock of this.ownedClocks) clock.destroy();
  }

  private ownClock(clockId: number): NanosecondClock {
    const clock = new NanosecondClock(clockId);
    this.ownedClocks.push(clock);
    return clock;
  }

  newOrder(strategy: number, request: NewOrderRequest): number {
    const securityId = request.securityId;
    const side = request.side;
    checkSide(side);
    if (this.session.state !== SessionState.Established) return this.refuse(strategy, 0, securityId, RejectReason.SessionDown, 0, 0);
    const instrument = this.risk.instrument(securityId);
    const clock = this.clock;
    clock.update();
    if (this.risk.checkNewOrder(instrument, request, clock) !== RISK_ALLOWED) return this.refuseDenied(strategy, 0);
    if (this.liveOrders >= this.maxLiveOrders) return this.refuse(strategy, 0, securityId, RejectReason.MaxOpenOrders, this.liveOrders, this.maxLiveOrders);
    const slot = this.session.acquireSlot();
    if (slot === NO_SLOT) return this.refuseUnsent(strategy, 0, securityId);
    const clOrdId = this.nextClOrdId;
    const seqNum = this.session.nextSeqNo;
    const pool = this.session.pool;
    this.wallClock.update();
    const length = this.encoder.newOrderSingle(pool.view, pool.slotOffset(slot), seqNum, clOrdId, request, this.wallClock, this.triggerSeqNum | 0);
    if (!this.session.sendApplicationMessage(slot, length)) return this.refuseUnsent(strategy, 0, securityId);
    this.nextClOrdId++;
    const table = this.table;
    const record = table.insert(clOrdId, RecordKind.Order, strategy);
    table.securityId[record] = securityId;
    table.side[record] = side;
    table.price[record] = request.price;
    table.quantity[record] = request.quantity;
    table.leavesQuantity[record] = request.quantity;
    table.seqNum[record] = seqNum;
    instrument.orderOpened(side, request.quantity);
    this.risk.recordNewOrder(instrument, request, clock);
    this.liveOrders++;
    this.entries[strategy]!.openOrderCount++;
    this.counters.ordersSent++;
    if (this.sendMode === 'immediate') this.session.flush();
    return clOrdId;
  }

  cancel(strategy: number, clOrdId: number): number {
    const record = this.findOrderOf(strategy, clOrdId);
    if (record === NO_RECORD) return this.refuse(strategy, clOrdId, 0, RejectReason.UnknownOrder, clOrdId, 0);
    if (!this.mayRequest(strategy, record)) return 0;
    return this.sendCancel(record);
  }

  replace(strategy: number, clOrdId: number, price: number, quantity: number): number {
    const record = this.findOrderOf(strategy, clOrdId);
    if (record === NO_RECORD) return this.refuse(strategy, clOrdId, 0, RejectReason.UnknownOrder, clOrdId, 0);
    if (!this.mayRequest(strategy, record)) return 0;
    const table = this.table;
    const securityId = table.securityId[record]!;
    const leaves = table.leavesQuantity[record]!;
    const filled = table.quantity[record]! - leaves;
    const instrument = this.risk.instrument(securityId);
    const replacement = this.replacement;
    replacement.securityId = securityId;
    replacement.side = table.side[record]!;
    replacement.price = price;
    replacement.quantity = quantity;
    const clock = this.clock;
    clock.update();
    const addedQuantity = Math.max(0, quantity - filled) - leaves;
    if (this.risk.checkReplace(instrument, replacement, addedQuantity, clock) !== RISK_ALLOWED) return this.refuseDenied(strategy, clOrdId);
    const slot = this.session.acquireSlot();
    if (slot === NO_SLOT) return this.refuseUnsent(strategy, clOrdId, securityId);
    const replaceId = this.nextClOrdId;
    const seqNum = this.session.nextSeqNo;
    const pool = this.session.pool;
    this.wallClock.update();
    const length = this.encoder.orderCancelReplaceRequest(pool.view, pool.slotOffset(slot), seqNum, replaceId, clOrdId, replacement, this.wallClock);
    if (!this.session.sendApplicationMessage(slot, length)) return this.refuseUnsent(strategy, clOrdId, securityId);
    this.nextClOrdId++;
    const request = this.insertRequest(record, replaceId, RecordKind.ReplaceRequest, seqNum);
    table.price[request] = price;
    table.quantity[request] = quantity;
    this.risk.recordReplace(instrument, clock);
    this.counters.replacesSent++;
    if (this.sendMode === 'immediate') this.session.flush();
    return replaceId;
  }

  onEstablished(previousSeqNo: number): void {
    this.rejectUnreceived(previousSeqNo);
    if (this.risk.killSwitchEngaged) this.cancelAllWorking();
  }

  onSessionDown(): void {
    // Nothing to undo yet: what the exchange got is only known from the next EstablishmentAck.
  }

  onExecutionReport(report: ExecutionReportDecoder): void {
    this.counters.executionReports++;
    const table = this.table;
    const clOrdId = report.clOrdID();
    const record = table.find(clOrdId);
    if (record === NO_RECORD) {
      this.counters.unknownExecutionReports++;
      return;
    }
    const strategy = table.strategy[record]!;
    const securityId = table.securityId[record]!;
    const execType = report.execType();
    switch (execType) {
      case ExecType.New:
        table.acknowledged[record] = 1;
        break;
      case ExecType.PartialFill:
      case ExecType.Fill:
        this.applyFill(record, report.lastQty(), report.leavesQty());
        break;
      case ExecType.Canceled:
        this.applyCanceled(record);
        break;
      case ExecType.Replaced:
        this.applyReplaced(record, report.orderQty(), report.leavesQty());
        break;
      case ExecType.Rejected:
        this.applyRejected(record);
        break;
      default:
        break;
    }
    this.listeners[strategy]!.onExecutionReport(report);
    if (execType === ExecType.Rejected) this.deliverReject(strategy, this.rejectEvent.set(clOrdId, securityId, RejectReason.ExchangeReject, report.ordRejReason(), 0, 0));
  }

  onBusinessReject(reject: BusinessRejectDecoder): void {
    this.counters.businessRejects++;
    const clOrdId = reject.clOrdID();
    const record = this.table.find(clOrdId);
    if (record === NO_RECORD) return; // session level (no ClOrdID): counted only
    const strategy = this.table.strategy[record]!;
    const securityId = this.table.securityId[record]!;
    this.applyRejected(record);
    const event = this.rejectEvent.set(clOrdId, securityId, RejectReason.ExchangeReject, reject.businessRejectReason(), 0, 0);
    const reason = BusinessRejectReasonNames[reject.businessRejectReason()] ?? `BusinessRejectReason ${reject.businessRejectReason()}`;
    const text = reject.textAsString();
    event.exchangeText = text === '' ? reason : `${reason}: ${text}`;
    this.deliverReject(strategy, event);
  }

  private applyFill(record: number, lastQuantity: number, leavesQuantity: number): void {
    const table = this.table;
    if (table.kind[record] !== RecordKind.Order) return;
    const side = table.side[record]!;
    const securityId = table.securityId[record]!;
    table.acknowledged[record] = 1;
    this.risk.instrument(securityId).filled(side, lastQuantity);
    this.entries[table.strategy[record]!]!.addFill(securityId, side === OrderSide.Buy ? lastQuantity : -lastQuantity);
    table.leavesQuantity[record] = table.leavesQuantity[record]! - lastQuantity;
    this.counters.fills++;
    this.counters.filledQuantity += lastQuantity;
    if (leavesQuantity === 0 || table.leavesQuantity[record]! <= 0) this.closeOrder(record);
  }

  /** By a cancel request, or unsolicited (IOC remainder, the exchange's own cancel). */
  private applyCanceled(record: number): void {
    const table = this.table;
    if (table.kind[record] === RecordKind.Order) {
      this.closeOrder(record);
      return;
    }
    const order = this.detachRequest(record);
    if (order !== NO_RECORD) this.closeOrder(order);
  }

  /** The replace request's ClOrdID becomes the order's; the old record goes. */
  private applyReplaced(record: number, orderQuantity: number, leavesQuantity: number): void {
    const table = this.table;
    if (table.kind[record] !== RecordKind.ReplaceRequest) return;
    const order = table.find(table.linkedClOrdId[record]!);
    if (order === NO_RECORD) {
      table.remove(record);
      return;
    }
    this.risk.instrument(table.securityId[order]!).changeOpenQuantity(table.side[order]!, leavesQuantity - table.leavesQuantity[order]!);
    table.kind[record] = RecordKind.Order;
    table.quantity[record] = orderQuantity;
    table.leavesQuantity[record] = leavesQuantity;
    table.acknowledged[record] = 1;
    table.linkedClOrdId[record] = 0;
    table.remove(order);
    this.cancelIfKilled(record);
  }

  private applyRejected(record: number): void {
    if (this.table.kind[record] === RecordKind.Order) {
      this.closeOrder(record);
      return;
    }
    const order = this.detachRequest(record);
    if (order !== NO_RECORD) this.cancelIfKilled(order);
  }

  /** Removes a cancel/replace request and unlinks its order; returns the order's record. */
  private detachRequest(record: number): number {
    const table = this.table;
    const order = table.find(table.linkedClOrdId[record]!);
    table.remove(record);
    if (order !== NO_RECORD) table.linkedClOrdId[order] = 0;
    return order;
  }

  /** The order is done: exposure released, counts down, its pending request (if any) dropped. */
  private closeOrder(record: number): void {
    const table = this.table;
    const leaves = table.leavesQuantity[record]!;
    this.risk.instrument(table.securityId[record]!).orderClosed(table.side[record]!, leaves > 0 ? leaves : 0);
    this.entries[table.strategy[record]!]!.openOrderCount--;
    this.liveOrders--;
    const request = table.linkedClOrdId[record]!;
    if (request !== 0) {
      const requestRecord = table.find(request);
      if (requestRecord !== NO_RECORD) table.remove(requestRecord);
    }
    table.remove(record);
  }

  /**
   * After a re-establishment: what carried a SeqNum above the exchange's PreviousSeqNo and was
   * never answered did not reach it. Each is rejected to its strategy, exactly once.
   */
  private rejectUnreceived(previousSeqNo: number): void {
    const table = this.table;
    for (let record = 0; record < table.capacity; record++) {
      if (table.inUse[record] !== 1 || table.acknowledged[record] === 1) continue;
      const seqNum = table.seqNum[record]!;
      if (seqNum <= previousSeqNo) continue;
      const strategy = table.strategy[record]!;
      const clOrdId = table.clOrdId[record]!;
      const securityId = table.securityId[record]!;
      if (table.kind[record] === RecordKind.Order) this.closeOrder(record);
      else this.detachRequest(record);
      this.refuse(strategy, clOrdId, securityId, RejectReason.SessionDown, seqNum, previousSeqNo);
    }
  }

  private cancelAllWorking(): number {
    if (this.session.state !== SessionState.Established) return 0;
    const table = this.table;
    let cancels = 0;
    for (let record = 0; record < table.capacity; record++) {
      if (table.inUse[record] === 1 && table.kind[record] === RecordKind.Order && table.linkedClOrdId[record] === 0 && this.sendCancel(record) !== 0) cancels++;
    }
    this.counters.killSwitchCancels += cancels;
    this.session.flush();
    return cancels;
  }

  /** An order whose replace was answered while the kill switch is on is cancelled then. */
  private cancelIfKilled(record: number): void {
    if (this.risk.killSwitchEngaged && this.session.state === SessionState.Established && this.sendCancel(record) !== 0) {
      this.counters.killSwitchCancels++;
    }
  }

  private sendCancel(record: number): number {
    const table = this.table;
    const strategy = table.strategy[record]!;
    const clOrdId = table.clOrdId[record]!;
    const securityId = table.securityId[record]!;
    const slot = this.session.acquireSlot();
    if (slot === NO_SLOT) return this.refuseUnsent(strategy, clOrdId, securityId);
    const cancelId = this.nextClOrdId;
    const seqNum = this.session.nextSeqNo;
    const pool = this.session.pool;
    this.wallClock.update();
    const length = this.encoder.orderCancelRequest(pool.view, pool.slotOffset(slot), seqNum, cancelId, clOrdId, securityId, table.side[record]!, this.wallClock);
    if (!this.session.sendApplicationMessage(slot, length)) return this.refuseUnsent(strategy, clOrdId, securityId);
    this.nextClOrdId++;
    this.insertRequest(record, cancelId, RecordKind.CancelRequest, seqNum);
    this.counters.cancelsSent++;
    if (this.sendMode === 'immediate') this.session.flush();
    return cancelId;
  }

  private insertRequest(order: number, clOrdId: number, kind: RecordKind, seqNum: number): number {
    const table = this.table;
    const request = table.insert(clOrdId, kind, table.strategy[order]!);
    table.securityId[request] = table.securityId[order]!;
    table.side[request] = table.side[order]!;
    table.price[request] = table.price[order]!;
    table.quantity[request] = table.quantity[order]!;
    table.leavesQuantity[request] = 0;
    table.seqNum[request] = seqNum;
    table.linkedClOrdId[request] = table.clOrdId[order]!;
    table.linkedClOrdId[order] = clOrdId;
    return request;
  }

  private findOrderOf(strategy: number, clOrdId: number): number {
    const record = this.table.find(clOrdId);
    if (record === NO_RECORD || this.table.kind[record] !== RecordKind.Order || this.table.strategy[record] !== strategy) return NO_RECORD;
    return record;
  }

  /** True when a cancel/replace may be sent for the order now; otherwise the refusal is delivered. */
  private mayRequest(strategy: number, record: number): boolean {
    const table = this.table;
    const clOrdId = table.clOrdId[record]!;
    const securityId = table.securityId[record]!;
    if (this.session.state !== SessionState.Established) {
      this.refuse(strategy, clOrdId, securityId, RejectReason.SessionDown, 0, 0);
      return false;
    }
    const pending = table.linkedClOrdId[record]!;
    if (pending !== 0) {
      this.refuse(strategy, clOrdId, securityId, RejectReason.RequestPending, clOrdId, pending);
      return false;
    }
    return true;
  }

  /** Encoded but not queued: the session dropped meanwhile, or the queue stayed full. */
  private refuseUnsent(strategy: number, clOrdId: number, securityId: number): number {
    if (this.session.state !== SessionState.Established) return this.refuse(strategy, clOrdId, securityId, RejectReason.SessionDown, 0, 0);
    return this.refuse(strategy, clOrdId, securityId, RejectReason.QueueFull, 0, this.session.pool.slotCount);
  }

  private refuseDenied(strategy: number, clOrdId: number): number {
    const denial = this.risk.denial;
    return this.refuse(strategy, clOrdId, denial.securityId, denial.reason as RejectReason, denial.value, denial.limit, denial.reference);
  }

  /** Delivers a reject to the strategy and returns 0, the "refused" result of every request. */
  private refuse(strategy: number, clOrdId: number, securityId: number, reason: RejectReason, value: number, limit: number, reference = 0): number {
    this.deliverReject(strategy, this.rejectEvent.set(clOrdId, securityId, reason, value, limit, reference));
    return 0;
  }

  private deliverReject(strategy: number, event: OrderRejectEvent): void {
    this.counters.rejects++;
    this.counters.rejectsByReason[event.reason]!++;
    this.listeners[strategy]!.onReject(event);
  }
}

/** One strategy's `ctx.orders`: the router's requests, tagged with the strategy. */
class StrategyOrderEntry implements OrderEntry {
  openOrderCount = 0;
  private readonly router: OrderRouter<RouterSession>;
  private readonly strategy: number;
  private readonly positions = new Map<number, number>();

  constructor(router: OrderRouter<RouterSession>, strategy: number) {
    this.router = router;
    this.strategy = strategy;
  }

  newOrder(request: NewOrderRequest): number {
    return this.router.newOrder(this.strategy, request);
  }

  cancel(clOrdId: number): number {
    return this.router.cancel(this.strategy, clOrdId);
  }

  replace(clOrdId: number, price: number, quantity: number): number {
    return this.router.replace(this.strategy, clOrdId, price, quantity);
  }

  position(securityId: number): number {
    return this.positions.get(securityId) ?? 0;
  }

  addFill(securityId: number, signedQuantity: number): void {
    this.positions.set(securityId, this.position(securityId) + signedQuantity);
  }
}

function checkSide(side: OrderSide): void {
  if (side !== OrderSide.Buy && side !== OrderSide.Sell) throw new RangeError(`order side must be OrderSide.Buy (1) or OrderSide.Sell (2): side=${String(side)}`);
}
