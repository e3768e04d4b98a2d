/**
 * The MDP 3.0 handler: takes each datagram in place (after sequencing), reads the packet header,
 * splits the messages by MsgSize, keeps the books, and hands every message to the listener as
 * the generated decoder of its template, wrapped over the receive buffer.
 *
 * Each datagram goes through two passes. The first checks everything without acting on
 * anything: framing, SBE header, schema id, block length, and every group against the message's
 * end (the decoder's own sbeSkip). Only a datagram that passes is dispatched, so bad input
 * never leaves a book half-updated or a strategy with half a packet. A bad datagram is counted
 * under one reason (FeedCounters), logged at most once per reason per second, and skipped. The
 * exception is a template the schema does not have: that message alone is skipped (counted as
 * unknownTemplate), since real channels carry templates a reduced schema may leave out.
 *
 * A message of a template the listener does not handle (MarketDataListener.handlesMessage) is
 * checked, counted and applied to the books like any other, but no decoder is wrapped for it.
 *
 * Hot path: no allocation per datagram or message; the decoders, the cursor, the PacketInfo
 * and the books are made once.
 */
import { MessageHeaderDecoder } from '../generated/mdp3/index.js';
import { BookBuilder, type BookListener, type BookOptions } from './book-builder.js';
import type { DatagramHandler, ReceiveTime } from './datagram.js';
import { FeedCounters, type BadInputReason } from './feed-counters.js';
import {
  FRAME_ERR_SHORT_PACKET,
  FRAME_ERR_SIZE_OVERRUN,
  FRAME_MESSAGE,
  describeFrameError,
  type FrameCursor,
  type FrameResult,
} from './framing/framing.js';
import { createMdp3Cursor, mdp3MsgSeqNum, mdp3SendingTime } from './framing/mdp3.js';
import type { Book, GapEvent, PacketInfo } from './market-data.js';
import { projectTemplateTable, type MessageDecoder, type TemplateTable } from './mdp3-codecs.js';
import { RateLimitedLog, type FeedLogger } from './rate-limited-log.js';
import type { GapListener } from './sequencer.js';

/** What the feed tells the layers above it; the gateway's strategy host implements it. */
export interface MarketDataListener extends BookListener {
  /**
   * Whether onMessage wants messages of `templateId`: asked once per template of the schema when
   * the handler is made. A template answered false is never wrapped nor handed on (its books are
   * kept all the same). Left out: every message is handed on.
   */
  handlesMessage?(templateId: number): boolean;
  /** Every message of a good datagram that it handles, in order; `message` is valid during the call only. */
  onMessage(templateId: number, message: MessageDecoder, packet: PacketInfo): void;
  /** Once per instrument per matching event that changed its book (after the event's last message). */
  onBook(book: Book, packet: PacketInfo): void;
  /** Packets lost for good (after the reorder window). */
  onGap(gap: GapEvent): void;
  /** ChannelReset4: every book of the channel has been emptied. */
  onChannelReset(packet: PacketInfo): void;
}

export interface Mdp3HandlerOptions {
  listener: MarketDataListener;
  /** Decoders to dispatch to. Default: the project's schemas/mdp3.xml (see loadTemplateTable for others). */
  templates?: TemplateTable;
  /** Default: new counters sized for the templates. */
  counters?: FeedCounters;
  /** Where bad input is reported. Default: console. */
  logger?: FeedLogger;
  /** Milliseconds, for the log's rate limit. Default performance.now. */
  clockMs?: () => number;
  books?: BookOptions;
}

/**
 * The packet being handled; one object, rewritten for each datagram. SendingTime is read from
 * the packet header only when asked for: as a number beyond 2^31 it would be a heap number, an
 * allocation per packet that nobody may read.
 */
class CurrentPacket implements PacketInfo {
  seqNum = 0;
  receiveTimeNanos = 0;
  line = 0;
  view: DataView = new DataView(new ArrayBuffer(0));
  offset = 0;

  get sendingTime(): number {
    return mdp3SendingTime(this.view, this.offset);
  }
}

const HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
const BLOCK_LENGTH_OFFSET = MessageHeaderDecoder.blockLengthEncodingOffset;
const TEMPLATE_ID_OFFSET = MessageHeaderDecoder.templateIdEncodingOffset;
const SCHEMA_ID_OFFSET = MessageHeaderDecoder.schemaIdEncodingOffset;
const VERSION_OFFSET = MessageHeaderDecoder.versionEncodingOffset;
/** MatchEventIndicator bit 7: the last message of a matching event. */
const END_OF_EVENT_BIT = 0x80;

/** What the handler does with a template besides handing it to the listener: named by the project's template ids. */
const BOOK_ROLE_NONE = 0;
const BOOK_ROLE_CHANNEL_RESET = 4;
const BOOK_ROLE_REFRESH = 46;
const BOOK_ROLE_TRADE_SUMMARY = 48;
const BOOK_ROLE_SNAPSHOT = 52;

/** Results of checking one message in the first pass. */
const MESSAGE_OK = 0;
const MESSAGE_BAD = -1;

export class Mdp3Handler implements DatagramHandler, GapListener {
  readonly counters: FeedCounters;
  readonly books: BookBuilder;
  readonly templates: TemplateTable;
  private readonly listener: MarketDataListener;
  private readonly log: RateLimitedLog;
  private readonly cursor: FrameCursor = createMdp3Cursor();
  private readonly packet = new CurrentPacket();
  private readonly decoders: Array<MessageDecoder | undefined>;
  /** By templateId: 1 where the listener handles the template's messages. */
  private readonly handledTemplates: Uint8Array;
  private readonly blockLengths: Int32Array;
  private readonly matchEventIndicatorOffsets: Int32Array;
  private readonly bookRoles: Uint8Array;
  private readonly schemaId: number;
  private readonly schemaVersion: number;
  /** First-pass verdict details, for the log line. */
  private badReason: BadInputReason = 'decodeError';
  private badOffset = 0;
  private badDetail = '';

  constructor(options: Mdp3HandlerOptions) {
    const templates = options.templates ?? projectTemplateTable();
    this.templates = templates;
    this.listener = options.listener;
    this.counters = options.counters ?? new FeedCounters(templates.templateIdLimit);
    this.books = new BookBuilder(this.counters, options.books);
    this.log = new RateLimitedLog(options.logger ?? console, options.clockMs);
    this.decoders = templates.decoders;
    this.blockLengths = templates.blockLengths;
    this.matchEventIndicatorOffsets = templates.matchEventIndicatorOffsets;
    this.schemaId = templates.schemaId;
    this.schemaVersion = templates.schemaVersion;
    this.handledTemplates = handledTemplates(this.listener, templates);
    this.bookRoles = new Uint8Array(templates.templateIdLimit);
    for (const templateId of templates.bookTemplates) this.bookRoles[templateId] = templateId;
    for (const name of templates.bookTemplatesLaidOutOtherwise()) {
      (options.logger ?? console).warn(`books: ${name} in ${templates.origin} is laid out unlike schemas/mdp3.xml; no book is built from it`);
    }
  }

  /** The book of an instrument, or undefined before its first update. */
  book(securityId: number): Book | undefined {
    return this.books.book(securityId);
  }

  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    this.counters.packets++;
    if (!this.isWellFormed(view, offset, length)) {
      this.reportBadDatagram(view, offset, length, line);
      return;
    }
    const packet = this.packet;
    packet.seqNum = mdp3MsgSeqNum(view, offset);
    packet.view = view;
    packet.offset = offset;
    packet.receiveTimeNanos = received.nanos;
    packet.line = line;
    const cursor = this.cursor;
    cursor.wrap(view, offset, length);
    try {
      while (cursor.next() === FRAME_MESSAGE) this.dispatch(view, cursor.messageOffset, cursor.messageLength);
    } catch (error) {
      this.reportListenerError(error);
    }
  }

  /** From the sequencer: packets lost for good. */
  onGap(gap: GapEvent): void {
    this.listener.onGap(gap);
  }

  // --- first pass: check, act on nothing ----------------------------------------------------

  private isWellFormed(view: DataView, offset: number, length: number): boolean {
    const cursor = this.cursor;
    let result: FrameResult = cursor.wrap(view, offset, length);
    if (result < 0) return this.badFrame(result);
    while ((result = cursor.next()) === FRAME_MESSAGE) {
      if (this.checkMessage(view, cursor.messageOffset, cursor.messageLength) !== MESSAGE_OK) return false;
    }
    return result < 0 ? this.badFrame(result) : true;
  }

  private checkMessage(view: DataView, messageOffset: number, messageLength: number): number {
    if (messageLength < HEADER_LENGTH) return this.bad('truncatedMessage', messageOffset, '');
    const schemaId = view.getUint16(messageOffset + SCHEMA_ID_OFFSET, true);
    if (schemaId !== this.schemaId) return this.bad('wrongSchemaId', messageOffset, '');
    const templateId = view.getUint16(messageOffset + TEMPLATE_ID_OFFSET, true);
    const decoder = templateId < this.decoders.length ? this.decoders[templateId] : undefined;
    if (decoder === undefined) return MESSAGE_OK; // skipped alone in the second pass
    const blockLength = view.getUint16(messageOffset + BLOCK_LENGTH_OFFSET, true);
    const version = view.getUint16(messageOffset + VERSION_OFFSET, true);
    if (version >= this.schemaVersion && blockLength < this.blockLengths[templateId]!) {
      return this.bad('shortBlockLength', messageOffset, '');
    }
    try {
      decoder.wrap(view, messageOffset + HEADER_LENGTH, blockLength, version, messageOffset + messageLength).sbeSkip();
    } catch (error) {
      return this.bad('decodeError', messageOffset, error instanceof Error ? error.message : String(error));
    }
    return MESSAGE_OK;
  }

  private badFrame(result: FrameResult): false {
    const reason: BadInputReason =
      result === FRAME_ERR_SHORT_PACKET ? 'truncatedDatagram' : result === FRAME_ERR_SIZE_OVERRUN ? 'msgSizePastEnd' : 'truncatedMessage';
    this.bad(reason, this.cursor.errorOffset, '');
    return false;
  }

  private bad(reason: BadInputReason, offset: number, detail: string): number {
    this.badReason = reason;
    this.badOffset = offset;
    this.badDetail = detail;
    return MESSAGE_BAD;
  }

  // --- second pass: act ---------------------------------------------------------------------

  private dispatch(view: DataView, messageOffset: number, messageLength: number): void {
    const templateId = view.getUint16(messageOffset + TEMPLATE_ID_OFFSET, true);
    const decoder = templateId < this.decoders.length ? this.decoders[templateId] : undefined;
    const counters = this.counters;
    if (decoder === undefined) {
      counters.unknownTemplate++;
      if (this.log.shouldLog('unknownTemplate')) {
        this.log.write('unknownTemplate', `templateId ${templateId} is not in ${this.templates.origin}; message skipped (${this.where(messageOffset)})`);
      }
      return;
    }
    const blockOffset = messageOffset + HEADER_LENGTH;
    const blockLength = view.getUint16(messageOffset + BLOCK_LENGTH_OFFSET, true);
    const version = view.getUint16(messageOffset + VERSION_OFFSET, true);
    const end = messageOffset + messageLength;
    counters.messages++;
    counters.messagesByTemplate[templateId]++;
    this.updateBooks(this.bookRoles[templateId]!, view, blockOffset, blockLength, version, end);
    if (this.handledTemplates[templateId] !== 0) {
      this.listener.onMessage(templateId, decoder.wrap(view, blockOffset, blockLength, version, end), this.packet);
    }
    const indicatorOffset = this.matchEventIndicatorOffsets[templateId]!;
    if (indicatorOffset >= 0 && indicatorOffset < blockLength && (view.getUint8(blockOffset + indicatorOffset) & END_OF_EVENT_BIT) !== 0) {
      counters.events++;
      this.books.publishEvent(this.listener, this.packet);
    }
  }

  private updateBooks(role: number, view: DataView, blockOffset: number, blockLength: number, version: number, end: number): void {
    switch (role) {
      case BOOK_ROLE_NONE:
        return;
      case BOOK_ROLE_REFRESH:
        this.books.applyBookRefresh(view, blockOffset, blockLength, version, end);
        return;
      case BOOK_ROLE_TRADE_SUMMARY:
        this.books.applyTradeSummary(view, blockOffset, blockLength, version, end);
        return;
      case BOOK_ROLE_SNAPSHOT:
        // A snapshot is a whole book on its own, outside any matching event: report it at once.
        this.books.applySnapshot(view, blockOffset, blockLength, version, end);
        this.books.publishEvent(this.listener, this.packet);
        return;
      case BOOK_ROLE_CHANNEL_RESET:
        this.counters.channelResets++;
        this.books.resetAll();
        this.listener.onChannelReset(this.packet);
        return;
    }
  }

  // --- reporting (cold) ---------------------------------------------------------------------

  private reportBadDatagram(view: DataView, offset: number, length: number, line: number): void {
    const reason = this.badReason;
    this.counters[reason]++;
    if (!this.log.shouldLog(reason)) return;
    const seq = length >= 4 ? ` seq ${mdp3MsgSeqNum(view, offset)}` : '';
    const where = `line ${line === 0 ? 'A' : 'B'}${seq}, ${length} bytes, at byte ${this.badOffset - offset}`;
    this.log.write(reason, `datagram skipped (${where}): ${this.describeBadInput(view)}`);
  }

  private describeBadInput(view: DataView): string {
    if (this.cursor.errorCode < 0) return describeFrameError(this.cursor);
    const messageOffset = this.badOffset;
    switch (this.badReason) {
      case 'truncatedMessage':
        return `MsgSize leaves fewer bytes than the ${HEADER_LENGTH}-byte SBE message header`;
      case 'wrongSchemaId':
        return `${describeHeader(view, messageOffset)}; ${this.templates.origin} has schemaId ${this.schemaId}`;
      case 'shortBlockLength': {
        const templateId = view.getUint16(messageOffset + TEMPLATE_ID_OFFSET, true);
        return `${describeHeader(view, messageOffset)}; ${this.templates.names[templateId]} has blockLength ${this.blockLengths[templateId]} in ${this.templates.origin}`;
      }
      default:
        return `${describeHeader(view, messageOffset)}: ${this.badDetail}`;
    }
  }

  private reportListenerError(error: unknown): void {
    this.counters.listenerError++;
    if (this.log.shouldLog('listenerError')) {
      this.log.write('listenerError', `the market data listener threw; rest of packet ${this.packet.seqNum} skipped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private where(messageOffset: number): string {
    return `seq ${this.packet.seqNum}, SBE header at byte ${messageOffset - this.cursor.packetOffset}`;
  }
}

/** By templateId, 1 where the listener handles the template: every template of the schema when it does not say. */
function handledTemplates(listener: MarketDataListener, templates: TemplateTable): Uint8Array {
  const handled = new Uint8Array(templates.templateIdLimit);
  templates.decoders.forEach((decoder, templateId) => {
    if (decoder !== undefined && (listener.handlesMessage === undefined || listener.handlesMessage(templateId))) handled[templateId] = 1;
  });
  return handled;
}

function describeHeader(view: DataView, messageOffset: number): string {
  return (
    `SBE header blockLength ${view.getUint16(messageOffset + BLOCK_LENGTH_OFFSET, true)}, ` +
    `templateId ${view.getUint16(messageOffset + TEMPLATE_ID_OFFSET, true)}, ` +
    `schemaId ${view.getUint16(messageOffset + SCHEMA_ID_OFFSET, true)}, ` +
    `version ${view.getUint16(messageOffset + VERSION_OFFSET, true)}`
  );
}
