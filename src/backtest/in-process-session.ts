/**
 * The order router's session in a backtest (RouterSession): in place of a TCP connection, the
 * frames the router encodes (the real NewOrderSingle, OrderCancelRequest and
 * OrderCancelReplaceRequest bytes) go into the delay line to the simulated exchange, and the
 * exchange's frames, once their delay has passed, come back through `receive` and are decoded
 * into the router's ExecutionReport and BusinessReject handlers, as the live session does.
 *
 * It is established from the start and never drops: there is no network to lose. Nothing is
 * allocated per frame: one pool slot is encoded into and copied out at once.
 */
import { BusinessRejectDecoder, ExecutionReportDecoder } from '../generated/order-entry/index.js';
import { BufferPool } from '../io/pool.js';
import { MAX_OUTBOUND_FRAME_LENGTH } from '../order/message-encoder.js';
import type { RouterSession } from '../order/order-router.js';
import { SessionState, type SessionHandler } from '../order/order-session.js';
import type { FrameDelayLine } from './frame-delay-line.js';
import { OrderEntryMessages } from './order-entry-messages.js';
import { DIRECTION_TO_EXCHANGE } from './order-stream-layout.js';
import type { OrderStreamLog } from './order-stream-log.js';

/** Frames are copied out as soon as they are encoded: one slot is always enough. */
const SEND_SLOTS = 1;

export class InProcessSession implements RouterSession {
  readonly state = SessionState.Established;
  readonly needsEventLoop = false;
  readonly reconnects = 0;
  readonly pool = BufferPool.create({ slotSize: MAX_OUTBOUND_FRAME_LENGTH, slotCount: SEND_SLOTS });
  nextSeqNo = 1;
  /** Messages from the exchange that were not an ExecutionReport or BusinessReject. */
  unexpectedMessages = 0;
  private readonly messages = new OrderEntryMessages();
  private readonly executionReport = new ExecutionReportDecoder();
  private readonly businessReject = new BusinessRejectDecoder();

  constructor(
    private readonly handler: SessionHandler,
    private readonly toExchange: FrameDelayLine,
    private readonly stream: OrderStreamLog,
  ) {}

  acquireSlot(): number {
    return this.pool.acquire();
  }

  /** The frame encoded in `slot` leaves now: logged, handed to the delay line, the slot freed. */
  sendApplicationMessage(slot: number, frameLength: number): boolean {
    const offset = this.pool.slotOffset(slot);
    this.stream.append(DIRECTION_TO_EXCHANGE, this.pool.view, offset, frameLength);
    this.toExchange.push(this.pool.view, offset, frameLength);
    this.pool.release(slot);
    this.nextSeqNo++;
    return true;
  }

  /** Sending happens in sendApplicationMessage; delivery is the backtest's, in recorded time. */
  flush(): number {
    return 0;
  }

  poll(): void {}

  /** Frames from the exchange that arrived now: each goes to the router, as a TCP read would. */
  receive(view: DataView, offset: number, length: number): void {
    const messages = this.messages.wrap(view, offset, length);
    while (messages.next()) {
      const { templateId, body, blockLength, version, end } = messages;
      if (templateId === ExecutionReportDecoder.TEMPLATE_ID) {
        this.handler.onExecutionReport(this.executionReport.wrap(view, body, blockLength, version, end));
      } else if (templateId === BusinessRejectDecoder.TEMPLATE_ID) {
        this.handler.onBusinessReject(this.businessReject.wrap(view, body, blockLength, version, end));
      } else {
        this.unexpectedMessages++;
      }
    }
  }

  close(): void {
    this.pool.destroy();
  }
}
