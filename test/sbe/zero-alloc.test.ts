/**
 * The read and write paths of generated codecs allocate nothing: a million decode + encode
 * rounds of a Car (groups, nested groups, var data, char arrays, composites, a set) and of an
 * MDP3 MDIncrementalRefreshBook46 (4 book entries, 2 order entries) run after warm-up without a
 * single garbage collection. Values are folded into a checksum so nothing is optimised away.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { loadSchemaOrThrow } from '../../src/sbe/parser.js';

type Baseline = typeof import('../.generated/zero-alloc/car/baseline.js');
type Mdp3 = typeof import('../.generated/zero-alloc/mdp3/mktdata.js');

const peer = (name: string): string => fileURLToPath(new URL(`../../../shared/peer/${name}`, import.meta.url));
const generatedDir = (name: string): string => fileURLToPath(new URL(`../.generated/zero-alloc/${name}/`, import.meta.url));

/**
 * The generated accessors allocate nothing, but a double (a float field, a 64-bit integer past
 * 2^31) that crosses a call V8 did not inline is boxed into a 16-byte HeapNumber. Accessors are
 * kept small so V8 inlines them; a whole Book46 encode plus decode in one loop still needs more
 * than V8's default inlining budget of 920 bytecodes per optimised function (with the default the
 * Car passes, Book46 shows about one GC per million rounds). Hot-path processes (gateway worker,
 * codec bench) run with this setting; the test uses the same, set before any code is hot.
 */
const INLINING_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=1500';
v8.setFlagsFromString(INLINING_BUDGET_FLAG);

const WARM_UP_ROUNDS = 50_000;
const MEASURED_ROUNDS = 1_000_000;

let car: Baseline;
let mdp3: Mdp3;

beforeAll(async () => {
  writeGeneratedCode(loadSchemaOrThrow(peer('sbe-golden/example-schema.xml')), generatedDir('car'));
  writeGeneratedCode(loadSchemaOrThrow(peer('mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml')), generatedDir('mdp3'));
  car = (await import(`${generatedDir('car')}baseline.ts`)) as Baseline;
  mdp3 = (await import(`${generatedDir('mdp3')}mktdata.ts`)) as Mdp3;
});

/**
 * Runs `rounds(n)` (a loop of n encode + decode rounds) to warm up, then once more for
 * MEASURED_ROUNDS, and counts the GCs that start during that measured call.
 */
async function gcRunsDuring(rounds: (n: number) => number): Promise<{ gcRuns: number; checksum: number }> {
  let checksum = 0;
  for (let i = 0; i < 10; i++) checksum += rounds(WARM_UP_ROUNDS / 10);
  // TurboFan compiles on a background thread: on a busy machine let it finish, then run again so
  // the measured loop starts in optimised code.
  await new Promise((resolve) => setTimeout(resolve, 100));
  checksum += rounds(WARM_UP_ROUNDS);
  const gcStarts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  checksum += rounds(MEASURED_ROUNDS);
  const end = performance.now();
  // GC entries are delivered asynchronously: give them a moment, then keep those inside the loop.
  await new Promise((resolve) => setTimeout(resolve, 200));
  observer.disconnect();
  return { gcRuns: gcStarts.filter((time) => time >= start && time <= end).length, checksum };
}

describe('zero allocation on the hot path', () => {
  it('decodes and encodes a Car a million times without a GC', async () => {
    // given: preallocated buffers and flyweights
    const bytes = new Uint8Array(512);
    const view = new DataView(bytes.buffer);
    const copyBuffer = new Uint8Array(64);
    const honda = new TextEncoder().encode('Honda');
    const urban = new TextEncoder().encode('Urban Cycle');
    const vehicleCode = new TextEncoder().encode('abcdef');
    const headerEncoder = new car.MessageHeaderEncoder();
    const headerDecoder = new car.MessageHeaderDecoder();
    const encoder = new car.CarEncoder();
    const decoder = new car.CarDecoder();
    const { BooleanType, Model, BoostType } = car;

    const encodeCar = (i: number): number => {
      encoder.wrapAndApplyHeader(view, 0, headerEncoder);
      encoder.serialNumber(1234 + i).modelYear(2013).available(BooleanType.T).code(Model.A);
      encoder.someNumbers(0, i).someNumbers(1, 2).someNumbers(2, 3).someNumbers(3, 4).putVehicleCode(vehicleCode, 0);
      encoder.extras().clear().cruiseControl(true).sportsPack(true);
      const engine = encoder.engine().capacity(2000).numCylinders(4).putManufacturerCode(vehicleCode, 0).efficiency(35);
      engine.boosterEnabled(BooleanType.T).booster().boostType(BoostType.NITROUS).horsePower(200);
      const fuel = encoder.fuelFiguresCount(2);
      fuel.next().speed(30).mpg(35.9).putUsageDescription(urban, 0, urban.length);
      fuel.next().speed(55).mpg(49.0 + i).putUsageDescription(urban, 0, 5);
      const performanceFigures = encoder.performanceFiguresCount(1);
      const acceleration = performanceFigures.next().octaneRating(95).accelerationCount(2);
      acceleration.next().mph(30).seconds(4.0);
      acceleration.next().mph(60).seconds(7.5);
      encoder.putManufacturer(honda, 0, honda.length).putModel(honda, 0, 3).putActivationCode(vehicleCode, 0, 6);
      return encoder.encodedLength();
    };

    const decodeCar = (): number => {
      decoder.wrapAndApplyHeader(view, 0, headerDecoder);
      let sum = decoder.serialNumber() + decoder.modelYear() + decoder.available() + decoder.code() + decoder.someNumbers(0);
      sum += decoder.vehicleCode(1) + decoder.getVehicleCode(copyBuffer, 0) + (decoder.extras().sportsPack() ? 1 : 0);
      const engine = decoder.engine();
      sum += engine.capacity() + engine.maxRpm() + engine.manufacturerCode(0) + engine.booster().horsePower();
      const fuel = decoder.fuelFigures();
      while (fuel.hasNext()) {
        fuel.next();
        sum += fuel.speed() + fuel.mpg() + fuel.getUsageDescription(copyBuffer, 0);
      }
      const performanceFigures = decoder.performanceFigures();
      while (performanceFigures.hasNext()) {
        const acceleration = performanceFigures.next().acceleration();
        sum += performanceFigures.octaneRating();
        while (acceleration.hasNext()) sum += acceleration.next().mph() + acceleration.seconds();
      }
      sum += decoder.manufacturerLength() + decoder.getManufacturer(copyBuffer, 0) + decoder.skipModel() + decoder.getActivationCode(copyBuffer, 8);
      return sum > 0 ? 1 : 0;
    };
    const rounds = (n: number): number => {
      let checksum = 0;
      for (let i = 0; i < n; i++) checksum += encodeCar(i) + decodeCar();
      return checksum;
    };

    // when
    const { gcRuns, checksum } = await gcRunsDuring(rounds);
    // then
    expect(checksum).toBeGreaterThan(MEASURED_ROUNDS);
    expect(gcRuns).toBe(0);
  });

  it('decodes and encodes an MDP3 MDIncrementalRefreshBook46 a million times without a GC', async () => {
    // given
    const bytes = new Uint8Array(512);
    const view = new DataView(bytes.buffer);
    const headerEncoder = new mdp3.MessageHeaderEncoder();
    const headerDecoder = new mdp3.MessageHeaderDecoder();
    const encoder = new mdp3.MDIncrementalRefreshBook46Encoder();
    const decoder = new mdp3.MDIncrementalRefreshBook46Decoder();
    const { MDUpdateAction, MDEntryTypeBook, OrderUpdateAction } = mdp3;

    const encodeBook = (i: number): number => {
      encoder.wrapAndApplyHeader(view, 0, headerEncoder).transactTime(1_700_000_000_000_000_000 + i);
      encoder.matchEventIndicator().clear().lastQuoteMsg(true).endOfEvent(true);
      const entries = encoder.noMDEntriesCount(4);
      for (let level = 1; level <= 4; level++) {
        const entry = entries.next();
        entry.mDEntryPx().mantissa(4_512_250_000_000 + level * 250_000_000 + i);
        entry.mDEntrySize(10 * level).securityID(12345).rptSeq(i).numberOfOrders(level).mDPriceLevel(level);
        entry.mDUpdateAction(MDUpdateAction.Change).mDEntryType(level & 1 ? MDEntryTypeBook.Bid : MDEntryTypeBook.Offer);
      }
      const orders = encoder.noOrderIDEntriesCount(2);
      for (let n = 0; n < 2; n++) {
        orders.next().orderID(900_000_000_000 + n).mDOrderPriority(i).mDDisplayQty(5).referenceID(n + 1).orderUpdateAction(OrderUpdateAction.New);
      }
      return encoder.encodedLength();
    };

    const decodeBook = (): number => {
      decoder.wrapAndApplyHeader(view, 0, headerDecoder);
      let sum = decoder.transactTime() + (decoder.matchEventIndicator().endOfEvent() ? 1 : 0);
      const entries = decoder.noMDEntries();
      while (entries.hasNext()) {
        entries.next();
        sum += entries.mDEntryPx().mantissa() * 1e-9 + entries.mDEntrySize() + entries.securityID() + entries.rptSeq();
        sum += entries.numberOfOrders() + entries.mDPriceLevel() + entries.mDUpdateAction() + entries.mDEntryType();
      }
      const orders = decoder.noOrderIDEntries();
      while (orders.hasNext()) {
        orders.next();
        sum += orders.orderID() + orders.mDOrderPriority() + orders.mDDisplayQty() + orders.referenceID() + orders.orderUpdateAction();
      }
      return sum > 0 ? 1 : 0;
    };
    const rounds = (n: number): number => {
      let checksum = 0;
      for (let i = 0; i < n; i++) checksum += encodeBook(i) + decodeBook();
      return checksum;
    };

    // when
    const { gcRuns, checksum } = await gcRunsDuring(rounds);
    // then
    expect(checksum).toBeGreaterThan(MEASURED_ROUNDS);
    expect(gcRuns).toBe(0);
  });
});
