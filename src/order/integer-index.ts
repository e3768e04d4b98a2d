/**
 * A hash index from integer keys (ClOrdIDs, read from the wire as numbers, exact below 2^53) to
 * small non-negative integers (a record, a position in an array), in typed arrays: nothing is
 * allocated per entry. The gateway's order table and the simulator's order session both find
 * orders by ClOrdID through it.
 *
 *   keys   (Float64Array, NaN = empty)    +-----+-----+-----+-----+
 *   values (Int32Array, the same slots)   | k|v |     | k|v |     |  ...
 *                                         +-----+-----+-----+-----+
 *
 * Open addressing with linear probing. A delete shifts the later entries of its probe run back
 * (backward-shift deletion): no tombstones, so lookups never slow down under the add/delete
 * churn of an order flow, which a JS Map (rehashing its deleted entries away into a new table
 * every few operations) cannot say. That shift walks to the end of the run, so runs must stay
 * short. ClOrdIDs mostly come in sequence, and `key & mask` would lay n live ones out as one
 * contiguous run: removing the oldest would walk all n (40 us per order at 8000 live). A key's
 * home is `2 * key & mask` instead: consecutive keys take every other slot, so the slot after
 * each is free and a delete stops there, while neighbours share a cache line (a scattering hash
 * costs a cache miss a lookup).
 *
 * The table doubles when it would be more than half full: that allocates, but only when the
 * number of entries reaches a new high, never in a steady state. Sized for its most entries
 * (`forEntries`), it never grows.
 */

/** get()'s answer for a key that is not there. */
export const ABSENT = -1;

/** Most entries per slot before the table doubles: short probe runs. */
const MAX_LOAD_FACTOR = 0.5;
/** The key of an empty slot: unequal to every key, itself included. */
const EMPTY = Number.NaN;

export class IntegerIndex {
  size = 0;
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;

  /** An index that holds `entries` without growing. */
  static forEntries(entries: number): IntegerIndex {
    return new IntegerIndex(2 ** Math.ceil(Math.log2(Math.max(1, entries) / MAX_LOAD_FACTOR)));
  }

  /** `capacity`: slots, a power of two >= 2; it holds capacity x MAX_LOAD_FACTOR entries before it doubles. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`index capacity must be a power of two >= 2: capacity=${capacity}`);
    }
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Slots in the table (entries fit up to half of it before it doubles). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** The value of `key`, or ABSENT. */
  get(key: number): number {
    const slot = this.slotOf(key);
    return slot >= 0 ? this.values[slot]! : ABSENT;
  }

  has(key: number): boolean {
    return this.slotOf(key) >= 0;
  }

  /** Maps `key` to `value` (an integer in 0..2^31-1), replacing what it mapped to. */
  set(key: number, value: number): void {
    let slot = this.slotOf(key);
    if (slot < 0) {
      if (this.size + 1 > this.capacity * MAX_LOAD_FACTOR) {
        this.grow();
        slot = this.slotOf(key);
      }
      slot = ~slot;
      this.keys[slot] = key;
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
    this.keys.fill(EMPTY);
    this.size = 0;
  }

  /** The slot holding `key`, or `~(the empty slot ending its probe run)` (negative) when absent: `~` gives no -0 for slot 0. */
  private slotOf(key: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let slot = (key << 1) & mask; ; slot = (slot + 1) & mask) {
      const found = keys[slot]!;
      if (found === key) return slot;
      if (found !== found) return ~slot; // EMPTY
    }
  }

  /**
   * Empties `slot`, then moves back each later entry of the probe run that may live in the hole
   * (it sits at least as far from its home as from the hole), so every entry stays reachable
   * from its home without passing an empty slot.
   */
  private removeAt(slot: number): void {
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    let hole = slot;
    for (let next = (slot + 1) & mask; keys[next] === keys[next]; next = (next + 1) & mask) {
      const distanceFromHome = (next - (keys[next]! << 1)) & mask;
      if (distanceFromHome >= ((next - hole) & mask)) {
        keys[hole] = keys[next]!;
        values[hole] = values[next]!;
        hole = next;
      }
    }
    keys[hole] = EMPTY;
  }

  /** Doubles the table, every entry in its new slot. */
  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldKeys.length * 2;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let old = 0; old < oldKeys.length; old++) {
      const key = oldKeys[old]!;
      if (key !== key) continue; // EMPTY
      const slot = ~this.slotOf(key);
      this.keys[slot] = key;
      this.values[slot] = oldValues[old]!;
    }
  }
}
