/**
 * The last `capacity` distinct ids seen, for duplicate detection in bounded memory: a ring of
 * ids, oldest first, and a hash index over it, both allocated once. Adding to a full ring
 * forgets the oldest id, so the work per id is constant and the memory never grows.
 */
import { IntegerIndex } from '../order/integer-index.js';

export class RecentIds {
  private readonly ring: Float64Array;
  private readonly index: IntegerIndex;
  /** The ring position the next id is written to: the oldest id once the ring is full. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RecentIds capacity must be a positive integer: capacity=${capacity}`);
    this.ring = new Float64Array(capacity);
    this.index = IntegerIndex.forEntries(capacity);
  }

  /** Ids remembered now: at most `capacity`. */
  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.index.has(id);
  }

  /** True when `id` is not among the remembered ids; it is remembered from now on (the oldest forgotten if full). */
  add(id: number): boolean {
    if (this.index.has(id)) return false;
    // The oldest goes before the new one comes: the index never holds more than `capacity`.
    if (this.count === this.capacity) this.index.delete(this.ring[this.next]!);
    else this.count++;
    this.index.set(id, 0); // a set: only the key matters
    this.ring[this.next] = id;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    return true;
  }
}
