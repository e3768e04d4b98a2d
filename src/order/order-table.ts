/**
 * Orders and requests the exchange has not finished answering, keyed by ClOrdID, in
 * preallocated columns (struct of arrays): a record per live ClOrdID, an open-addressing hash
 * index from ClOrdID to record. Nothing is allocated after construction.
 *
 *   index (power of two, >= 2x records, linear probing)   records (free list of fixed rows)
 *   +---------+---------+-----+                           +------+------+------+-----+
 *   | key|rec | key|rec | ... |  --------------------->   | kind | side | qty  | ... |
 *   +---------+---------+-----+                           +------+------+------+-----+
 *
 * Removal shifts the following probe run back (no tombstones), so lookups never degrade; records
 * never move, so a record number stays valid until that record is removed. That shift walks to
 * the end of the run, so runs must stay short. ClOrdIDs come in sequence, and `clOrdId & mask`
 * would lay the live ones out as one contiguous run: removing the oldest of n live orders would
 * then walk all n (40 us per order at 8000 live). A key's home is `2 * clOrdId & mask` instead:
 * consecutive keys take every other slot, so the slot after each is free and a removal stops
 * there, while neighbours stay in one cache line (a scattering hash costs a cache miss an order).
 */
export const NO_RECORD = -1;


export const enum RecordKind {
  /** A NewOrderSingle: pending until New, then working until filled, cancelled or rejected. */
  Order = 1,
  CancelRequest = 2,
  ReplaceRequest = 3,
}

export class OrderTable {
  readonly capacity: number;
  size = 0;

  // Record columns.
  readonly clOrdId: Float64Array;
  readonly kind: Uint8Array;
  readonly strategy: Uint16Array;
  readonly securityId: Int32Array;
  readonly side: Uint8Array;
  /** Limit price (NaN: market); for a replace request, the new one. */
  readonly price: Float64Array;
  /** Order quantity; for a replace request, the new one. */
  readonly quantity: Float64Array;
  readonly leavesQuantity: Float64Array;
  /** SeqNum of the message that carried it: decides whether the exchange got it after a drop. */
  readonly seqNum: Float64Array;
  /** The exchange answered it (New): it reached the exchange whatever the SeqNum says. */
  readonly acknowledged: Uint8Array;
  /** Order: ClOrdID of its pending cancel/replace (0: none). Request: the order it acts on. */
  readonly linkedClOrdId: Float64Array;
  readonly inUse: Uint8Array;

  private readonly freeRecords: Int32Array;
  private freeCount: number;
  private readonly indexKeys: Float64Array;
  private readonly indexRecords: Int32Array;
  private readonly indexMask: number;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new RangeError(`order table capacity must be an integer in 1..${1 << 24}: capacity=${capacity}`);
    }
    this.capacity = capacity;
    this.clOrdId = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.strategy = new Uint16Array(capacity);
    this.securityId = new Int32Array(capacity);
    this.side = new Uint8Array(capacity);
    this.price = new Float64Array(capacity);
    this.quantity = new Float64Array(capacity);
    this.leavesQuantity = new Float64Array(capacity);
    this.seqNum = new Float64Array(capacity);
    this.acknowledged = new Uint8Array(capacity);
    this.linkedClOrdId = new Float64Array(capacity);
    this.inUse = new Uint8Array(capacity);
    this.freeRecords = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.freeRecords[i] = capacity - 1 - i;
    this.freeCount = capacity;
    const indexLength = 2 ** Math.ceil(Math.log2(capacity * 2));
    this.indexKeys = new Float64Array(indexLength); // 0 = empty: ClOrdIDs start at 1
    this.indexRecords = new Int32Array(indexLength);
    this.indexMask = indexLength - 1;
  }

  get isFull(): boolean {
    return this.freeCount === 0;
  }

  /** The record of `clOrdId`, or NO_RECORD. */
  find(clOrdId: number): number {
    const keys = this.indexKeys;
    const mask = this.indexMask;
    for (let i = this.home(clOrdId); ; i = (i + 1) & mask) {
      const key = keys[i]!;
      if (key === clOrdId) return this.indexRecords[i]!;
      if (key === 0) return NO_RECORD;
    }
  }

  /** A fresh record for a new ClOrdID (> 0, not in the table), or NO_RECORD when full. */
  insert(clOrdId: number, kind: RecordKind, strategy: number): number {
    if (this.freeCount === 0) return NO_RECORD;
    const record = this.freeRecords[--this.freeCount]!;
    const keys = this.indexKeys;
    const mask = this.indexMask;
    let i = this.home(clOrdId);
    while (keys[i] !== 0) i = (i + 1) & mask;
    keys[i] = clOrdId;
    this.indexRecords[i] = record;
    this.clOrdId[record] = clOrdId;
    this.kind[record] = kind;
    this.strategy[record] = strategy;
    this.acknowledged[record] = 0;
    this.linkedClOrdId[record] = 0;
    this.inUse[record] = 1;
    this.size++;
    return record;
  }

  remove(record: number): void {
    if (this.inUse[record] !== 1) throw new RangeError(`order table: record ${record} is not in use`);
    this.unindex(this.clOrdId[record]!);
    this.inUse[record] = 0;
    this.freeRecords[this.freeCount++] = record;
    this.size--;
  }

  /** Deletes the key and shifts back every later entry of its probe run that may move. */
  private unindex(clOrdId: number): void {
    const keys = this.indexKeys;
    const records = this.indexRecords;
    const mask = this.indexMask;
    let hole = this.home(clOrdId);
    while (keys[hole] !== clOrdId) hole = (hole + 1) & mask;
    for (let i = (hole + 1) & mask; keys[i] !== 0; i = (i + 1) & mask) {
      const home = this.home(keys[i]!);
      // Moves back unless its home lies cyclically in (hole, i]: then it must stay after the hole.
      const staysPut = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (staysPut) continue;
      keys[hole] = keys[i]!;
      records[hole] = records[i]!;
      hole = i;
    }
    keys[hole] = 0;
  }

  /** The key's home slot: an even one, so that a run of consecutive keys leaves a free slot after each. */
  private home(clOrdId: number): number {
    return (clOrdId << 1) & this.indexMask;
  }
}
