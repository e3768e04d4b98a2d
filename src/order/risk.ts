/**
 * Pre-trade risk checks: run on every new order and replace before a byte is encoded. Each
 * limit is set per instrument (securityId), falling back to the defaults; a limit of Infinity
 * (or a 0 duplicate window) switches its check off; 0 elsewhere allows nothing.
 *
 * State per instrument lives in one InstrumentRisk, created the first time the instrument is
 * traded (once, not per order), with its throttle ring and duplicate history preallocated.
 * A check allocates nothing: a denial fills the reused `denial` record with the numbers its
 * message needs, and the message is only formatted if someone reads it. Orders come in as the
 * request object and the time as a TimeSource, never as loose doubles: a price or a nanosecond
 * time passed to a call V8 does not inline is boxed on the way.
 */
import type { TimeSource } from '../io/clock.js';
import { OrderSide, RejectReason, type NewOrderRequest } from './order-request.js';

export interface RiskLimits {
  /** Largest quantity of one order. */
  maxOrderQuantity: number;
  /** Farthest a limit price may sit from the instrument's reference price, in basis points of it. */
  priceBandBps: number;
  /** Orders sent and not yet filled, cancelled or rejected. */
  maxOpenOrders: number;
  /** Largest absolute position the instrument could reach if every open order on a side filled. */
  maxPosition: number;
  /** New orders and replaces in any sliding 1 s window. */
  maxOrdersPerSecond: number;
  /** An order with the same side, price and quantity as one sent within this window is refused. 0: off. */
  duplicateWindowMs: number;
}

/** Every check off: a gateway configures the limits it wants. */
export const UNLIMITED_RISK_LIMITS: Readonly<RiskLimits> = {
  maxOrderQuantity: Infinity,
  priceBandBps: Infinity,
  maxOpenOrders: Infinity,
  maxPosition: Infinity,
  maxOrdersPerSecond: Infinity,
  duplicateWindowMs: 0,
};

export interface RiskConfig {
  /** Limits of every instrument not listed; unset fields are off. */
  defaults?: Partial<RiskLimits>;
  /** Overrides per securityId (decimal string keys, as JSON has them). */
  instruments?: Record<string, Partial<RiskLimits>>;
}

/** Returned by the checks when the order may go. */
export const RISK_ALLOWED = 0;

/** Orders remembered per instrument for the duplicate check: more than a burst needs. */
export const DUPLICATE_HISTORY_LENGTH = 32;
/** A throttle ring holds one timestamp per allowed order; above this the limit is treated as off. */
export const MAX_THROTTLE_RING_LENGTH = 1_000_000;

const NANOS_PER_SECOND = 1e9;
const NANOS_PER_MS = 1e6;
const BASIS_POINTS = 10_000;

/** The numbers behind the last denial: enough to write its message later. */
export class RiskDenial {
  reason: RejectReason | typeof RISK_ALLOWED = RISK_ALLOWED;
  securityId = 0;
  /** The offending value: a quantity, price, open order count, position, or age in ms. */
  value = 0;
  /** The limit it broke. */
  limit = 0;
  /** The reference price of a price band denial. */
  reference = 0;
}

export class InstrumentRisk {
  readonly securityId: number;
  readonly limits: Readonly<RiskLimits>;
  /** Last trade or top of book, from the gateway; NaN until the first (the band check waits for it). */
  referencePrice = NaN;
  /** Signed filled quantity (buys positive). */
  position = 0;
  openOrders = 0;
  /** Leaves quantity of open orders per side. */
  openBuyQuantity = 0;
  openSellQuantity = 0;

  /** Send times (ns) of the last maxOrdersPerSecond orders, oldest at throttleHead once full. */
  private readonly throttleRing: Float64Array;
  private throttleHead = 0;
  private throttleCount = 0;
  private readonly duplicateSides = new Uint8Array(DUPLICATE_HISTORY_LENGTH);
  private readonly duplicatePrices = new Float64Array(DUPLICATE_HISTORY_LENGTH);
  private readonly duplicateQuantities = new Float64Array(DUPLICATE_HISTORY_LENGTH);
  private readonly duplicateTimes = new Float64Array(DUPLICATE_HISTORY_LENGTH).fill(-Infinity);
  private duplicateHead = 0;
  /** Set by isDuplicate(). */
  duplicateAgeNanos = Infinity;

  constructor(securityId: number, limits: Readonly<RiskLimits>) {
    this.securityId = securityId;
    this.limits = limits;
    const perSecond = limits.maxOrdersPerSecond;
    this.throttleRing = new Float64Array(perSecond <= MAX_THROTTLE_RING_LENGTH ? perSecond : 0);
  }

  orderOpened(side: OrderSide, quantity: number): void {
    this.openOrders++;
    this.changeOpenQuantity(side, quantity);
  }

  orderClosed(side: OrderSide, leavesQuantity: number): void {
    this.openOrders--;
    // 0 - x, not -x: a filled order closes with 0 leaves, and -0 is no small integer (a 16-byte
    // heap number per order whenever V8 leaves changeOpenQuantity out of line).
    this.changeOpenQuantity(side, 0 - leavesQuantity);
  }

  filled(side: OrderSide, quantity: number): void {
    this.position += side === OrderSide.Buy ? quantity : -quantity;
    this.changeOpenQuantity(side, -quantity);
  }

  changeOpenQuantity(side: OrderSide, delta: number): void {
    if (side === OrderSide.Buy) this.openBuyQuantity += delta;
    else this.openSellQuantity += delta;
  }

  /** True when one more order now would exceed maxOrdersPerSecond in the last second. */
  isThrottled(clock: TimeSource): boolean {
    if (this.limits.maxOrdersPerSecond === 0) return true;
    const ring = this.throttleRing;
    return ring.length > 0 && this.throttleCount === ring.length && clock.nanos - ring[this.throttleHead]! < NANOS_PER_SECOND;
  }

  recordForThrottle(clock: TimeSource): void {
    const ring = this.throttleRing;
    if (ring.length === 0) return;
    ring[this.throttleHead] = clock.nanos;
    this.throttleHead = this.throttleHead + 1 === ring.length ? 0 : this.throttleHead + 1;
    if (this.throttleCount < ring.length) this.throttleCount++;
  }

  /** True when an equal order was sent within the window; its age is then in duplicateAgeNanos. */
  isDuplicate(order: NewOrderRequest, clock: TimeSource): boolean {
    const windowNanos = this.limits.duplicateWindowMs * NANOS_PER_MS;
    if (windowNanos <= 0) return false;
    const now = clock.nanos;
    let newest = Infinity;
    for (let i = 0; i < DUPLICATE_HISTORY_LENGTH; i++) {
      const age = now - this.duplicateTimes[i]!;
      if (age < windowNanos && age < newest && this.duplicateSides[i] === order.side && this.duplicateQuantities[i] === order.quantity && samePrice(this.duplicatePrices[i]!, order.price)) {
        newest = age;
      }
    }
    this.duplicateAgeNanos = newest;
    return newest !== Infinity;
  }

  recordForDuplicates(order: NewOrderRequest, clock: TimeSource): void {
    const i = this.duplicateHead;
    this.duplicateSides[i] = order.side;
    this.duplicatePrices[i] = order.price;
    this.duplicateQuantities[i] = order.quantity;
    this.duplicateTimes[i] = clock.nanos;
    this.duplicateHead = i + 1 === DUPLICATE_HISTORY_LENGTH ? 0 : i + 1;
  }
}

/** Market orders (NaN price) equal each other. */
function samePrice(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

export class RiskChecks {
  /** While engaged, every new order and replace is refused (cancels still go). */
  killSwitchEngaged = false;
  /** Details of the last denial (reused). */
  readonly denial = new RiskDenial();

  private readonly defaults: Readonly<RiskLimits>;
  private readonly overrides = new Map<number, Readonly<RiskLimits>>();
  private readonly instruments = new Map<number, InstrumentRisk>();

  constructor(config: RiskConfig = {}) {
    this.defaults = checkedLimits({ ...UNLIMITED_RISK_LIMITS, ...config.defaults }, 'defaults');
    for (const [key, limits] of Object.entries(config.instruments ?? {})) {
      const securityId = Number(key);
      if (!Number.isInteger(securityId)) throw new RangeError(`risk.instruments: key ${JSON.stringify(key)} is not a securityId`);
      this.overrides.set(securityId, checkedLimits({ ...this.defaults, ...limits }, `instruments.${key}`));
    }
  }

  /** The instrument's state, created on first use. */
  instrument(securityId: number): InstrumentRisk {
    let instrument = this.instruments.get(securityId);
    if (instrument === undefined) {
      instrument = new InstrumentRisk(securityId, this.overrides.get(securityId) ?? this.defaults);
      this.instruments.set(securityId, instrument);
    }
    return instrument;
  }

  /** The price the band is centred on: the gateway calls this on each trade or top-of-book change. */
  setReferencePrice(securityId: number, price: number): void {
    this.instrument(securityId).referencePrice = price;
  }

  /** RISK_ALLOWED, or the reason to refuse (details in `denial`). */
  checkNewOrder(instrument: InstrumentRisk, order: NewOrderRequest, clock: TimeSource): number {
    const limits = instrument.limits;
    const quantity = order.quantity;
    if (this.killSwitchEngaged) return this.deny(instrument, RejectReason.KillSwitch, 0, 0);
    if (!(quantity > 0) || quantity > limits.maxOrderQuantity) {
      return this.deny(instrument, RejectReason.MaxOrderQuantity, quantity, limits.maxOrderQuantity);
    }
    const band = this.checkPriceBand(instrument, order);
    if (band !== RISK_ALLOWED) return band;
    if (instrument.openOrders >= limits.maxOpenOrders) {
      return this.deny(instrument, RejectReason.MaxOpenOrders, instrument.openOrders, limits.maxOpenOrders);
    }
    const position = this.checkPosition(instrument, order.side, quantity);
    if (position !== RISK_ALLOWED) return position;
    if (instrument.isDuplicate(order, clock)) {
      return this.deny(instrument, RejectReason.DuplicateOrder, instrument.duplicateAgeNanos / NANOS_PER_MS, limits.duplicateWindowMs);
    }
    if (instrument.isThrottled(clock)) return this.deny(instrument, RejectReason.Throttle, 0, limits.maxOrdersPerSecond);
    return RISK_ALLOWED;
  }

  /**
   * A replace of an order on `instrument` to the price and quantity of `order`;
   * `addedQuantity` = new leaves minus current leaves.
   */
  checkReplace(instrument: InstrumentRisk, order: NewOrderRequest, addedQuantity: number, clock: TimeSource): number {
    const limits = instrument.limits;
    const quantity = order.quantity;
    if (this.killSwitchEngaged) return this.deny(instrument, RejectReason.KillSwitch, 0, 0);
    if (!(quantity > 0) || quantity > limits.maxOrderQuantity) {
      return this.deny(instrument, RejectReason.MaxOrderQuantity, quantity, limits.maxOrderQuantity);
    }
    const band = this.checkPriceBand(instrument, order);
    if (band !== RISK_ALLOWED) return band;
    if (addedQuantity > 0) {
      const position = this.checkPosition(instrument, order.side, addedQuantity);
      if (position !== RISK_ALLOWED) return position;
    }
    if (instrument.isThrottled(clock)) return this.deny(instrument, RejectReason.Throttle, 0, limits.maxOrdersPerSecond);
    return RISK_ALLOWED;
  }

  /** A new order went out: it counts for the throttle and the duplicate window. */
  recordNewOrder(instrument: InstrumentRisk, order: NewOrderRequest, clock: TimeSource): void {
    instrument.recordForThrottle(clock);
    instrument.recordForDuplicates(order, clock);
  }

  recordReplace(instrument: InstrumentRisk, clock: TimeSource): void {
    instrument.recordForThrottle(clock);
  }

  /** Market orders have no price to check; without a reference price yet, nothing to check against. */
  private checkPriceBand(instrument: InstrumentRisk, order: NewOrderRequest): number {
    const bandBps = instrument.limits.priceBandBps;
    const reference = instrument.referencePrice;
    const price = order.price;
    if (bandBps === Infinity || price !== price || reference !== reference) return RISK_ALLOWED;
    if (Math.abs(price - reference) * BASIS_POINTS <= Math.abs(reference) * bandBps) return RISK_ALLOWED;
    this.deny(instrument, RejectReason.PriceBand, price, bandBps);
    this.denial.reference = reference;
    return RejectReason.PriceBand;
  }

  /**
   * Worst case: every open order on this side fills, and so does this one. An order that brings
   * that worst case closer to flat always passes, so a breached limit can still be worked off.
   */
  private checkPosition(instrument: InstrumentRisk, side: OrderSide, quantity: number): number {
    const before = side === OrderSide.Buy ? instrument.position + instrument.openBuyQuantity : instrument.position - instrument.openSellQuantity;
    const worst = side === OrderSide.Buy ? before + quantity : before - quantity;
    const limit = instrument.limits.maxPosition;
    if (Math.abs(worst) <= limit || Math.abs(worst) < Math.abs(before)) return RISK_ALLOWED;
    return this.deny(instrument, RejectReason.MaxPosition, worst, limit);
  }

  private deny(instrument: InstrumentRisk, reason: RejectReason, value: number, limit: number): RejectReason {
    const denial = this.denial;
    denial.reason = reason;
    denial.securityId = instrument.securityId;
    denial.value = value;
    denial.limit = limit;
    denial.reference = 0;
    return reason;
  }
}

function checkedLimits(limits: RiskLimits, where: string): RiskLimits {
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`risk.${where}.${name} must be a number >= 0: ${name}=${String(value)}`);
    }
  }
  return limits;
}
