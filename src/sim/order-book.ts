/**
 * One side of one instrument's price-time order book, as the simulated exchange holds it.
 *
 * A price level carries two kinds of liquidity:
 * - synthetic quantity: the simulated market's own resting interest (what the feed publishes when
 *   nobody trades with the simulator), one number per level;
 * - client orders: the orders sessions sent, in a FIFO (time priority).
 * Synthetic quantity is treated as having arrived first, so at a level it fills before client
 * orders; a client order fills once the level's synthetic quantity is gone, which is what "the
 * market trades through it" means.
 *
 * Levels live in one array per side, best first, with a fixed capacity and a free list: a
 * level is never allocated after start. Prices are integer ticks.
 */

/** Order side, with the values of the order entry `Side` and of MDP3's `AggressorSide`. */
export const BUY = 1;
export const SELL = 2;
export type OrderSideValue = typeof BUY | typeof SELL;

/** Synthetic quantity is shown as orders of about this size (NumberOfOrders on the feed). */
const SYNTHETIC_ORDER_SIZE = 10;

/** Told about every fill of one of its orders, passive or aggressive, as it happens. */
export interface OrderOwner {
  onOrderFill(order: ClientOrder, priceTicks: number, quantity: number): void;
}

export class ClientOrder {
  /** Exchange-assigned, unique for the simulator's lifetime. */
  orderId = 0;
  clOrdId = 0;
  securityId = 0;
  side: OrderSideValue = BUY;
  /** Limit price in ticks; NaN for a market order. */
  priceTicks = Number.NaN;
  /** The instrument's tick in PRICE9 units, to turn ticks back into wire prices. */
  tickSize = 0;
  orderQty = 0;
  cumQty = 0;
  /** Immediate-or-cancel (and every market order): what does not fill at once is cancelled. */
  immediateOrCancel = false;
  /** The level it rests on; null when not in the book (new, done or cancelled). */
  level: PriceLevel | null = null;
  next: ClientOrder | null = null;
  previous: ClientOrder | null = null;
  /** Its place among its session's working orders (working-orders.ts); -1 when not working. */
  workingIndex = -1;

  constructor(readonly owner: OrderOwner) {}

  /** Ready for reuse as a new order: nothing filled, in no book, no longer working. */
  reset(): void {
    this.orderId = 0;
    this.clOrdId = 0;
    this.securityId = 0;
    this.side = BUY;
    this.priceTicks = Number.NaN;
    this.tickSize = 0;
    this.orderQty = 0;
    this.cumQty = 0;
    this.immediateOrCancel = false;
    this.level = null;
    this.next = null;
    this.previous = null;
    this.workingIndex = -1;
  }

  get leavesQty(): number {
    return this.orderQty - this.cumQty;
  }

  get isMarket(): boolean {
    return Number.isNaN(this.priceTicks);
  }
}

export class PriceLevel {
  priceTicks = 0;
  syntheticQty = 0;
  /** Sum of the leaves quantity of the client orders queued here. */
  clientQty = 0;
  clientOrderCount = 0;
  head: ClientOrder | null = null;
  tail: ClientOrder | null = null;

  get totalQty(): number {
    return this.syntheticQty + this.clientQty;
  }

  get orderCount(): number {
    return Math.ceil(this.syntheticQty / SYNTHETIC_ORDER_SIZE) + this.clientOrderCount;
  }

  get isEmpty(): boolean {
    return this.syntheticQty === 0 && this.clientOrderCount === 0;
  }

  reset(priceTicks: number): void {
    this.priceTicks = priceTicks;
    this.syntheticQty = 0;
    this.clientQty = 0;
    this.clientOrderCount = 0;
    this.head = null;
    this.tail = null;
  }

  append(order: ClientOrder): void {
    order.level = this;
    order.previous = this.tail;
    order.next = null;
    if (this.tail === null) this.head = order;
    else this.tail.next = order;
    this.tail = order;
    this.clientQty += order.leavesQty;
    this.clientOrderCount++;
  }

  /** Takes the order out of the queue; its remaining quantity leaves the level with it. */
  unlink(order: ClientOrder): void {
    if (order.previous === null) this.head = order.next;
    else order.previous.next = order.next;
    if (order.next === null) this.tail = order.previous;
    else order.next.previous = order.previous;
    this.clientQty -= order.leavesQty;
    this.clientOrderCount--;
    order.level = null;
    order.next = null;
    order.previous = null;
  }
}

export class BookSide {
  /** Levels in use are `levels[0 .. count-1]`, best first. */
  readonly levels: PriceLevel[];
  count = 0;
  private readonly spare: PriceLevel[] = [];

  constructor(
    readonly side: OrderSideValue,
    readonly capacity: number,
  ) {
    this.levels = new Array<PriceLevel>(capacity);
    for (let index = 0; index < capacity; index++) this.spare.push(new PriceLevel());
  }

  /** True when price `a` ranks before price `b` on this side (higher bid, lower ask). */
  isBetter(a: number, b: number): boolean {
    return this.side === BUY ? a > b : a < b;
  }

  get isFull(): boolean {
    return this.count === this.capacity;
  }

  /** The index of the level at `priceTicks`, or `-(insertion index) - 1` when there is none. */
  indexOf(priceTicks: number): number {
    const levels = this.levels;
    for (let index = 0; index < this.count; index++) {
      const levelPrice = levels[index]!.priceTicks;
      if (levelPrice === priceTicks) return index;
      if (this.isBetter(priceTicks, levelPrice)) return -index - 1;
    }
    return -this.count - 1;
  }

  /** The level at `priceTicks`, created when missing; null when the side is full. */
  levelAt(priceTicks: number): PriceLevel | null {
    const found = this.indexOf(priceTicks);
    if (found >= 0) return this.levels[found]!;
    if (this.isFull) return null;
    const insertAt = -found - 1;
    const levels = this.levels;
    for (let index = this.count; index > insertAt; index--) levels[index] = levels[index - 1]!;
    const level = this.spare.pop()!;
    level.reset(priceTicks);
    levels[insertAt] = level;
    this.count++;
    return level;
  }

  /**
   * Level `index` (0 <= index <= count) made a fresh, empty level at `priceTicks`, for a side no
   * client order rests on being rewritten best first (the caller knows the order): the level
   * already there is reused, past the end a spare one is appended. No search, no shifting. Null
   * when the side is full. `truncate` then drops what the rewrite did not reach.
   */
  rewriteAt(index: number, priceTicks: number): PriceLevel | null {
    if (index === this.count) {
      if (this.isFull) return null;
      this.levels[this.count++] = this.spare.pop()!;
    }
    const level = this.levels[index]!;
    level.reset(priceTicks);
    return level;
  }

  /** Keeps the first `count` levels; the rest go back to the spares. Only for a side no client order rests on. */
  truncate(count: number): void {
    while (this.count > count) this.spare.push(this.levels[--this.count]!);
  }

  /** True when a client order rests at some level. */
  get hasClientOrders(): boolean {
    for (let index = 0; index < this.count; index++) if (this.levels[index]!.clientOrderCount > 0) return true;
    return false;
  }

  removeAt(index: number): void {
    const levels = this.levels;
    this.spare.push(levels[index]!);
    for (let at = index; at < this.count - 1; at++) levels[at] = levels[at + 1]!;
    this.count--;
  }

  /** Removes the level if nothing rests on it any more. */
  removeIfEmpty(level: PriceLevel): void {
    if (!level.isEmpty) return;
    const index = this.indexOf(level.priceTicks);
    if (index >= 0) this.removeAt(index);
  }
}
