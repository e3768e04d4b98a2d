/**
 * One TCP connection of the order entry server: splits the byte stream into SOFH frames, runs
 * the session layer (Establish, Sequence heartbeats, Terminate, inbound sequence numbers) and
 * hands application messages to the session (order-session.ts).
 *
 * Bad input never throws out of here: a frame whose SBE content is wrong gets a BusinessReject
 * and the stream goes on; a broken frame header (or an application message before Establish)
 * leaves nothing to resynchronise on, so it gets a Terminate and the connection is closed. Each
 * case is counted and logged, at most `MAX_LOGGED_PROBLEMS` lines per connection.
 */
import type { Socket } from 'node:net';
import {
  SOFH_ENCODING_CME_SBE,
  SOFH_ENCODING_SBE_LITTLE_ENDIAN,
  SOFH_ENCODING_TYPE_OFFSET,
  SOFH_HEADER_LENGTH,
  SOFH_MESSAGE_LENGTH_OFFSET,
} from '../feed/framing/sofh.js';
import {
  BusinessRejectReason,
  EstablishDecoder,
  MessageHeaderDecoder,
  NewOrderSingleDecoder,
  OrderCancelReplaceRequestDecoder,
  OrderCancelRequestDecoder,
  SCHEMA_ID,
  SequenceDecoder,
  TerminateDecoder,
  TerminateReason,
} from '../generated/order-entry/index.js';
import { monotonicNanos } from '../io/native.js';
import type { OrderSession, SessionConnection } from './order-session.js';
import type { OrderServerCounters } from './order-server-counters.js';
import type { OrderEntryReplies } from './order-replies.js';
import { SofhWriter } from './sofh-writer.js';

/** Largest frame (u16 length) plus the largest read node:net hands over: room for both at once. */
const INBOUND_CAPACITY = 0x10000 + 0x10000;
const MESSAGE_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
const MAX_LOGGED_PROBLEMS = 20;
/** Silence from the client for this many keep-alive intervals ends the session (Terminate Timeout). */
const IDLE_INTERVALS_BEFORE_TIMEOUT = 3;
/** Heartbeat intervals below this are raised to it: a 0 ms interval would spin the timer. */
const MIN_KEEP_ALIVE_MS = 10;

const TEMPLATE_ESTABLISH = EstablishDecoder.TEMPLATE_ID;
const TEMPLATE_SEQUENCE = SequenceDecoder.TEMPLATE_ID;
const TEMPLATE_TERMINATE = TerminateDecoder.TEMPLATE_ID;
const TEMPLATE_NEW_ORDER = NewOrderSingleDecoder.TEMPLATE_ID;
const TEMPLATE_CANCEL = OrderCancelRequestDecoder.TEMPLATE_ID;
const TEMPLATE_REPLACE = OrderCancelReplaceRequestDecoder.TEMPLATE_ID;

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly counters: OrderServerCounters;
  readonly replies: OrderEntryReplies;
  log(line: string): void;
  /** The session for `sessionId`, made on first use and kept across connections. */
  sessionFor(sessionId: number): OrderSession;
  /** After each read: publish what the orders changed and send every session's pending output. */
  afterRead(): void;
  onClosed(connection: OrderConnection): void;
}

export class OrderConnection implements SessionConnection {
  session: OrderSession | null = null;
  /** Session-layer replies (EstablishmentAck, Sequence, Terminate); sequenced ones go in the session's writer. */
  private readonly out = new SofhWriter(256);
  private readonly inbound = Buffer.alloc(INBOUND_CAPACITY);
  private readonly view = new DataView(this.inbound.buffer, this.inbound.byteOffset, this.inbound.byteLength);
  private inboundLength = 0;
  private readonly header = new MessageHeaderDecoder();
  private readonly establish = new EstablishDecoder();
  private readonly newOrderSingle = new NewOrderSingleDecoder();
  private readonly cancelRequest = new OrderCancelRequestDecoder();
  private readonly replaceRequest = new OrderCancelReplaceRequestDecoder();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private keepAliveMs = 0;
  private lastReceivedAtMs = Date.now();
  private lastSentAtMs = Date.now();
  private problemsLogged = 0;
  private closing = false;
  private terminatedByPeer = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
    readonly remote: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A peer that sent Terminate may close before our Terminate reaches it: that reset ends the session as agreed.
      if (!(this.terminatedByPeer && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))) this.problem(`socket error: ${error.message}`);
    });
    socket.on('close', () => this.onClose());
  }

  /** Sends what is pending: session-layer replies first, then the session's sequenced messages. */
  flush(): void {
    const session = this.session;
    const sessionBytes = session === null ? 0 : session.out.length;
    const total = this.out.length + sessionBytes;
    if (total === 0 || this.socket.destroyed || this.socket.writableEnded) return;
    // One write per read: node:net keeps a reference to what it queues, so hand it its own copy.
    const bytes = Buffer.allocUnsafe(total);
    this.out.take().copy(bytes, 0);
    if (session !== null) session.takeOutput().copy(bytes, total - sessionBytes);
    this.socket.write(bytes);
    this.lastSentAtMs = Date.now();
  }

  /** Closes the connection without a word (another connection took its session over). */
  drop(reason: string): void {
    this.host.log(`order entry ${this.remote}: closed: ${reason}`);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const receiveTimeNanos = monotonicNanos();
    this.lastReceivedAtMs = Date.now();
    let consumed = 0;
    while (consumed < chunk.length && !this.closing) {
      const copied = chunk.copy(this.inbound, this.inboundLength, consumed);
      this.inboundLength += copied;
      consumed += copied;
      this.handleFrames(receiveTimeNanos);
    }
    this.host.afterRead();
    this.flush();
  }

  /** Handles every complete frame in the inbound buffer and keeps the incomplete tail. */
  private handleFrames(receiveTimeNanos: number): void {
    const view = this.view;
    let position = 0;
    while (this.inboundLength - position >= SOFH_HEADER_LENGTH && !this.closing) {
      const frameLength = view.getUint16(position + SOFH_MESSAGE_LENGTH_OFFSET, true);
      const encodingType = view.getUint16(position + SOFH_ENCODING_TYPE_OFFSET, true);
      if (frameLength < SOFH_HEADER_LENGTH || (encodingType !== SOFH_ENCODING_CME_SBE && encodingType !== SOFH_ENCODING_SBE_LITTLE_ENDIAN)) {
        this.protocolError(`bad SOFH header at stream byte ${position}: length ${frameLength}, encoding type 0x${encodingType.toString(16)}`);
        return;
      }
      if (this.inboundLength - position < frameLength) break;
      this.handleMessage(position + SOFH_HEADER_LENGTH, frameLength - SOFH_HEADER_LENGTH, receiveTimeNanos);
      position += frameLength;
    }
    this.inbound.copy(this.inbound, 0, position, this.inboundLength);
    this.inboundLength -= position;
  }

  private handleMessage(offset: number, length: number, receiveTimeNanos: number): void {
    const end = offset + length;
    if (length < MESSAGE_HEADER_LENGTH) {
      return this.malformed(0, `message of ${length} bytes is shorter than its ${MESSAGE_HEADER_LENGTH}-byte header`);
    }
    const header = this.header.wrap(this.view, offset);
    const templateId = header.templateId();
    if (header.schemaId() !== SCHEMA_ID) {
      return this.malformed(0, `schema id ${header.schemaId()} is not order entry's ${SCHEMA_ID} (template ${templateId})`);
    }
    const body = offset + MESSAGE_HEADER_LENGTH;
    const blockLength = header.blockLength();
    const version = header.version();
    try {
      switch (templateId) {
        case TEMPLATE_ESTABLISH:
          return this.onEstablish(this.establish.wrap(this.view, body, blockLength, version, end));
        case TEMPLATE_SEQUENCE:
          return; // the client's heartbeat: its arrival was noted in onData
        case TEMPLATE_TERMINATE:
          return this.onTerminate();
        case TEMPLATE_NEW_ORDER: {
          const request = this.newOrderSingle.wrap(this.view, body, blockLength, version, end);
          const session = this.sequencedSession(request.seqNum(), request.clOrdID());
          if (session !== null) session.newOrder(request, receiveTimeNanos);
          return;
        }
        case TEMPLATE_CANCEL: {
          const request = this.cancelRequest.wrap(this.view, body, blockLength, version, end);
          const session = this.sequencedSession(request.seqNum(), request.clOrdID());
          if (session !== null) session.cancelOrder(request);
          return;
        }
        case TEMPLATE_REPLACE: {
          const request = this.replaceRequest.wrap(this.view, body, blockLength, version, end);
          const session = this.sequencedSession(request.seqNum(), request.clOrdID());
          if (session !== null) session.replaceOrder(request);
          return;
        }
        default:
          return this.rejectUnknownTemplate(templateId, body, end);
      }
    } catch (error) {
      // The generated decoders throw only when the block does not fit or is shorter than the schema's.
      this.malformed(seqNumAt(this.view, body, end), `template ${templateId}: ${(error as Error).message}`);
    }
  }

  private onEstablish(request: EstablishDecoder): void {
    const { counters, replies } = this.host;
    if (this.session !== null) {
      this.problem(`Establish for session ${request.sessionID()} on a connection already established as session ${this.session.sessionId}: ignored`);
      counters.malformedMessages++;
      this.session.businessReject(0, Number.NaN, BusinessRejectReason.Other, `already established as session ${this.session.sessionId}`);
      return;
    }
    const session = this.host.sessionFor(request.sessionID());
    const previous = session.connection;
    session.connection = this;
    if (previous !== null && previous !== this) previous.drop(`session ${session.sessionId} re-established from ${this.remote}`);
    this.session = session;
    const previousSeqNo = session.lastReceivedSeqNum;
    session.expectedSeqNum = request.nextSeqNo();
    this.keepAliveMs = request.keepAliveIntervalMs();
    replies.establishmentAck(this.out, session.sessionId, this.keepAliveMs, session.nextSeqNoToAnnounce, previousSeqNo);
    counters.sessionsEstablished++;
    this.startHeartbeats();
  }

  private onTerminate(): void {
    this.terminatedByPeer = true;
    this.host.replies.terminate(this.out, TerminateReason.Finished);
    this.closeAfterFlush();
  }

  /**
   * The established session when `seqNum` is the one it expects (and accepts it); otherwise
   * answers (BusinessReject, or Terminate before Establish) and returns null.
   */
  private sequencedSession(seqNum: number, clOrdId: number): OrderSession | null {
    const session = this.session;
    if (session === null) {
      this.protocolError(`application message SeqNum ${seqNum} before Establish`);
      return null;
    }
    if (seqNum !== session.expectedSeqNum) {
      this.host.counters.outOfSequenceMessages++;
      this.problem(`SeqNum ${seqNum} out of sequence: expected ${session.expectedSeqNum}; not applied`);
      session.businessReject(seqNum, clOrdId, BusinessRejectReason.OutOfSequence, `expected SeqNum ${session.expectedSeqNum}, got ${seqNum}`);
      return null;
    }
    session.expectedSeqNum = seqNum + 1;
    session.lastReceivedSeqNum = seqNum;
    return session;
  }

  private rejectUnknownTemplate(templateId: number, body: number, end: number): void {
    this.problem(`unknown template id ${templateId}`);
    if (this.session === null) return this.protocolError(`unknown template id ${templateId} before Establish`);
    this.host.counters.malformedMessages++;
    this.session.businessReject(seqNumAt(this.view, body, end), Number.NaN, BusinessRejectReason.UnknownMessageType, `unknown template id ${templateId}`);
  }

  private malformed(refSeqNum: number, reason: string): void {
    this.problem(`malformed message: ${reason}`);
    if (this.session === null) return this.protocolError(`malformed message before Establish: ${reason}`);
    this.host.counters.malformedMessages++;
    this.session.businessReject(refSeqNum, Number.NaN, BusinessRejectReason.MalformedMessage, reason);
  }

  /** Nothing more can be read from this stream: Terminate, then close. */
  private protocolError(reason: string): void {
    this.host.counters.protocolErrors++;
    this.problem(`protocol error, terminating: ${reason}`);
    this.host.replies.terminate(this.out, TerminateReason.ProtocolError);
    this.closeAfterFlush();
  }

  private closeAfterFlush(): void {
    this.closing = true;
    this.flush();
    this.socket.end();
  }

  private startHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
    if (this.keepAliveMs === 0) return;
    const intervalMs = Math.max(MIN_KEEP_ALIVE_MS, this.keepAliveMs);
    this.heartbeatTimer = setInterval(() => this.onHeartbeatTimer(intervalMs), intervalMs);
  }

  private onHeartbeatTimer(intervalMs: number): void {
    const now = Date.now();
    if (now - this.lastReceivedAtMs > intervalMs * IDLE_INTERVALS_BEFORE_TIMEOUT) {
      this.host.counters.heartbeatTimeouts++;
      this.problem(`no message for ${now - this.lastReceivedAtMs} ms (keep-alive ${intervalMs} ms): terminating`);
      this.host.replies.terminate(this.out, TerminateReason.Timeout);
      this.closeAfterFlush();
      return;
    }
    if (now - this.lastSentAtMs >= intervalMs && this.session !== null) {
      this.host.replies.sequence(this.out, this.session.nextSentSeqNum);
      this.flush();
    }
  }

  private onClose(): void {
    clearInterval(this.heartbeatTimer);
    this.closing = true;
    this.host.onClosed(this);
  }

  /** Logs a problem, at most MAX_LOGGED_PROBLEMS per connection (the counters keep counting). */
  problem(text: string): void {
    if (this.problemsLogged > MAX_LOGGED_PROBLEMS) return;
    this.problemsLogged++;
    this.host.log(
      this.problemsLogged > MAX_LOGGED_PROBLEMS
        ? `order entry ${this.remote}: more problems on this connection are counted, not logged`
        : `order entry ${this.remote}: ${text}`,
    );
  }
}

/** The SeqNum every application message starts with, when the body has one (else 0). */
function seqNumAt(view: DataView, body: number, end: number): number {
  return end - body >= 4 ? view.getUint32(body, true) : 0;
}
