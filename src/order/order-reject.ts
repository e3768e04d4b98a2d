/**
 * The OrderReject handed to a strategy: one object, reused for every reject. It keeps numbers
 * only; `text` is written when read, so a burst of rejects (a throttle storm) allocates nothing
 * unless someone looks at the messages.
 */
import { OrdRejReasonNames } from '../generated/order-entry/index.js';
import { RejectReason, type OrderReject } from './order-request.js';

/** Names for counters and logs, indexed by RejectReason. */
export const REJECT_REASON_NAMES: readonly string[] = [
  'none',
  'maxOrderQuantity',
  'priceBand',
  'maxOpenOrders',
  'maxPosition',
  'throttle',
  'duplicateOrder',
  'killSwitch',
  'sessionDown',
  'unknownOrder',
  'queueFull',
  'exchangeReject',
  'requestPending',
];

export const REJECT_REASON_COUNT = REJECT_REASON_NAMES.length;

export class OrderRejectEvent implements OrderReject {
  clOrdId = 0;
  securityId = 0;
  reason: RejectReason = RejectReason.ExchangeReject;
  /** The offending number (quantity, price, count, position, age ms, SeqNum, OrdRejReason). */
  value = 0;
  /** The limit it broke (or the exchange's PreviousSeqNo for a lost order). */
  limit = 0;
  /** Reference price of a price band reject. */
  reference = 0;
  /** The exchange's own words (BusinessReject Text), when it gave some. */
  exchangeText = '';

  /** Fills every field but exchangeText (cleared). */
  set(clOrdId: number, securityId: number, reason: RejectReason, value: number, limit: number, reference: number): this {
    this.clOrdId = clOrdId;
    this.securityId = securityId;
    this.reason = reason;
    this.value = value;
    this.limit = limit;
    this.reference = reference;
    this.exchangeText = '';
    return this;
  }

  get text(): string {
    const security = `for security ${this.securityId}`;
    switch (this.reason) {
      case RejectReason.MaxOrderQuantity:
        return `quantity ${this.value} > max ${this.limit} ${security}`;
      case RejectReason.PriceBand:
        return `price ${formatPrice(this.value)} is more than ${this.limit} bps from the reference ${formatPrice(this.reference)} ${security}`;
      case RejectReason.MaxOpenOrders:
        return `${this.value} open orders: max ${this.limit} ${security}`;
      case RejectReason.MaxPosition:
        return `position could reach ${this.value}: max ${this.limit} ${security}`;
      case RejectReason.Throttle:
        return `more than ${this.limit} orders in one second ${security}`;
      case RejectReason.DuplicateOrder:
        return `same side, price and quantity as an order ${this.value.toFixed(3)} ms ago (window ${this.limit} ms) ${security}`;
      case RejectReason.KillSwitch:
        return 'kill switch engaged: no new orders';
      case RejectReason.SessionDown:
        return this.value > 0
          ? `not received by the exchange before the connection dropped (SeqNum ${this.value} > PreviousSeqNo ${this.limit})`
          : 'exchange session down';
      case RejectReason.UnknownOrder:
        return `no working order with ClOrdID ${this.value} for this strategy`;
      case RejectReason.QueueFull:
        return `send queue full (${this.limit} messages waiting for the kernel)`;
      case RejectReason.RequestPending:
        return `order ${this.value} already has a cancel/replace in flight (ClOrdID ${this.limit})`;
      case RejectReason.ExchangeReject:
        return this.exchangeText !== ''
          ? `exchange rejected: ${this.exchangeText}`
          : `exchange rejected: ${OrdRejReasonNames[this.value] ?? `OrdRejReason ${this.value}`}`;
      default:
        return `rejected (reason ${this.reason})`;
    }
  }
}

/** 1e-9 units to a decimal string: 4500250000000 -> "4500.25". */
export function formatPrice(price: number): string {
  return String(price / 1e9);
}
