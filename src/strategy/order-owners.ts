/**
 * Which strategy sent which order, so that execution reports and rejects reach the strategy
 * that asked. ClOrdIDs come from one counter in the order path, so a ring indexed by
 * `clOrdId mod capacity` holds the recent ones with no allocation and no hashing; the id is
 * stored beside its owner so that a slot reused by a newer order is never mistaken for an older.
 */
export const NO_OWNER = -1;

/** Orders remembered: far more than any strategy keeps working at once. */
export const DEFAULT_OWNER_CAPACITY = 1 << 16;

export class OrderOwners {
  private readonly clOrdIds: Float64Array;
  private readonly owners: Int32Array;
  private readonly mask: number;

  constructor(capacity: number = DEFAULT_OWNER_CAPACITY) {
    if (capacity <= 0 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`owner capacity must be a power of 2: capacity=${capacity}`);
    }
    this.clOrdIds = new Float64Array(capacity);
    this.owners = new Int32Array(capacity).fill(NO_OWNER);
    this.mask = capacity - 1;
  }

  assign(clOrdId: number, owner: number): void {
    const index = clOrdId % (this.mask + 1);
    this.clOrdIds[index] = clOrdId;
    this.owners[index] = owner;
  }

  /** The owner of `clOrdId`, or NO_OWNER when unknown or forgotten. */
  ownerOf(clOrdId: number): number {
    const index = clOrdId % (this.mask + 1);
    return this.clOrdIds[index] === clOrdId ? this.owners[index]! : NO_OWNER;
  }
}
