/**
 * Writes an MDP 3.0 snapshot cycle: one packet per instrument, each holding one
 * SnapshotFullRefresh52 with the instrument's book (bids then offers, up to the depth) as the
 * incremental feed has shown it up to `lastMsgSeqNumProcessed`. This is what a late joiner
 * or a receiver recovering from a gap reads from CME's snapshot channel.
 */
import { MDP3_MSG_SEQ_NUM_OFFSET, MDP3_MSG_SIZE_LENGTH, MDP3_MSG_SIZE_OFFSET, MDP3_PACKET_HEADER_LENGTH, MDP3_SENDING_TIME_OFFSET } from '../feed/framing/mdp3.js';
import { MDEntryType, MessageHeaderEncoder, PRICENULL9Encoder, SecurityTradingStatus, SnapshotFullRefresh52Encoder } from '../generated/mdp3/index.js';
import { setUint64FromNumber } from '../sbe/runtime/index.js';
import type { InstrumentBook } from '../sim/matching-engine.js';
import type { BookSide } from '../sim/order-book.js';

/** LocalMktDate and uint8 nulls: the simulated market has no trade date or settlement. */
const NO_DATE = 65535;
const NO_FLAG = 255;

export class SnapshotCycleWriter {
  private readonly header = new MessageHeaderEncoder();
  private readonly snapshot = new SnapshotFullRefresh52Encoder();

  /**
   * Writes the snapshot packet of `book` at `offset` (room up to `limit`): MsgSeqNum `seqNum`
   * on the snapshot channel, `reportCount` instruments in the cycle. Returns the packet length.
   */
  writePacket(
    view: DataView,
    offset: number,
    limit: number,
    seqNum: number,
    sendingTimeNanos: number,
    book: InstrumentBook,
    depth: number,
    rptSeq: number,
    reportCount: number,
    lastMsgSeqNumProcessed: number,
  ): number {
    view.setUint32(offset + MDP3_MSG_SEQ_NUM_OFFSET, seqNum, true);
    setUint64FromNumber(view, offset + MDP3_SENDING_TIME_OFFSET, sendingTimeNanos, true);
    const messageOffset = offset + MDP3_PACKET_HEADER_LENGTH + MDP3_MSG_SIZE_LENGTH;
    const encoder = this.snapshot.wrapAndApplyHeader(view, messageOffset, this.header, limit);
    encoder
      .lastMsgSeqNumProcessed(lastMsgSeqNumProcessed)
      .totNumReports(reportCount)
      .securityID(book.securityId)
      .rptSeq(rptSeq)
      .transactTime(sendingTimeNanos)
      .lastUpdateTime(sendingTimeNanos)
      .tradeDate(NO_DATE)
      .mDSecurityTradingStatus(SecurityTradingStatus.ReadyToTrade);
    encoder.highLimitPrice().mantissa(PRICENULL9Encoder.mantissaNullValue);
    encoder.lowLimitPrice().mantissa(PRICENULL9Encoder.mantissaNullValue);
    encoder.maxPriceVariation().mantissa(PRICENULL9Encoder.mantissaNullValue);
    const bids = Math.min(depth, book.bids.count);
    const offers = Math.min(depth, book.asks.count);
    const entries = encoder.noMDEntriesCount(bids + offers);
    writeSide(entries, book.bids, bids, book.spec.tickSize, MDEntryType.Bid);
    writeSide(entries, book.asks, offers, book.spec.tickSize, MDEntryType.Offer);
    const msgSize = MDP3_MSG_SIZE_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    view.setUint16(offset + MDP3_PACKET_HEADER_LENGTH + MDP3_MSG_SIZE_OFFSET, msgSize, true);
    return MDP3_PACKET_HEADER_LENGTH + msgSize;
  }
}

type SnapshotEntries = ReturnType<SnapshotFullRefresh52Encoder['noMDEntriesCount']>;

function writeSide(entries: SnapshotEntries, side: BookSide, count: number, tickSize: number, entryType: number): void {
  for (let index = 0; index < count; index++) {
    const level = side.levels[index]!;
    entries.next();
    entries.mDEntryPx().mantissa(level.priceTicks * tickSize);
    entries
      .mDEntrySize(level.totalQty)
      .numberOfOrders(level.orderCount)
      .mDPriceLevel(index + 1)
      .tradingReferenceDate(NO_DATE)
      .openCloseSettlFlag(NO_FLAG)
      .mDEntryType(entryType);
    entries.settlPriceType().clear();
  }
}
