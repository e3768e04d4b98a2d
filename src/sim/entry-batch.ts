/**
 * Market data entries of one event, staged in columns before they are encoded: the publisher
 * must know how many entries a message carries before it writes the group header, and an event
 * may need more than one message (or packet) to carry them all. Preallocated; reused per event.
 */
export class EntryBatch {
  count = 0;
  readonly securityId: Int32Array;
  /** PRICE9 mantissa (price in 1e-9 units). */
  readonly priceMantissa: Float64Array;
  readonly quantity: Int32Array;
  readonly orderCount: Int32Array;
  readonly rptSeq: Uint32Array;
  /** Book entries: MDPriceLevel (1-based). Trade entries: AggressorSide. */
  readonly levelOrAggressor: Uint8Array;
  readonly updateAction: Uint8Array;
  /** Book entries: MDEntryType (Bid/Offer). Unused for trades. */
  readonly entryType: Uint8Array;

  constructor(readonly capacity: number) {
    this.securityId = new Int32Array(capacity);
    this.priceMantissa = new Float64Array(capacity);
    this.quantity = new Int32Array(capacity);
    this.orderCount = new Int32Array(capacity);
    this.rptSeq = new Uint32Array(capacity);
    this.levelOrAggressor = new Uint8Array(capacity);
    this.updateAction = new Uint8Array(capacity);
    this.entryType = new Uint8Array(capacity);
  }

  /** Appends an entry priced `priceTicks` ticks of `tickSize`; false when the batch is full. */
  add(
    securityId: number,
    priceTicks: number,
    tickSize: number,
    quantity: number,
    orderCount: number,
    rptSeq: number,
    levelOrAggressor: number,
    updateAction: number,
    entryType: number,
  ): boolean {
    const index = this.count;
    if (index === this.capacity) return false;
    this.securityId[index] = securityId;
    // Multiplied here, not by the caller: a mantissa is beyond a small integer, and V8 boxes such
    // a number at every call it is passed to that is not inlined.
    this.priceMantissa[index] = priceTicks * tickSize;
    this.quantity[index] = quantity;
    this.orderCount[index] = orderCount;
    this.rptSeq[index] = rptSeq;
    this.levelOrAggressor[index] = levelOrAggressor;
    this.updateAction[index] = updateAction;
    this.entryType[index] = entryType;
    this.count = index + 1;
    return true;
  }

  clear(): void {
    this.count = 0;
  }
}
