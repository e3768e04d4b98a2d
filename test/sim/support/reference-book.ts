/**
 * A tiny, obviously-correct MBP book for the tests: applies MDIncrementalRefreshBook46 entries
 * with CME's level semantics (New inserts at MDPriceLevel and pushes the rest down, Delete
 * removes and pulls up, Change replaces) and checks each entry names the price it should.
 */
export interface ReferenceLevel {
  price: number;
  size: number;
  orders: number;
}

export class ReferenceBook {
  readonly bids: ReferenceLevel[] = [];
  readonly asks: ReferenceLevel[] = [];

  constructor(readonly depth: number) {}

  apply(entry: Record<string, any>): void {
    const side = entry.MDEntryType === 'Bid' ? this.bids : this.asks;
    const index = entry.MDPriceLevel - 1;
    const level = { price: entry.MDEntryPx.mantissa, size: entry.MDEntrySize, orders: entry.NumberOfOrders };
    if (index < 0 || index >= this.depth) throw new Error(`MDPriceLevel ${entry.MDPriceLevel} outside 1..${this.depth}`);
    switch (entry.MDUpdateAction) {
      case 'New':
        if (index > side.length) throw new Error(`New at level ${index + 1} of a side with ${side.length} levels`);
        side.splice(index, 0, level);
        side.length = Math.min(side.length, this.depth);
        break;
      case 'Change':
        if (side[index]?.price !== level.price) throw new Error(`Change at level ${index + 1} names price ${level.price}, book has ${side[index]?.price}`);
        side[index] = level;
        break;
      case 'Delete':
        if (side[index]?.price !== level.price) throw new Error(`Delete at level ${index + 1} names price ${level.price}, book has ${side[index]?.price}`);
        side.splice(index, 1);
        break;
      default:
        throw new Error(`unexpected MDUpdateAction ${entry.MDUpdateAction}`);
    }
  }

  /** Sides sorted (bids descending, asks ascending) and not crossed. */
  isConsistent(): boolean {
    for (let index = 1; index < this.bids.length; index++) if (!(this.bids[index - 1]!.price > this.bids[index]!.price)) return false;
    for (let index = 1; index < this.asks.length; index++) if (!(this.asks[index - 1]!.price < this.asks[index]!.price)) return false;
    return this.bids.length === 0 || this.asks.length === 0 || this.bids[0]!.price < this.asks[0]!.price;
  }
}

/** Applies every Book46 entry of a packet's messages to the books by SecurityID; calls `onEndOfEvent` after each event. */
export function applyPacket(
  books: Map<number, ReferenceBook>,
  messages: Array<{ name: string; fields: Record<string, any> }>,
  onEndOfEvent: () => void,
): void {
  for (const message of messages) {
    if (message.name === 'MDIncrementalRefreshBook46') {
      for (const entry of message.fields.NoMDEntries) books.get(entry.SecurityID)!.apply(entry);
    }
    if ((message.fields.MatchEventIndicator as string[]).includes('EndOfEvent')) onEndOfEvent();
  }
}
