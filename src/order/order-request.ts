/**
 * What a strategy asks for. Prices are integers in units of 1e-9 (the MDP3 PRICE9 mantissa, as
 * on the wire: 4500.25 is 4_500_250_000_000), so no float rounding ever reaches the exchange.
 *
 * Requests are plain objects the strategy may reuse: fill one preallocated request and pass it
 * on every call to keep the hot path free of allocation. The order path copies what it needs
 * into the encoded message before returning.
 */
export const enum OrderSide {
  Buy = 1,
  Sell = 2,
}

export const enum OrderTimeInForce {
  Day = 0,
  GoodTillCancel = 1,
  ImmediateOrCancel = 3,
}

export interface NewOrderRequest {
  securityId: number;
  side: OrderSide;
  /** Limit price in 1e-9 units; NaN for a market order. */
  price: number;
  quantity: number;
  timeInForce?: OrderTimeInForce;
}

/** Why the gateway refused an order before sending it (or the exchange rejected it). */
export const enum RejectReason {
  MaxOrderQuantity = 1,
  PriceBand = 2,
  MaxOpenOrders = 3,
  MaxPosition = 4,
  Throttle = 5,
  DuplicateOrder = 6,
  KillSwitch = 7,
  SessionDown = 8,
  UnknownOrder = 9,
  QueueFull = 10,
  ExchangeReject = 11,
  /** A cancel or replace of an order whose previous cancel/replace is not answered yet. */
  RequestPending = 12,
}

/** The strategy's handle on the order path: `ctx.orders`. */
export interface OrderEntry {
  /**
   * Risk-checks, encodes and queues a NewOrderSingle. Returns the ClOrdID (> 0), or 0 when the
   * order was refused; the refusal also reaches the strategy's `onReject` with its reason.
   */
  newOrder(request: NewOrderRequest): number;
  /** Cancels a working order by its ClOrdID. Returns the cancel's ClOrdID, or 0 when refused. */
  cancel(clOrdId: number): number;
  /** Replaces price and quantity of a working order. Returns the new ClOrdID, or 0 when refused. */
  replace(clOrdId: number, price: number, quantity: number): number;
  /** Orders sent and not yet filled, cancelled or rejected. */
  readonly openOrderCount: number;
  /** Signed filled quantity per security (buys positive). */
  position(securityId: number): number;
}

/** Handed to `onReject`: one object reused for every reject (copy what you keep). */
export interface OrderReject {
  clOrdId: number;
  securityId: number;
  reason: RejectReason;
  /** Human-readable detail, e.g. `quantity 500 > max 100 for security 12345`. */
  text: string;
}
