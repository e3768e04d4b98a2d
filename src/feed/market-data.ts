/**
 * What the feed handler tells the layers above it (strategies, metrics). Books and events are
 * objects owned and reused by the feed handler: valid during the call, copy what you keep.
 */

/** One side of a price-level book, best level first. Level indexes are 0-based. */
export interface BookSide {
  /** Levels currently present (0..depth). */
  readonly levelCount: number;
  /** Price in 1e-9 units (PRICE9 mantissa). */
  price(level: number): number;
  quantity(level: number): number;
  orderCount(level: number): number;
}

/** A price-level (MBP) book of one instrument, as of the last complete matching event. */
export interface Book {
  readonly securityId: number;
  /** Maximum levels per side (from the instrument's definition or the configured depth). */
  readonly depth: number;
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** Implied levels, kept apart from the outright ones as CME sends them. */
  readonly impliedBids: BookSide;
  readonly impliedAsks: BookSide;
  /** Last trade (MDIncrementalRefreshTradeSummary48), NaN / 0 before the first. */
  readonly lastTradePrice: number;
  readonly lastTradeQuantity: number;
  /** TransactTime (ns since the epoch) of the event that last changed the book. */
  readonly transactTime: number;
  /** RptSeq of the last entry applied. */
  readonly rptSeq: number;
}

/** Sent when packets are missing after the reorder window, or when the channel was reset. */
export interface GapEvent {
  /** First missing MsgSeqNum. */
  readonly fromSeqNum: number;
  /** Last missing MsgSeqNum (inclusive). */
  readonly toSeqNum: number;
  /** Packets ever lost on this channel, this gap included. */
  readonly totalLost: number;
}

/**
 * The packet being handled, for strategies that want its header and timing: the MDP3 packet's
 * MsgSeqNum and SendingTime and the kernel receive timestamp of the copy that won arbitration.
 */
export interface PacketInfo {
  readonly seqNum: number;
  /** SendingTime, ns since the epoch, as a number (exact to ~256 ns). */
  readonly sendingTime: number;
  readonly receiveTimeNanos: number;
  /** 0 = line A, 1 = line B. */
  readonly line: number;
}
