/**
 * Writes MDP 3.0 packets (layout: src/feed/framing/mdp3.ts): the packet header, then messages
 * each behind its MsgSize, encoded in place by the generated encoders. One writer, reused for
 * every packet; nothing is allocated per packet or per message.
 *
 * 64-bit values (times in ns, price mantissas) are never passed as arguments: they are far
 * beyond a small integer, and V8 boxes such a number (a heap allocation) at every call that is
 * not inlined, which depends on its inlining budget. So the event's time is read from the clock
 * once per event into a Float64Array, prices are read from the entry batch's Float64Array, and
 * `putInt64` writes both from the array, not through the generated setters' number arguments.
 */
import {
  ChannelReset4Encoder,
  MDIncrementalRefreshBook46Encoder,
  MDIncrementalRefreshBook46NoMDEntriesEncoder,
  MDIncrementalRefreshBook46NoOrderIDEntriesEncoder,
  MDIncrementalRefreshTradeSummary48Encoder,
  MDIncrementalRefreshTradeSummary48NoMDEntriesEncoder,
  MDIncrementalRefreshTradeSummary48NoOrderIDEntriesEncoder,
  MessageHeaderEncoder,
  SecurityStatus30Encoder,
  SnapshotFullRefresh52Encoder,
  SnapshotFullRefresh52NoMDEntriesEncoder,
} from '../generated/mdp3/index.js';
import {
  MDP3_MSG_SEQ_NUM_OFFSET,
  MDP3_MSG_SIZE_LENGTH,
  MDP3_MSG_SIZE_OFFSET,
  MDP3_PACKET_HEADER_LENGTH,
  MDP3_SENDING_TIME_OFFSET,
} from '../feed/framing/mdp3.js';
import { TWO_POW_32 } from '../sbe/runtime/index.js';
import type { EntryBatch } from './entry-batch.js';
import type { InstrumentSpec } from './instruments.js';

/**
 * Datagram payload limit: 1500-byte Ethernet MTU minus IPv4 (20) and UDP (8) headers, less a
 * margin for VLAN tags and tunnels; CME keeps its packets under the same kind of bound.
 */
export const MAX_MDP3_PACKET_LENGTH = 1420;
/** A group's NumInGroup is a uint8 whose 255 is reserved: 254 entries per message at most. */
const MAX_GROUP_ENTRIES = 254;
const MESSAGE_HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

// Bytes a message takes before its first entry, and per entry (its empty order-id group included).
const BOOK_MESSAGE_FIXED_LENGTH =
  MDP3_MSG_SIZE_LENGTH +
  MESSAGE_HEADER_LENGTH +
  MDIncrementalRefreshBook46Encoder.BLOCK_LENGTH +
  MDIncrementalRefreshBook46NoMDEntriesEncoder.HEADER_SIZE +
  MDIncrementalRefreshBook46NoOrderIDEntriesEncoder.HEADER_SIZE;
const BOOK_ENTRY_LENGTH = MDIncrementalRefreshBook46NoMDEntriesEncoder.BLOCK_LENGTH;
const TRADE_MESSAGE_FIXED_LENGTH =
  MDP3_MSG_SIZE_LENGTH +
  MESSAGE_HEADER_LENGTH +
  MDIncrementalRefreshTradeSummary48Encoder.BLOCK_LENGTH +
  MDIncrementalRefreshTradeSummary48NoMDEntriesEncoder.HEADER_SIZE +
  MDIncrementalRefreshTradeSummary48NoOrderIDEntriesEncoder.HEADER_SIZE;
const TRADE_ENTRY_LENGTH = MDIncrementalRefreshTradeSummary48NoMDEntriesEncoder.BLOCK_LENGTH;

const SNAPSHOT_MESSAGE_FIXED_LENGTH =
  MDP3_MSG_SIZE_LENGTH + MESSAGE_HEADER_LENGTH + SnapshotFullRefresh52Encoder.BLOCK_LENGTH + SnapshotFullRefresh52NoMDEntriesEncoder.HEADER_SIZE;
const SNAPSHOT_ENTRY_LENGTH = SnapshotFullRefresh52NoMDEntriesEncoder.BLOCK_LENGTH;

// MatchEventIndicator bits (schemas/mdp3.xml).
export const LAST_TRADE_MSG = 1 << 0;
export const LAST_QUOTE_MSG = 1 << 2;
export const END_OF_EVENT = 1 << 7;

/** SecurityStatus30's SecurityTradingStatus for an open market. */
const READY_TO_TRADE = 17;
/** SecurityStatus30's SecurityTradingEvent: nothing special. */
const NO_EVENT = 0;
/** LocalMktDate null: the simulator has no trade date. */
const NO_TRADE_DATE = 65535;
/** PRICENULL9's null mantissa: the simulator has no price limits. */
const NO_PRICE = 9223372036854775807;
/** OpenCloseSettlFlag null. */
const NO_SETTLE_FLAG = 255;

export class Mdp3PacketWriter {
  /** [0]: the current event's time, ns since the epoch. */
  private readonly eventTime = new Float64Array(1);
  private view: DataView = new DataView(new ArrayBuffer(0));
  private packetOffset = 0;
  private position = 0;
  private limit = 0;
  private readonly header = new MessageHeaderEncoder();
  private readonly channelReset = new ChannelReset4Encoder();
  private readonly securityStatus = new SecurityStatus30Encoder();
  private readonly bookRefresh = new MDIncrementalRefreshBook46Encoder();
  private readonly tradeSummary = new MDIncrementalRefreshTradeSummary48Encoder();
  private readonly snapshotRefresh = new SnapshotFullRefresh52Encoder();

  /** @param clock ns since the epoch: SendingTime and TransactTime */
  constructor(private readonly clock: () => number) {}

  /** Reads the clock: the packets and messages written from now on carry this time. */
  startEvent(): void {
    this.eventTime[0] = this.clock();
  }

  /** Starts a packet at `packetOffset`; it may use `MAX_MDP3_PACKET_LENGTH` bytes from there. */
  begin(view: DataView, packetOffset: number, seqNum: number): void {
    this.view = view;
    this.packetOffset = packetOffset;
    this.limit = packetOffset + MAX_MDP3_PACKET_LENGTH;
    view.setUint32(packetOffset + MDP3_MSG_SEQ_NUM_OFFSET, seqNum, true);
    putInt64(view, packetOffset + MDP3_SENDING_TIME_OFFSET, this.eventTime, 0);
    this.position = packetOffset + MDP3_PACKET_HEADER_LENGTH;
  }

  /** Bytes written so far, packet header included. */
  get length(): number {
    return this.position - this.packetOffset;
  }

  get isEmpty(): boolean {
    return this.position === this.packetOffset + MDP3_PACKET_HEADER_LENGTH;
  }

  bookEntriesThatFit(): number {
    return this.entriesThatFit(BOOK_MESSAGE_FIXED_LENGTH, BOOK_ENTRY_LENGTH);
  }

  tradeEntriesThatFit(): number {
    return this.entriesThatFit(TRADE_MESSAGE_FIXED_LENGTH, TRADE_ENTRY_LENGTH);
  }

  snapshotEntriesThatFit(): number {
    return this.entriesThatFit(SNAPSHOT_MESSAGE_FIXED_LENGTH, SNAPSHOT_ENTRY_LENGTH);
  }

  writeChannelReset(applId: number): void {
    const encoder = this.channelReset.wrapAndApplyHeader(this.view, this.messageOffset(), this.header, this.limit);
    putInt64(this.view, encoder.offset + ChannelReset4Encoder.transactTimeEncodingOffset, this.eventTime, 0);
    encoder.matchEventIndicator().rawValue(END_OF_EVENT);
    encoder.noMDEntriesCount(1).next().applID(applId);
    this.endMessage(encoder.encodedLength());
  }

  writeSecurityStatus(instrument: InstrumentSpec, matchEventIndicator: number): void {
    const encoder = this.securityStatus.wrapAndApplyHeader(this.view, this.messageOffset(), this.header, this.limit);
    putInt64(this.view, encoder.offset + SecurityStatus30Encoder.transactTimeEncodingOffset, this.eventTime, 0);
    encoder
      .securityGroupFromString(instrument.asset)
      .assetFromString(instrument.asset)
      .securityID(instrument.securityId)
      .tradeDate(NO_TRADE_DATE)
      .matchEventIndicator()
      .rawValue(matchEventIndicator);
    encoder.securityTradingStatus(READY_TO_TRADE).haltReason(0).securityTradingEvent(NO_EVENT);
    this.endMessage(encoder.encodedLength());
  }

  /** One MDIncrementalRefreshBook46 with entries `from .. from+count-1` of the batch. */
  writeBookEntries(batch: EntryBatch, from: number, count: number, matchEventIndicator: number): void {
    const encoder = this.bookRefresh.wrapAndApplyHeader(this.view, this.messageOffset(), this.header, this.limit);
    putInt64(this.view, encoder.offset + MDIncrementalRefreshBook46Encoder.transactTimeEncodingOffset, this.eventTime, 0);
    encoder.matchEventIndicator().rawValue(matchEventIndicator);
    const entries = encoder.noMDEntriesCount(count);
    for (let index = from; index < from + count; index++) {
      entries.next();
      putInt64(this.view, entries.offset + MDIncrementalRefreshBook46NoMDEntriesEncoder.mDEntryPxEncodingOffset, batch.priceMantissa, index);
      entries
        .mDEntrySize(batch.quantity[index]!)
        .securityID(batch.securityId[index]!)
        .rptSeq(batch.rptSeq[index]!)
        .numberOfOrders(batch.orderCount[index]!)
        .mDPriceLevel(batch.levelOrAggressor[index]!)
        .mDUpdateAction(batch.updateAction[index]!)
        .mDEntryType(batch.entryType[index]!);
    }
    encoder.noOrderIDEntriesCount(0);
    this.endMessage(encoder.encodedLength());
  }

  /** One MDIncrementalRefreshTradeSummary48 with entries `from .. from+count-1` of the batch. */
  writeTrades(batch: EntryBatch, from: number, count: number, firstTradeEntryId: number, matchEventIndicator: number): void {
    const encoder = this.tradeSummary.wrapAndApplyHeader(this.view, this.messageOffset(), this.header, this.limit);
    putInt64(this.view, encoder.offset + MDIncrementalRefreshTradeSummary48Encoder.transactTimeEncodingOffset, this.eventTime, 0);
    encoder.matchEventIndicator().rawValue(matchEventIndicator);
    const entries = encoder.noMDEntriesCount(count);
    for (let index = from; index < from + count; index++) {
      entries.next();
      putInt64(this.view, entries.offset + MDIncrementalRefreshTradeSummary48NoMDEntriesEncoder.mDEntryPxEncodingOffset, batch.priceMantissa, index);
      entries
        .mDEntrySize(batch.quantity[index]!)
        .securityID(batch.securityId[index]!)
        .rptSeq(batch.rptSeq[index]!)
        .numberOfOrders(batch.orderCount[index]!)
        .aggressorSide(batch.levelOrAggressor[index]!)
        .mDUpdateAction(batch.updateAction[index]!)
        .mDTradeEntryID(firstTradeEntryId + index - from);
    }
    encoder.noOrderIDEntriesCount(0);
    this.endMessage(encoder.encodedLength());
  }

  /**
   * One SnapshotFullRefresh52: an instrument's whole book (entries `from .. from+count-1`, from
   * PublishedBook.snapshot) as of incremental packet `lastMsgSeqNumProcessed` and RptSeq `rptSeq`.
   */
  writeSnapshot(batch: EntryBatch, from: number, count: number, securityId: number, rptSeq: number, lastMsgSeqNumProcessed: number, totNumReports: number): void {
    const encoder = this.snapshotRefresh.wrapAndApplyHeader(this.view, this.messageOffset(), this.header, this.limit);
    encoder
      .lastMsgSeqNumProcessed(lastMsgSeqNumProcessed)
      .totNumReports(totNumReports)
      .securityID(securityId)
      .rptSeq(rptSeq)
      .tradeDate(NO_TRADE_DATE)
      .mDSecurityTradingStatus(READY_TO_TRADE);
    putInt64(this.view, encoder.offset + SnapshotFullRefresh52Encoder.transactTimeEncodingOffset, this.eventTime, 0);
    putInt64(this.view, encoder.offset + SnapshotFullRefresh52Encoder.lastUpdateTimeEncodingOffset, this.eventTime, 0);
    encoder.highLimitPrice().mantissa(NO_PRICE);
    encoder.lowLimitPrice().mantissa(NO_PRICE);
    encoder.maxPriceVariation().mantissa(NO_PRICE);
    const entries = encoder.noMDEntriesCount(count);
    for (let index = from; index < from + count; index++) {
      entries.next();
      putInt64(this.view, entries.offset + SnapshotFullRefresh52NoMDEntriesEncoder.mDEntryPxEncodingOffset, batch.priceMantissa, index);
      entries
        .mDEntrySize(batch.quantity[index]!)
        .numberOfOrders(batch.orderCount[index]!)
        .mDPriceLevel(batch.levelOrAggressor[index]!)
        .tradingReferenceDate(NO_TRADE_DATE)
        .openCloseSettlFlag(NO_SETTLE_FLAG)
        .settlPriceType()
        .clear();
      entries.mDEntryType(batch.entryType[index]!);
    }
    this.endMessage(encoder.encodedLength());
  }

  private entriesThatFit(fixedLength: number, entryLength: number): number {
    const room = this.limit - this.position - fixedLength;
    return room < entryLength ? 0 : Math.min(MAX_GROUP_ENTRIES, Math.floor(room / entryLength));
  }

  /** Where the next message's SBE header goes: after its MsgSize. */
  private messageOffset(): number {
    return this.position + MDP3_MSG_SIZE_LENGTH;
  }

  /** Writes the MsgSize of the message just encoded (`bodyLength` bytes after its header) and moves past it. */
  private endMessage(bodyLength: number): void {
    const msgSize = MDP3_MSG_SIZE_LENGTH + MESSAGE_HEADER_LENGTH + bodyLength;
    this.view.setUint16(this.position + MDP3_MSG_SIZE_OFFSET, msgSize, true);
    this.position += msgSize;
  }
}

/**
 * Writes `source[index]`, a non-negative integer below 2^63 (exact below 2^53), as a little-endian
 * 64-bit integer at `offset`. Takes the array, not the value: see the file comment.
 */
function putInt64(view: DataView, offset: number, source: Float64Array, index: number): void {
  const value = source[index]!;
  const high = Math.floor(value / TWO_POW_32);
  view.setUint32(offset, value - high * TWO_POW_32, true);
  view.setUint32(offset + 4, high, true);
}
