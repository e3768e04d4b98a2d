/**
 * The exchange end of a backtest's order path: the simulator's own order entry session
 * (src/sim/order-session.ts: validation, the matching engine, the ExecutionReports) driven
 * in-process. Frames from the gateway are decoded from the bytes the order router encoded;
 * every report the session writes is logged and sent back through the delay line to the
 * gateway. The engine's books mirror the recorded market (market-mirror.ts: the fill model).
 */
import { FRAME_MESSAGE } from '../feed/framing/framing.js';
import { SOFH_HEADER_LENGTH, createSofhCursor } from '../feed/framing/sofh.js';
import type { Book } from '../feed/market-data.js';
import { NewOrderSingleDecoder, OrderCancelReplaceRequestDecoder, OrderCancelRequestDecoder } from '../generated/order-entry/index.js';
import { MatchingEngine } from '../sim/matching-engine.js';
import { OrderEntryReplies } from '../sim/order-replies.js';
import { OrderServerCounters } from '../sim/order-server-counters.js';
import { OrderSession as ExchangeSession } from '../sim/order-session.js';
import { SendTimeRing } from '../sim/send-time-ring.js';
import { TickToTrade } from '../sim/tick-to-trade.js';
import type { BookSource } from '../strategy/context.js';
import type { FrameDelayLine } from './frame-delay-line.js';
import { MarketMirror } from './market-mirror.js';
import { OrderEntryMessages } from './order-entry-messages.js';
import { DIRECTION_TO_GATEWAY } from './order-stream-layout.js';
import type { OrderStreamLog } from './order-stream-log.js';
import type { RecordedClock } from './recorded-clock.js';

const SESSION_ID = 1;
/** Tick-to-trade is the live simulator's measure; a backtest has no send times to hold. */
const NO_SEND_TIMES = 1;
/** So the receive time the session would record tick-to-trade with is not a time (a boxed double per order) either. */
const NO_RECEIVE_TIME = 0;

export class SimulatedExchange {
  readonly counters = new OrderServerCounters();
  readonly engine = new MatchingEngine([]);
  readonly mirror: MarketMirror;
  /** Messages from the gateway that were not an order request. */
  unexpectedMessages = 0;
  private readonly session: ExchangeSession;
  private readonly messages = new OrderEntryMessages();
  private readonly outCursor = createSofhCursor();
  private readonly newOrderSingle = new NewOrderSingleDecoder();
  private readonly cancelRequest = new OrderCancelRequestDecoder();
  private readonly replaceRequest = new OrderCancelReplaceRequestDecoder();

  constructor(
    clock: RecordedClock,
    recordedBooks: BookSource,
    private readonly toGateway: FrameDelayLine,
    private readonly stream: OrderStreamLog,
  ) {
    this.session = new ExchangeSession(SESSION_ID, {
      engine: this.engine,
      replies: new OrderEntryReplies(),
      counters: this.counters,
      tickToTrade: new TickToTrade(new SendTimeRing(NO_SEND_TIMES)),
      clock,
      // Output is shipped after each request and each replayed market event (shipReports).
      onOutput: () => {},
    });
    this.mirror = new MarketMirror(this.engine, recordedBooks, this.session);
  }

  /** Orders resting in the engine. */
  get workingOrderCount(): number {
    return this.session.workingOrderCount;
  }

  /** Frames from the gateway that arrived now: each request to the session, then its reports out. */
  receive(view: DataView, offset: number, length: number): void {
    const messages = this.messages.wrap(view, offset, length);
    while (messages.next()) this.dispatch(messages);
    this.shipReports();
  }

  /** A recorded book event (after the feed applied it). */
  onRecordedBook(book: Book): void {
    this.mirror.onRecordedBook(book);
    this.shipReports();
  }

  /** A recorded trade, its price and size already in mirror.tradePrice/tradeQuantity. */
  onRecordedTrade(securityId: number, aggressorSide: number): void {
    this.mirror.replayTrade(securityId, aggressorSide);
    this.shipReports();
  }

  private dispatch(messages: OrderEntryMessages): void {
    const { view, templateId, body, blockLength, version, end } = messages;
    switch (templateId) {
      case NewOrderSingleDecoder.TEMPLATE_ID: {
        const request = this.newOrderSingle.wrap(view, body, blockLength, version, end);
        this.mirror.prepare(request.securityID());
        this.session.newOrder(request, NO_RECEIVE_TIME);
        return;
      }
      case OrderCancelRequestDecoder.TEMPLATE_ID:
        this.session.cancelOrder(this.cancelRequest.wrap(view, body, blockLength, version, end));
        return;
      case OrderCancelReplaceRequestDecoder.TEMPLATE_ID: {
        const request = this.replaceRequest.wrap(view, body, blockLength, version, end);
        this.mirror.prepare(request.securityID());
        this.session.replaceOrder(request);
        return;
      }
      default:
        this.unexpectedMessages++;
    }
  }

  /** Every report the session wrote leaves now: each frame logged and sent to the gateway. */
  private shipReports(): void {
    const out = this.session.out;
    if (out.length === 0) return;
    const cursor = this.outCursor;
    cursor.wrap(out.view, 0, out.length);
    while (cursor.next() === FRAME_MESSAGE) {
      const frameOffset = cursor.messageOffset - SOFH_HEADER_LENGTH;
      const frameLength = cursor.messageLength + SOFH_HEADER_LENGTH;
      this.stream.append(DIRECTION_TO_GATEWAY, out.view, frameOffset, frameLength);
      this.toGateway.push(out.view, frameOffset, frameLength);
    }
    out.length = 0;
  }
}
