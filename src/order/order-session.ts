/**
 * The exchange connection of the order path: one TCP session of the order entry protocol
 * (schemas/order-entry.xml), driven entirely by poll() from the hot loop. There is no
 * libuv timer or socket callback on the hot path: poll() reads what has arrived, decodes each
 * SOFH frame in place and runs the timers (heartbeat, peer silence, reconnect) against the time
 * it is given.
 *
 *   Disconnected --(backoff expired)--> Connecting --(TCP up)--> Establishing
 *        ^                                                          | EstablishmentAck
 *        +----(drop, Terminate, 3 silent intervals, bad frame)-- Established
 *
 * Outbound messages are encoded by the caller into slots of `pool` and handed to the transport's
 * sender (order-transport.ts: TcpSender's writev by default, or net.Socket for the copy baseline);
 * application messages take the next SeqNum. Sequence goes out when nothing else went out for
 * KeepAliveIntervalMs. Nothing the exchange sends can crash the session: a frame that breaks the
 * stream (bad size or encoding type) ends the session with Terminate(ProtocolError) and a
 * reconnect; a well-framed message that cannot be decoded is counted and skipped.
 *
 * Silence is counted only while the gateway listens: the part of a stall of its own beyond one
 * keep-alive interval is not held against the exchange (service()).
 *
 * Connecting is the one step that needs the event loop (TcpSender.connect waits on koffi's
 * thread pool): while `needsEventLoop` is true, the hot loop yields to it (every 1024 passes).
 * The socket transport needs the event loop throughout: its gateway loop is event-driven.
 */
import { FRAME_END, FRAME_ERR_SHORT_FRAME_HEADER, FRAME_ERR_SIZE_OVERRUN, FRAME_MESSAGE, describeFrameError } from '../feed/framing/framing.js';
import { createSofhCursor } from '../feed/framing/sofh.js';
import {
  BusinessRejectDecoder,
  EstablishmentAckDecoder,
  ExecutionReportDecoder,
  MessageHeaderDecoder,
  SCHEMA_ID,
  SequenceDecoder,
  TerminateDecoder,
  TerminateReason,
  TerminateReasonNames,
} from '../generated/order-entry/index.js';
import { BufferPool, NO_SLOT } from '../io/pool.js';
import { Backoff } from './backoff.js';
import { CLOCK_MONOTONIC, NanosecondClock } from '../io/clock.js';
import { MAX_OUTBOUND_FRAME_LENGTH, MessageEncoder } from './message-encoder.js';
import { discardConnection, nativeTransport, type OrderConnection, type OrderReceiver, type OrderSender, type OrderTransport } from './order-transport.js';

export const enum SessionState {
  Disconnected = 0,
  Connecting = 1,
  Establishing = 2,
  Established = 3,
  Closed = 4,
}

export const SESSION_STATE_NAMES: readonly string[] = ['disconnected', 'connecting', 'establishing', 'established', 'closed'];

/** A peer silent for this many keep-alive intervals is gone (iLink 3's rule). */
export const SILENT_INTERVALS_BEFORE_DOWN = 3;

export interface OrderSessionOptions {
  host: string;
  port: number;
  /** SessionID sent in Establish. Default 1. */
  sessionId?: number;
  /** Proposed in Establish; the interval in EstablishmentAck wins. Default 1000. */
  keepAliveIntervalMs?: number;
  /** First reconnect delay; doubles per failed attempt. Default 100. */
  reconnectInitialMs?: number;
  /** Longest reconnect delay. Default 5000. */
  reconnectMaxMs?: number;
  /** Default 1000. */
  connectTimeoutMs?: number;
  /** Messages encoded and not yet taken by the kernel (one response pool slot each). Default 4096. */
  sendSlots?: number;
  /** SO_SNDBUF request. Default: the system's. */
  sendBufferBytes?: number;
  /** Default 256 KiB. */
  receiveBufferBytes?: number;
  /** Cold-path events: state changes and protocol errors, one sentence each. */
  log?: (message: string) => void;
  /** How bytes reach the exchange. Default nativeTransport (zero copy). */
  transport?: OrderTransport;
}

/** What the session hands up (the order router implements it). */
export interface SessionHandler {
  /** EstablishmentAck: `previousSeqNo` is the last SeqNum the exchange received from us (0: none). */
  onEstablished(previousSeqNo: number): void;
  /** Valid during the call only: the decoder is a flyweight over the receive buffer. */
  onExecutionReport(report: ExecutionReportDecoder): void;
  onBusinessReject(reject: BusinessRejectDecoder): void;
  /** The established (or establishing) session dropped; a reconnect is scheduled. */
  onSessionDown(reason: string): void;
}

const NANOS_PER_MS = 1_000_000;
const SBE_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
/** A response pool slot holds one frame; 64 keeps slots on one cache line each. */
const SEND_SLOT_SIZE = 64;

export class OrderSession {
  readonly host: string;
  readonly port: number;
  readonly sessionId: number;
  /** Response buffers: the order router encodes into pool.view at pool.slotOffset(slot). */
  readonly pool: BufferPool;
  state: SessionState = SessionState.Disconnected;
  /** SeqNum of the next application message we send; never reused, across reconnects too. */
  nextSeqNo = 1;
  /** SeqNum we expect next from the exchange. */
  expectedInboundSeqNo = 1;
  keepAliveIntervalMs: number;

  // Counters: plain numbers the gateway reads.
  connectAttempts = 0;
  /** Establishments after the first. */
  reconnects = 0;
  disconnects = 0;
  heartbeatsSent = 0;
  heartbeatsReceived = 0;
  messagesReceived = 0;
  /** Frames that broke the stream (the session was terminated). */
  malformedFrames = 0;
  /** Well-framed messages that could not be decoded (skipped). */
  malformedMessages = 0;
  /** Inbound SeqNum jumps, and the messages they skipped. */
  inboundGaps = 0;
  missedInboundMessages = 0;
  /** Inbound messages with a SeqNum already seen (ignored). */
  duplicateInboundMessages = 0;
  lastError = '';

  private readonly options: OrderSessionOptions;
  private readonly handler: SessionHandler;
  private readonly backoff: Backoff;
  private readonly encoder = new MessageEncoder();
  private readonly cursor = createSofhCursor();
  private readonly executionReport = new ExecutionReportDecoder();
  private readonly businessReject = new BusinessRejectDecoder();
  private readonly establishmentAck = new EstablishmentAckDecoder();
  private readonly sequence = new SequenceDecoder();
  private readonly terminate = new TerminateDecoder();
  private readonly transport: OrderTransport;
  private sender: OrderSender | null = null;
  private receiver: OrderReceiver | null = null;
  /** The last down reason logged, and how many times it recurred unlogged since. */
  private lastLoggedDownReason = '';
  private repeatedDownReasons = 0;
  /** Set by the connect promise, picked up by the next poll(). */
  private connectedConnection: OrderConnection | null = null;
  private connectError: string | null = null;
  /** Bumped on every connect attempt and every teardown: stale promises and loops check it. */
  private connectionGeneration = 0;
  private everEstablished = false;
  // Nanosecond times start as doubles so that their fields never change representation.
  private reconnectAtNanos = 0.5;
  private lastPollNanos = 0.5;
  /** The poll before this one: a long gap between the two is a stall of this process. */
  private previousPollNanos = 0.5;
  private lastSendNanos = 0.5;
  private lastReceiveNanos = 0.5;
  private readonly clock = new NanosecondClock(CLOCK_MONOTONIC);
  /** Something was enqueued since the last poll: it counts as traffic for the heartbeat timer. */
  private sentSinceLastPoll = false;
  private bytesSentOnClosedConnections = 0;
  private writevCallsOnClosedConnections = 0;
  private bytesReceivedOnClosedConnections = 0;

  constructor(options: OrderSessionOptions, handler: SessionHandler) {
    this.options = options;
    this.handler = handler;
    this.transport = options.transport ?? nativeTransport;
    this.host = options.host;
    this.port = options.port;
    this.sessionId = options.sessionId ?? 1;
    this.keepAliveIntervalMs = options.keepAliveIntervalMs ?? 1000;
    this.backoff = new Backoff(options.reconnectInitialMs ?? 100, options.reconnectMaxMs ?? 5000);
    this.pool = BufferPool.create({ slotSize: Math.max(SEND_SLOT_SIZE, MAX_OUTBOUND_FRAME_LENGTH), slotCount: options.sendSlots ?? 4096 });
  }

  get isEstablished(): boolean {
    return this.state === SessionState.Established;
  }

  /** True while a connect is in flight: its result arrives through the event loop. */
  get needsEventLoop(): boolean {
    return this.state === SessionState.Connecting;
  }

  get bytesSent(): number {
    return this.bytesSentOnClosedConnections + (this.sender === null ? 0 : this.sender.bytesSent);
  }

  /** Bytes read from the exchange, over every connection. */
  get bytesReceived(): number {
    return this.bytesReceivedOnClosedConnections + (this.receiver === null ? 0 : this.receiver.bytesReceived);
  }

  /** sendmsg calls that sent something, over every connection. */
  get writevCalls(): number {
    return this.writevCallsOnClosedConnections + (this.sender === null ? 0 : this.sender.writevCalls);
  }

  get pendingBytes(): number {
    return this.sender === null ? 0 : this.sender.pendingBytes;
  }

  /**
   * Reads and handles what arrived, retries a partial send, runs the timers, at `nowNanos`
   * (CLOCK_MONOTONIC ns); without it, the session reads the clock itself, allocation-free.
   */
  poll(nowNanos?: number): void {
    this.previousPollNanos = this.lastPollNanos;
    if (nowNanos === undefined) {
      this.clock.update();
      this.lastPollNanos = this.clock.nanos;
    } else {
      this.lastPollNanos = nowNanos;
    }
    switch (this.state) {
      case SessionState.Disconnected:
        if (this.lastPollNanos >= this.reconnectAtNanos) this.startConnect();
        return;
      case SessionState.Connecting:
        this.finishConnect();
        return;
      case SessionState.Establishing:
      case SessionState.Established:
        this.service();
        return;
      default:
        return;
    }
  }

  /** A free response slot, or NO_SLOT when every slot waits for the kernel even after a flush. */
  acquireSlot(): number {
    const slot = this.pool.acquire();
    if (slot !== NO_SLOT || this.sender === null || this.sender.pendingSegments === 0) return slot;
    this.flush();
    return this.pool.acquire();
  }

  /**
   * Queues the application message encoded in `slot` with SeqNum `nextSeqNo` and moves
   * nextSeqNo on. False when it could not be queued (the slot is then released): the queue
   * stayed full after a flush, or the session is not established.
   */
  sendApplicationMessage(slot: number, frameLength: number): boolean {
    if (!this.enqueue(slot, frameLength)) return false;
    this.nextSeqNo++;
    return true;
  }

  /** Sends everything queued with one writev. Returns the bytes the kernel took. */
  flush(): number {
    const sender = this.sender;
    if (sender === null || sender.pendingSegments === 0) return 0;
    try {
      return sender.flush();
    } catch (error) {
      this.goDown(describe(error));
      return 0;
    }
  }

  /** Ends the session for good: Terminate(Finished), then the socket and the pool are closed. */
  close(): void {
    if (this.state === SessionState.Closed) return;
    if (this.state === SessionState.Established) this.sendTerminate(TerminateReason.Finished);
    this.closeConnection();
    this.state = SessionState.Closed;
    this.pool.destroy();
    this.clock.destroy();
  }

  private startConnect(): void {
    this.state = SessionState.Connecting;
    this.connectAttempts++;
    const attempt = ++this.connectionGeneration;
    const options = this.options;
    this.transport(this.pool, {
      host: this.host,
      port: this.port,
      connectTimeoutMs: options.connectTimeoutMs ?? 1000,
      sendBufferBytes: options.sendBufferBytes,
      receiveBufferBytes: options.receiveBufferBytes,
    }).then(
      (connection) => {
        if (attempt === this.connectionGeneration && this.state === SessionState.Connecting) this.connectedConnection = connection;
        else discardConnection(connection);
      },
      (error: unknown) => {
        if (attempt === this.connectionGeneration) this.connectError = describe(error);
      },
    );
  }

  private finishConnect(): void {
    const connection = this.connectedConnection;
    if (connection !== null) {
      this.connectedConnection = null;
      this.sender = connection.sender;
      this.receiver = connection.receiver;
      this.state = SessionState.Establishing;
      this.lastReceiveNanos = this.lastPollNanos;
      this.lastSendNanos = this.lastPollNanos;
      this.sendEstablish();
      return;
    }
    const error = this.connectError;
    if (error !== null) {
      this.connectError = null;
      this.scheduleReconnect(`connect to exchange ${this.host}:${this.port} failed: ${error}`);
    }
  }

  private service(): void {
    // Silence counts only while this process listens. Past one keep-alive interval, a gap between
    // two polls is a stall of its own (stopped, preempted, paused), during which the exchange may
    // well have spoken: bytes that arrived during a stall inside a poll, after its clock read, are
    // dated before the stall, and copy I/O hands bytes over only on a later event-loop turn. So
    // that part of the gap is not held against the exchange; a dead one is still found a few
    // polls on. (Seen in the t2t bench, whose responders are frozen for seconds between turns:
    // healthy sessions dropped a few times a run, on a thaw.)
    const intervalNanos = this.keepAliveIntervalMs * NANOS_PER_MS;
    const unpolledNanos = this.lastPollNanos - this.previousPollNanos;
    if (unpolledNanos > intervalNanos) this.lastReceiveNanos += unpolledNanos - intervalNanos;
    const generation = this.connectionGeneration;
    if (this.sender!.pendingSegments > 0) this.flush();
    if (generation === this.connectionGeneration) this.readMessages();
    if (generation === this.connectionGeneration) this.runKeepAlive();
  }

  private runKeepAlive(): void {
    const nowNanos = this.lastPollNanos;
    if (this.sentSinceLastPoll) {
      this.sentSinceLastPoll = false;
      this.lastSendNanos = nowNanos;
    }
    const intervalNanos = this.keepAliveIntervalMs * NANOS_PER_MS;
    const silentNanos = nowNanos - this.lastReceiveNanos;
    if (silentNanos >= SILENT_INTERVALS_BEFORE_DOWN * intervalNanos) {
      const silentMs = Math.round(silentNanos / NANOS_PER_MS);
      const what = this.state === SessionState.Establishing ? 'no EstablishmentAck' : 'exchange silent';
      this.terminateAndDrop(TerminateReason.Timeout, `${what} for ${silentMs} ms (keep-alive interval ${this.keepAliveIntervalMs} ms)`);
    } else if (this.state === SessionState.Established && nowNanos - this.lastSendNanos >= intervalNanos) {
      this.sendHeartbeat();
    }
  }

  /** One recv, then every whole frame in the buffer; a partial frame waits for the next poll. */
  private readMessages(): void {
    const receiver = this.receiver!;
    const received = receiver.receive();
    if (received < 0) {
      this.goDown(receiver.describeResult(received));
      return;
    }
    if (received === 0) return;
    this.lastReceiveNanos = this.lastPollNanos;
    const generation = this.connectionGeneration;
    const cursor = this.cursor;
    cursor.wrap(receiver.view, receiver.readOffset, receiver.unconsumedBytes);
    for (;;) {
      const step = cursor.next();
      if (step === FRAME_MESSAGE) {
        // Consumed before it is handled: a handler that throws must not see it twice.
        receiver.consume(cursor.messageOffset + cursor.messageLength);
        this.dispatch(receiver.view, cursor.messageOffset, cursor.messageLength);
        if (generation !== this.connectionGeneration) return;
      } else if (step === FRAME_END) {
        return;
      } else if (step === FRAME_ERR_SHORT_FRAME_HEADER || step === FRAME_ERR_SIZE_OVERRUN) {
        return; // the rest of the frame is still on its way
      } else {
        this.malformedFrames++;
        this.terminateAndDrop(TerminateReason.ProtocolError, `${describeFrameError(cursor)} (stream byte ${this.streamPosition(cursor.errorOffset)})`);
        return;
      }
    }
  }

  private dispatch(view: DataView, offset: number, length: number): void {
    this.messagesReceived++;
    if (length < SBE_HEADER_LENGTH) {
      this.malformedMessage(offset, `message of ${length} bytes is shorter than its ${SBE_HEADER_LENGTH}-byte SBE header`);
      return;
    }
    const blockLength = view.getUint16(offset, true);
    const templateId = view.getUint16(offset + 2, true);
    const schemaId = view.getUint16(offset + 4, true);
    const version = view.getUint16(offset + 6, true);
    if (schemaId !== SCHEMA_ID) {
      this.malformedMessage(offset, `schema id ${schemaId} is not the order entry schema (${SCHEMA_ID})`);
      return;
    }
    const body = offset + SBE_HEADER_LENGTH;
    const end = offset + length;
    switch (templateId) {
      case ExecutionReportDecoder.TEMPLATE_ID:
        if (!this.blockFits('ExecutionReport', ExecutionReportDecoder.BLOCK_LENGTH, blockLength, offset, length)) return;
        this.executionReport.wrap(view, body, blockLength, version, end);
        if (this.acceptInbound(this.executionReport.seqNum())) this.handler.onExecutionReport(this.executionReport);
        return;
      case BusinessRejectDecoder.TEMPLATE_ID:
        if (!this.blockFits('BusinessReject', BusinessRejectDecoder.BLOCK_LENGTH, blockLength, offset, length)) return;
        this.businessReject.wrap(view, body, blockLength, version, end);
        if (this.acceptInbound(this.businessReject.seqNum())) this.handler.onBusinessReject(this.businessReject);
        return;
      case SequenceDecoder.TEMPLATE_ID:
        if (!this.blockFits('Sequence', SequenceDecoder.BLOCK_LENGTH, blockLength, offset, length)) return;
        this.heartbeatsReceived++;
        this.noteInboundNextSeqNo(this.sequence.wrap(view, body, blockLength, version, end).nextSeqNo());
        return;
      case EstablishmentAckDecoder.TEMPLATE_ID:
        if (!this.blockFits('EstablishmentAck', EstablishmentAckDecoder.BLOCK_LENGTH, blockLength, offset, length)) return;
        this.onEstablishmentAck(this.establishmentAck.wrap(view, body, blockLength, version, end));
        return;
      case TerminateDecoder.TEMPLATE_ID: {
        const reason = length >= SBE_HEADER_LENGTH + TerminateDecoder.BLOCK_LENGTH ? this.terminate.wrap(view, body, blockLength, version, end).reason() : -1;
        this.goDown(`exchange terminated the session (${TerminateReasonNames[reason] ?? `reason ${reason}`})`);
        return;
      }
      default:
        this.malformedMessage(offset, `unknown template id ${templateId}`);
    }
  }

  private onEstablishmentAck(ack: EstablishmentAckDecoder): void {
    if (this.state !== SessionState.Establishing) {
      this.reportProtocolError('EstablishmentAck on an established session: ignored');
      return;
    }
    this.state = SessionState.Established;
    this.expectedInboundSeqNo = ack.nextSeqNo();
    const interval = ack.keepAliveIntervalMs();
    if (interval > 0) this.keepAliveIntervalMs = interval;
    this.backoff.reset();
    if (this.everEstablished) this.reconnects++;
    this.everEstablished = true;
    const retries = this.repeatedDownReasons === 0 ? '' : ` after ${this.repeatedDownReasons} more failed attempts`;
    this.lastLoggedDownReason = '';
    this.repeatedDownReasons = 0;
    this.options.log?.(`order session ${this.sessionId} established with ${this.host}:${this.port}${retries} (exchange received up to SeqNum ${ack.previousSeqNo()})`);
    this.handler.onEstablished(ack.previousSeqNo());
  }

  /** True when the message is the next one or after a gap (counted); false for a duplicate. */
  private acceptInbound(seqNum: number): boolean {
    const expected = this.expectedInboundSeqNo;
    if (seqNum < expected) {
      this.duplicateInboundMessages++;
      return false;
    }
    if (seqNum > expected) {
      this.inboundGaps++;
      this.missedInboundMessages += seqNum - expected;
    }
    this.expectedInboundSeqNo = seqNum + 1;
    return true;
  }

  private noteInboundNextSeqNo(nextSeqNo: number): void {
    if (nextSeqNo <= this.expectedInboundSeqNo) return;
    this.inboundGaps++;
    this.missedInboundMessages += nextSeqNo - this.expectedInboundSeqNo;
    this.expectedInboundSeqNo = nextSeqNo;
  }

  private blockFits(name: string, requiredBlockLength: number, blockLength: number, offset: number, length: number): boolean {
    if (blockLength >= requiredBlockLength && SBE_HEADER_LENGTH + blockLength <= length) return true;
    this.malformedMessage(
      offset,
      `${name} blockLength ${blockLength} in a ${length}-byte message (needs >= ${requiredBlockLength} and within the message)`,
    );
    return false;
  }

  /** Counted every time; logged the first 10 times, then at every power of two, so a flood cannot flood the log. */
  private malformedMessage(offset: number, detail: string): void {
    const count = ++this.malformedMessages;
    const message = `skipped a message from the exchange at stream byte ${this.streamPosition(offset)}: ${detail}`;
    this.lastError = message;
    if (count <= 10 || (count & (count - 1)) === 0) this.options.log?.(`order session ${this.sessionId}: ${message} (${count} skipped so far)`);
  }

  /** Byte position since the connection opened of `offset` in the receive buffer. */
  private streamPosition(offset: number): number {
    const receiver = this.receiver!;
    return receiver.bytesReceived - (receiver.writeOffset - offset);
  }

  private reportProtocolError(message: string): void {
    this.lastError = message;
    this.options.log?.(`order session ${this.sessionId}: ${message}`);
  }

  private sendEstablish(): void {
    const slot = this.pool.acquire();
    if (slot === NO_SLOT) {
      this.goDown('no free response slot for Establish');
      return;
    }
    const length = this.encoder.establish(this.pool.view, this.pool.slotOffset(slot), this.sessionId, this.keepAliveIntervalMs, this.nextSeqNo);
    if (this.enqueue(slot, length)) this.flush();
  }

  private sendHeartbeat(): void {
    const slot = this.acquireSlot();
    if (slot === NO_SLOT) return; // the queue is full, so traffic is flowing anyway
    const length = this.encoder.sequence(this.pool.view, this.pool.slotOffset(slot), this.nextSeqNo);
    if (!this.enqueue(slot, length)) return;
    this.heartbeatsSent++;
    this.lastSendNanos = this.lastPollNanos;
    this.sentSinceLastPoll = false;
    this.flush();
  }

  /** Best effort: the connection may already be unusable. */
  private sendTerminate(reason: number): void {
    const sender = this.sender;
    if (sender === null) return;
    const slot = this.pool.acquire();
    if (slot === NO_SLOT) return;
    let queued = false;
    try {
      queued = sender.enqueue(slot, 0, this.encoder.terminate(this.pool.view, this.pool.slotOffset(slot), reason));
      if (queued) sender.flush();
    } catch {
      // The socket is already gone (a failed sender releases what it had queued itself).
    }
    if (!queued) this.pool.release(slot);
  }

  /** Hands the slot to the sender (flushing once if its queue is full); releases it on failure. */
  private enqueue(slot: number, frameLength: number): boolean {
    const sender = this.sender;
    if (sender !== null && (sender.enqueue(slot, 0, frameLength) || this.enqueueAfterFlush(sender, slot, frameLength))) {
      this.sentSinceLastPoll = true;
      return true;
    }
    this.pool.release(slot);
    return false;
  }

  private enqueueAfterFlush(sender: OrderSender, slot: number, frameLength: number): boolean {
    this.flush();
    return this.sender === sender && sender.enqueue(slot, 0, frameLength);
  }

  private terminateAndDrop(reason: number, message: string): void {
    this.sendTerminate(reason);
    this.goDown(message);
  }

  /** The connection is lost: tear it down, schedule a reconnect, tell the handler. */
  private goDown(reason: string): void {
    if (this.state !== SessionState.Establishing && this.state !== SessionState.Established) return;
    this.disconnects++;
    this.closeConnection();
    this.scheduleReconnect(reason);
    this.handler.onSessionDown(reason);
  }

  private scheduleReconnect(reason: string): void {
    const delayMs = this.backoff.nextDelayMs();
    this.state = SessionState.Disconnected;
    this.lastError = reason;
    this.reconnectAtNanos = this.lastPollNanos + delayMs * NANOS_PER_MS;
    // An exchange that is not up yet fails every retry the same way: say it once, count the rest.
    if (reason === this.lastLoggedDownReason) {
      this.repeatedDownReasons++;
      return;
    }
    this.lastLoggedDownReason = reason;
    this.options.log?.(`order session ${this.sessionId} down: ${reason}; reconnecting in ${delayMs} ms, backing off`);
  }

  private closeConnection(): void {
    this.connectionGeneration++;
    const unused = this.connectedConnection;
    if (unused !== null) {
      this.connectedConnection = null;
      discardConnection(unused);
    }
    const receiver = this.receiver;
    if (receiver !== null) {
      this.bytesReceivedOnClosedConnections += receiver.bytesReceived;
      receiver.destroy();
      this.receiver = null;
    }
    const sender = this.sender;
    if (sender !== null) {
      this.bytesSentOnClosedConnections += sender.bytesSent;
      this.writevCallsOnClosedConnections += sender.writevCalls;
      sender.close();
      this.sender = null;
    }
    this.sentSinceLastPoll = false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
