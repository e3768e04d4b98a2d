/**
 * Hash tables keyed by integers (ClOrdIDs, read from the wire as numbers) that allocate nothing
 * per entry: keys in one Float64Array, NaN marking an empty slot, open addressing with linear
 * probing. A delete shifts the following entries of its probe run back (backward-shift
 * deletion), so there are no tombstones and lookups never slow down under the steady add/delete
 * churn of an order session, which a JS Map (rehashing away its deleted entries into a new table
 * every few operations) and a Set cannot say.
 *
 * NumberHashSet holds keys only, so a lookup touches one cache line of one array; NumberHashMap
 * adds a value per slot, moved along with its key.
 *
 * A table doubles when it would be more than half full: that allocates, but only when the
 * number of entries reaches a new high, never in a steady state.
 */

/** Most entries per slot before the table doubles: short probe runs. */
const MAX_LOAD_FACTOR = 0.5;
/** The key of an empty slot: never a ClOrdID, and unequal to every key, itself included. */
const EMPTY = Number.NaN;
const TWO_POW_32 = 4294967296;

export class NumberHashSet {
  size = 0;
  protected keys: Float64Array;
  private mask: number;

  /** `initialCapacity`: slots, a power of two; holds initialCapacity x MAX_LOAD_FACTOR entries before growing. */
  constructor(initialCapacity: number) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 2 || (initialCapacity & (initialCapacity - 1)) !== 0) {
      throw new RangeError(`hash table capacity must be a power of two >= 2: capacity=${initialCapacity}`);
    }
    this.keys = new Float64Array(initialCapacity).fill(EMPTY);
    this.mask = initialCapacity - 1;
  }

  /** Slots in the table (entries fit up to half of it before it doubles). */
  get capacity(): number {
    return this.mask + 1;
  }

  has(key: number): boolean {
    return this.slotOf(key) >= 0;
  }

  /** True when `key` was not there (it is now). */
  add(key: number): boolean {
    if (this.slotOf(key) >= 0) return false;
    this.insert(key);
    return true;
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
  protected slotOf(key: number): number {
    const { keys, mask } = this;
    for (let slot = homeSlot(key, mask); ; slot = (slot + 1) & mask) {
      const found = keys[slot]!;
      if (found === key) return slot;
      if (found !== found) return ~slot; // EMPTY
    }
  }

  /** Puts an absent `key` in and returns its slot, doubling the table first when it would be more than half full. */
  protected insert(key: number): number {
    if (this.size + 1 > this.capacity * MAX_LOAD_FACTOR) this.grow();
    const slot = ~this.slotOf(key);
    this.keys[slot] = key;
    this.size++;
    return slot;
  }

  /** A delete moved the entry in slot `from` back to slot `to` (a subclass moves what it keeps per slot). */
  protected moved(_from: number, _to: number): void {}

  /** A delete left slot `slot` empty. */
  protected emptied(_slot: number): void {}

  /** Doubles the table, every key in its new slot. */
  protected grow(): void {
    const old = this.keys;
    const capacity = old.length * 2;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let slot = 0; slot < old.length; slot++) {
      const key = old[slot]!;
      if (key === key) this.keys[~this.slotOf(key)] = key; // not EMPTY
    }
  }

  /**
   * Empties `slot`, then moves back each later entry of the probe run that may live in the hole
   * (its home slot is not between the hole and where it sits), so every entry stays reachable
   * from its home slot without passing an empty one.
   */
  private removeAt(slot: number): void {
    const { keys, mask } = this;
    let hole = slot;
    for (let next = (slot + 1) & mask; keys[next] === keys[next]; next = (next + 1) & mask) {
      const distanceFromHome = (next - homeSlot(keys[next]!, mask)) & mask;
      if (distanceFromHome >= ((next - hole) & mask)) {
        keys[hole] = keys[next]!;
        this.moved(next, hole);
        hole = next;
      }
    }
    keys[hole] = EMPTY;
    this.emptied(hole);
  }
}

export class NumberHashMap<T> extends NumberHashSet {
  private values: Array<T | undefined>;

  constructor(initialCapacity: number) {
    super(initialCapacity);
    this.values = new Array<T | undefined>(initialCapacity).fill(undefined);
  }

  get(key: number): T | undefined {
    const slot = this.slotOf(key);
    return slot >= 0 ? this.values[slot] : undefined;
  }

  set(key: number, value: T): void {
    const found = this.slotOf(key);
    const slot = found >= 0 ? found : this.insert(key); // may grow: values is read after
    this.values[slot] = value;
  }

  override clear(): void {
    super.clear();
    this.values.fill(undefined);
  }

  protected override moved(from: number, to: number): void {
    this.values[to] = this.values[from];
  }

  protected override emptied(slot: number): void {
    this.values[slot] = undefined;
  }

  /** The keys move first; each value then follows its key to its new slot. */
  protected override grow(): void {
    const keys = this.keys;
    const values = this.values;
    super.grow();
    this.values = new Array<T | undefined>(this.capacity).fill(undefined);
    for (let slot = 0; slot < keys.length; slot++) {
      const key = keys[slot]!;
      if (key === key) this.values[this.slotOf(key)] = values[slot]; // not EMPTY
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
