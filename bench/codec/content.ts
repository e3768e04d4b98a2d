/**
 * The content every codec encodes and decodes: one MDP3 MDIncrementalRefreshBook46 with four
 * NoMDEntries entries, and the reference Car (values of ../shared/peer/sbe-golden/README.md).
 *
 * Each message is a plain object, the form JSON, msgpackr and protobufjs encode from and the
 * source the flyweight encoders copy their fields from. Enums, chars and sets travel as their
 * small-integer codes in every format (the cheapest representation for each); SBE constants
 * (maxRpm, fuel, discountedModel, the price exponent) are not on any wire and are left out.
 *
 * Every decoder reads every field and adds it into a checksum (`book46Checksum`, `carChecksum`
 * compute the expected one from the object), so equal checksums show the decoders read the same
 * values. Every value is an integer or a float32 and the sums stay far below 2^53, so the double
 * sum is exact in any order. A string or char array counts as its length plus its first
 * character code.
 *
 * The checksum fold: a decoder returns `(sum * 1024) | 0`, an int32 (the sum's bits from 2^-10
 * up, modulo 2^32), not the double itself. A double returned from a function V8 does not inline
 * into its caller is boxed into a new heap number on every call: an allocation of the
 * benchmark's plumbing, which would hide whether the codec itself allocates.
 */

/** TransactTime is a uint64 of nanoseconds since the epoch; checksums subtract this base so small fields stay visible. */
export const TRANSACT_TIME_BASE_NS = 1_764_086_400_000_000_000;

export interface Book46Entry {
  mdEntryPx: number;
  mdEntrySize: number;
  securityId: number;
  rptSeq: number;
  numberOfOrders: number;
  mdPriceLevel: number;
  mdUpdateAction: number;
  mdEntryType: number;
}

export interface Book46 {
  transactTime: number;
  matchEventIndicator: number;
  noMDEntries: Book46Entry[];
}

const CHAR_BID = 0x30; // '0'
const CHAR_OFFER = 0x31; // '1'
const ACTION_CHANGE = 1;
/** LastQuoteMsg (bit 2) | EndOfEvent (bit 7). */
const LAST_QUOTE_END_OF_EVENT = 0x84;
const ES_SECURITY_ID = 42_140_878;

function priceMantissa(price: number): number {
  return Math.round(price * 1e9);
}

export const book46: Book46 = {
  // A double: the nearest to 1_764_086_400_123_456_789, as every number accessor returns it.
  transactTime: 1_764_086_400_123_456_789,
  matchEventIndicator: LAST_QUOTE_END_OF_EVENT,
  noMDEntries: [
    { mdEntryPx: priceMantissa(6_812.25), mdEntrySize: 41, securityId: ES_SECURITY_ID, rptSeq: 9_120_301, numberOfOrders: 17, mdPriceLevel: 1, mdUpdateAction: ACTION_CHANGE, mdEntryType: CHAR_BID },
    { mdEntryPx: priceMantissa(6_812.0), mdEntrySize: 112, securityId: ES_SECURITY_ID, rptSeq: 9_120_302, numberOfOrders: 38, mdPriceLevel: 2, mdUpdateAction: ACTION_CHANGE, mdEntryType: CHAR_BID },
    { mdEntryPx: priceMantissa(6_812.5), mdEntrySize: 25, securityId: ES_SECURITY_ID, rptSeq: 9_120_303, numberOfOrders: 9, mdPriceLevel: 1, mdUpdateAction: ACTION_CHANGE, mdEntryType: CHAR_OFFER },
    { mdEntryPx: priceMantissa(6_812.75), mdEntrySize: 96, securityId: ES_SECURITY_ID, rptSeq: 9_120_304, numberOfOrders: 31, mdPriceLevel: 2, mdUpdateAction: ACTION_CHANGE, mdEntryType: CHAR_OFFER },
  ],
};

/** Self-contained (no outside names) so that `monomorphicCopy` can clone it for each format. */
export function book46Checksum(message: Book46): number {
  let sum = message.transactTime - 1_764_086_400_000_000_000 + message.matchEventIndicator;
  for (const entry of message.noMDEntries) {
    sum += entry.mdEntryPx + entry.mdEntrySize + entry.securityId + entry.rptSeq;
    sum += entry.numberOfOrders + entry.mdPriceLevel + entry.mdUpdateAction + entry.mdEntryType;
  }
  return (sum * 1024) | 0; // the checksum fold, above
}

export interface Booster {
  boostType: number;
  horsePower: number;
}

export interface Engine {
  capacity: number;
  numCylinders: number;
  manufacturerCode: string;
  efficiency: number;
  boosterEnabled: number;
  booster: Booster;
}

export interface FuelFigure {
  speed: number;
  mpg: number;
  usageDescription: string;
}

export interface Acceleration {
  mph: number;
  seconds: number;
}

export interface PerformanceFigure {
  octaneRating: number;
  acceleration: Acceleration[];
}

export interface Car {
  serialNumber: number;
  modelYear: number;
  available: number;
  code: number;
  someNumbers: number[];
  vehicleCode: string;
  extras: number;
  engine: Engine;
  fuelFigures: FuelFigure[];
  performanceFigures: PerformanceFigure[];
  manufacturer: string;
  model: string;
  activationCode: string;
}

const BOOLEAN_T = 1;
const MODEL_A = 0x41; // 'A'
const BOOST_NITROUS = 0x4e; // 'N'
/** OptionalExtras: sportsPack (bit 1) | cruiseControl (bit 2); sunRoof (bit 0) not set. */
const SPORTS_PACK_CRUISE_CONTROL = 0b110;

/** SBE floats are float32 on the wire: every format carries the float32 value so checksums agree. */
const f32 = Math.fround;

export const car: Car = {
  serialNumber: 1234,
  modelYear: 2013,
  available: BOOLEAN_T,
  code: MODEL_A,
  someNumbers: [1, 2, 3, 4],
  vehicleCode: 'abcdef',
  extras: SPORTS_PACK_CRUISE_CONTROL,
  engine: {
    capacity: 2000,
    numCylinders: 4,
    manufacturerCode: '123',
    efficiency: 35,
    boosterEnabled: BOOLEAN_T,
    booster: { boostType: BOOST_NITROUS, horsePower: 200 },
  },
  fuelFigures: [
    { speed: 30, mpg: f32(35.9), usageDescription: 'Urban Cycle' },
    { speed: 55, mpg: f32(49.0), usageDescription: 'Combined Cycle' },
    { speed: 75, mpg: f32(40.0), usageDescription: 'Highway Cycle' },
  ],
  performanceFigures: [
    { octaneRating: 95, acceleration: [{ mph: 30, seconds: f32(4.0) }, { mph: 60, seconds: f32(7.5) }, { mph: 100, seconds: f32(12.2) }] },
    { octaneRating: 99, acceleration: [{ mph: 30, seconds: f32(3.8) }, { mph: 60, seconds: f32(7.1) }, { mph: 100, seconds: f32(11.8) }] },
  ],
  manufacturer: 'Honda',
  model: 'Civic VTi',
  activationCode: 'abcdef',
};

/**
 * Self-contained (no outside names, not even a helper: tsx would wrap it) so that
 * `monomorphicCopy` can clone it for each format; each string adds its length and first char code.
 */
export function carChecksum(message: Car): number {
  let sum = message.serialNumber + message.modelYear + message.available + message.code;
  for (const number of message.someNumbers) {
    sum += number;
  }
  const vehicleCode = message.vehicleCode;
  sum += vehicleCode.length + vehicleCode.charCodeAt(0) + message.extras;
  const engine = message.engine;
  const manufacturerCode = engine.manufacturerCode;
  sum += engine.capacity + engine.numCylinders + manufacturerCode.length + manufacturerCode.charCodeAt(0);
  sum += engine.efficiency + engine.boosterEnabled + engine.booster.boostType + engine.booster.horsePower;
  for (const fuel of message.fuelFigures) {
    const usageDescription = fuel.usageDescription;
    sum += fuel.speed + fuel.mpg + usageDescription.length + usageDescription.charCodeAt(0);
  }
  for (const performance of message.performanceFigures) {
    sum += performance.octaneRating;
    for (const acceleration of performance.acceleration) {
      sum += acceleration.mph + acceleration.seconds;
    }
  }
  const { manufacturer, model, activationCode } = message;
  sum += manufacturer.length + manufacturer.charCodeAt(0) + model.length + model.charCodeAt(0);
  sum += activationCode.length + activationCode.charCodeAt(0);
  return (sum * 1024) | 0; // the checksum fold, above
}

/** Each benchmarked message's content and its checksum, by kind, for the codecs that encode plain objects. */
export const contents = { book46, car } as const;
export const contentChecksums: Record<keyof typeof contents, (message: never) => number> = { book46: book46Checksum, car: carChecksum };
