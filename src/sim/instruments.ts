/**
 * The instruments the simulator lists. Prices are counted in ticks inside the simulator and
 * become PRICE9 mantissas (1e-9 units) only on the wire: `priceTicks * tickSize`.
 */
export interface InstrumentSpec {
  securityId: number;
  /** Asset code (up to 6 ASCII characters), also used as the SecurityGroup. */
  asset: string;
  /** One tick in PRICE9 units (0.25 => 250_000_000). */
  tickSize: number;
  /** Best bid at the start, in ticks; the best ask starts one tick above. */
  initialBidTicks: number;
}

/** At most this many instruments: the defaults below name them. */
export const MAX_DEFAULT_INSTRUMENTS = 8;
const FIRST_SECURITY_ID = 10001;

const DEFAULT_LISTING: ReadonlyArray<{ asset: string; tickSize: number; price: number }> = [
  { asset: 'ES', tickSize: 250_000_000, price: 4500 },
  { asset: 'NQ', tickSize: 250_000_000, price: 15500 },
  { asset: 'YM', tickSize: 1_000_000_000, price: 35000 },
  { asset: 'RTY', tickSize: 100_000_000, price: 1800 },
  { asset: 'CL', tickSize: 10_000_000, price: 75 },
  { asset: 'GC', tickSize: 100_000_000, price: 1950 },
  { asset: 'ZN', tickSize: 15_625_000, price: 110 },
  { asset: '6E', tickSize: 50_000, price: 1.085 },
];

/** The first `count` default instruments, security ids 10001, 10002, ... */
export function defaultInstruments(count: number): InstrumentSpec[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEFAULT_INSTRUMENTS) {
    throw new RangeError(`instrument count must be 1-${MAX_DEFAULT_INSTRUMENTS}: count=${count}`);
  }
  return DEFAULT_LISTING.slice(0, count).map((listing, index) => ({
    securityId: FIRST_SECURITY_ID + index,
    asset: listing.asset,
    tickSize: listing.tickSize,
    initialBidTicks: Math.round((listing.price * 1e9) / listing.tickSize),
  }));
}
