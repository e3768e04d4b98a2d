/**
 * A session's working orders, found by ClOrdID, and the pool their ClientOrder objects come
 * from: an order that is done (filled, cancelled, its IOC remainder cancelled) goes back to the
 * pool and is reused by a later order, so the order path allocates nothing per order once the
 * session has held its largest number of working orders.
 *
 * A closed order keeps its fields until the next `open`: the reports about how it ended are
 * written from it after it closes. `open` is only called for a new order request, never while
 * the matching engine is running, so no report can see an order reused under it.
 */
import { ABSENT, IntegerIndex } from '../order/integer-index.js';
import { ClientOrder, type OrderOwner } from './order-book.js';

/** Working orders the index holds before it first grows. */
const INITIAL_INDEX_ENTRIES = 512;

export class WorkingOrders {
  /** ClOrdID -> the order's place in `working`. */
  private readonly byClOrdId = IntegerIndex.forEntries(INITIAL_INDEX_ENTRIES);
  /** Working orders are `working[0 .. size-1]`, each at its `workingIndex`. */
  private readonly working: ClientOrder[] = [];
  /** Closed orders ready for reuse are `spare[0 .. spareCount-1]`. */
  private readonly spare: ClientOrder[] = [];
  private spareCount = 0;
  private workingCount = 0;

  constructor(private readonly owner: OrderOwner) {}

  get size(): number {
    return this.workingCount;
  }

  /** The working order with this ClOrdID. */
  get(clOrdId: number): ClientOrder | undefined {
    const index = this.byClOrdId.get(clOrdId);
    return index === ABSENT ? undefined : this.working[index];
  }

  /** The `index`-th working order (0 <= index < size), for walking them all. */
  at(index: number): ClientOrder {
    return this.working[index]!;
  }

  /** A blank order (reset, from the pool when one is spare) working from now on under `clOrdId`. */
  open(clOrdId: number): ClientOrder {
    const order = this.spareCount > 0 ? this.spare[--this.spareCount]! : new ClientOrder(this.owner);
    order.reset();
    order.clOrdId = clOrdId;
    order.workingIndex = this.workingCount;
    // Past the end the array grows (a new high of working orders); within it, a plain store.
    if (this.workingCount === this.working.length) this.working.push(order);
    else this.working[this.workingCount] = order;
    this.workingCount++;
    this.byClOrdId.set(clOrdId, order.workingIndex);
    return order;
  }

  /** The working order is found by `clOrdId` from now on (a replace gave it a new one). */
  rename(order: ClientOrder, clOrdId: number): void {
    this.byClOrdId.delete(order.clOrdId);
    order.clOrdId = clOrdId;
    this.byClOrdId.set(clOrdId, order.workingIndex);
  }

  /** The order is done and out of the book: no longer found, back in the pool (its fields kept until the next open). */
  close(order: ClientOrder): void {
    this.byClOrdId.delete(order.clOrdId);
    const last = this.working[--this.workingCount]!;
    if (last !== order) {
      // The last working order fills the gap: its index entry follows it.
      last.workingIndex = order.workingIndex;
      this.working[order.workingIndex] = last;
      this.byClOrdId.set(last.clOrdId, last.workingIndex);
    }
    order.workingIndex = -1;
    if (this.spareCount === this.spare.length) this.spare.push(order);
    else this.spare[this.spareCount] = order;
    this.spareCount++;
  }

  /** Closes every working order. */
  closeAll(): void {
    while (this.workingCount > 0) this.close(this.working[this.workingCount - 1]!);
  }
}
