/**
 * A hash map from integer keys (ClOrdIDs, read from the wire as numbers) to values, that
 * allocates nothing per entry: keys in a Float64Array, values in one preallocated array, open
 * addressing with linear probing. A delete shifts the following entries of its probe run back
 * (backward-shift deletion), so there are no tombstones and lookups never slow down under the
 * steady add/delete churn of an order session, which a JS Map (rehashing away its deleted
 * entries into a new table every few operations) and a Set cannot say.
 *
 * The table doubles when it would be more than half full: that allocates, but only when the
 * number of entries reaches a new high, never in a steady state.
 */

/** Most entries per slot before the table doubles: short probe runs. */
const MAX_LOAD_FACTOR = 0.5;
const TWO_POW_32 = 4294967296;

export class NumberHashMap<T> {
  size = 0;
  private keys: Float64Array;
  private occupied: Uint8Array;
  private values: Array<T | undefined>;
  private mask: number;

  /** `initialCapacity`: slots, a power of two; holds initialCapacity x MAX_LOAD_FACTOR entries before growing. */
  constructor(initialCapacity: number) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 2 || (initialCapacity & (initialCapacity - 1)) !== 0) {
      throw new RangeError(`NumberHashMap capacity must be a power of two >= 2: capacity=${initialCapacity}`);
    }
    this.keys = new Float64Array(initialCapacity);
    this.occupied = new Uint8Array(initialCapacity);
    this.values = new Array<T | undefined>(initialCapacity).fill(undefined);
    this.mask = initialCapacity - 1;
  }

  /** Slots in the table (entries fit up to half of it before it doubles). */
  get capacity(): number {
    return this.mask + 1;
  }

  get(key: number): T | undefined {
    const slot = this.slotOf(key);
    return slot >= 0 ? this.values[slot] : undefined;
  }

  has(key: number): boolean {
    return this.slotOf(key) >= 0;
  }

  set(key: number, value: T): void {
    let slot = this.slotOf(key);
    if (slot < 0) {
      if ((this.size + 1) > this.capacity * MAX_LOAD_FACTOR) {
        this.grow();
        slot = this.slotOf(key);
      }
      slot = -slot - 1;
      this.keys[slot] = key;
      this.occupied[slot] = 1;
      this.size++;
    }
    this.values[slot] = value;
  }

  /** True when `key` was there. */
  delete(key: number): boolean {
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    this.removeAt(slot);
    this.size--;
    return true;
  }

  clear(): void {
    this.occupied.fill(0);
    this.values.fill(undefined);
    this.size = 0;
  }

  /** The slot holding `key`, or `-(the empty slot ending its probe run) - 1` when absent. */
  private slotOf(key: number): number {
    const { keys, occupied, mask } = this;
    let slot = homeSlot(key, mask);
    while (occupied[slot] === 1) {
      if (keys[slot] === key) return slot;
      slot = (slot + 1) & mask;
    }
    return -slot - 1;
  }

  /**
   * Empties `slot`, then moves back each later entry of the probe run that may live in the hole
   * (its home slot is not between the hole and where it sits), so every entry stays reachable
   * from its home slot without passing an empty one.
   */
  private removeAt(slot: number): void {
    const { keys, occupied, values, mask } = this;
    let hole = slot;
    for (let next = (slot + 1) & mask; occupied[next] === 1; next = (next + 1) & mask) {
      const distanceFromHome = (next - homeSlot(keys[next]!, mask)) & mask;
      if (distanceFromHome >= ((next - hole) & mask)) {
        keys[hole] = keys[next]!;
        values[hole] = values[next];
        hole = next;
      }
    }
    occupied[hole] = 0;
    values[hole] = undefined;
  }

  private grow(): void {
    const { keys, occupied, values } = this;
    const capacity = keys.length * 2;
    this.keys = new Float64Array(capacity);
    this.occupied = new Uint8Array(capacity);
    this.values = new Array<T | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.size = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      if (occupied[slot] === 1) this.set(keys[slot]!, values[slot] as T);
    }
  }
}

/**
 * Where `key`'s probe run starts: both 32-bit halves of the integer mixed by MurmurHash3's
 * finaliser, so sequential ClOrdIDs spread over the table rather than filling one run.
 */
function homeSlot(key: number, mask: number): number {
  let hash = (key >>> 0) ^ Math.imul((key / TWO_POW_32) >>> 0, 0x9e3779b9);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash & mask;
}
