/**
 * Orders and requests the exchange has not finished answering, keyed by ClOrdID, in
 * preallocated columns (struct of arrays): a record per live ClOrdID, and an IntegerIndex
 * (integer-index.ts) from ClOrdID to record, sized so it never grows. Nothing is allocated
 * after construction.
 *
 *   index (ClOrdID -> record)     records (free list of fixed rows)
 *   +---------+---------+-----+   +------+------+------+-----+
 *   | key|rec | key|rec | ... |-->| kind | side | qty  | ... |
 *   +---------+---------+-----+   +------+------+------+-----+
 *
 * Records never move, so a record number stays valid until that record is removed.
 */
import { ABSENT, IntegerIndex } from './integer-index.js';

export const NO_RECORD = ABSENT;

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
  private readonly index: IntegerIndex;

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
    this.index = IntegerIndex.forEntries(capacity);
  }

  get isFull(): boolean {
    return this.freeCount === 0;
  }

  /** The record of `clOrdId`, or NO_RECORD. */
  find(clOrdId: number): number {
    return this.index.get(clOrdId);
  }

  /** A fresh record for a new ClOrdID (> 0, not in the table), or NO_RECORD when full. */
  insert(clOrdId: number, kind: RecordKind, strategy: number): number {
    if (this.freeCount === 0) return NO_RECORD;
    const record = this.freeRecords[--this.freeCount]!;
    this.index.set(clOrdId, record);
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
    this.index.delete(this.clOrdId[record]!);
    this.inUse[record] = 0;
    this.freeRecords[this.freeCount++] = record;
    this.size--;
  }
}
