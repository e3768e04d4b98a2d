/**
 * The reference "Car" example: codecs generated from ../shared/peer/sbe-golden read the files the
 * reference Java encoder wrote, to every value its README lists, and write them back byte for byte.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { loadSchemaOrThrow } from '../../src/sbe/parser.js';

type Baseline = typeof import('../.generated/car-golden/baseline/baseline.js');
type Extension = typeof import('../.generated/car-golden/extension/extension.js');

const golden = (name: string): string => fileURLToPath(new URL(`../../../shared/peer/sbe-golden/${name}`, import.meta.url));
const generatedDir = (name: string): string => fileURLToPath(new URL(`../.generated/car-golden/${name}/`, import.meta.url));

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

let baseline: Baseline;
let extension: Extension;

beforeAll(async () => {
  writeGeneratedCode(loadSchemaOrThrow(golden('example-schema.xml')), generatedDir('baseline'));
  writeGeneratedCode(loadSchemaOrThrow(golden('example-extension-schema.xml')), generatedDir('extension'));
  baseline = (await import(`${generatedDir('baseline')}baseline.ts`)) as Baseline;
  extension = (await import(`${generatedDir('extension')}extension.ts`)) as Extension;
});

/** Reads what both schema versions share, asserting the README's values. */
function expectCarValues(
  car: InstanceType<Baseline['CarDecoder']> | InstanceType<Extension['CarDecoder']>,
  codes: { BooleanType: Baseline['BooleanType']; Model: Baseline['Model']; BoostType: Baseline['BoostType'] },
  someNumbers: number[],
): void {
  expect(car.serialNumber()).toBe(1234);
  expect(car.serialNumberBigInt()).toBe(1234n);
  expect(car.modelYear()).toBe(2013);
  expect(car.available()).toBe(codes.BooleanType.T);
  expect(car.code()).toBe(codes.Model.A);
  expect([0, 1, 2, 3].map((i) => car.someNumbers(i))).toEqual(someNumbers);
  expect(car.vehicleCodeAsString()).toBe('abcdef');
  const vehicleCode = new Uint8Array(6);
  expect(car.getVehicleCode(vehicleCode, 0)).toBe(6);
  expect(new TextDecoder().decode(vehicleCode)).toBe('abcdef');
  expect(car.vehicleCode(0)).toBe('a'.charCodeAt(0));
  const extras = car.extras();
  expect([extras.cruiseControl(), extras.sportsPack(), extras.sunRoof()]).toEqual([true, true, false]);
  expect(car.discountedModel()).toBe(codes.Model.C);

  const engine = car.engine();
  expect(engine.capacity()).toBe(2000);
  expect(engine.numCylinders()).toBe(4);
  expect(engine.maxRpm()).toBe(9000);
  expect(engine.manufacturerCodeAsString()).toBe('123');
  expect(engine.fuelAsString()).toBe('Petrol');
  expect(engine.efficiency()).toBe(35);
  expect(engine.boosterEnabled()).toBe(codes.BooleanType.T);
  expect(engine.booster().boostType()).toBe(codes.BoostType.NITROUS);
  expect(engine.booster().horsePower()).toBe(200);

  const fuelFigures = car.fuelFigures();
  expect(fuelFigures.count()).toBe(3);
  const fuel: Array<[number, number, string]> = [];
  while (fuelFigures.hasNext()) {
    fuelFigures.next();
    fuel.push([fuelFigures.speed(), fuelFigures.mpg(), fuelFigures.usageDescriptionAsString()]);
  }
  expect(fuel).toEqual([
    [30, Math.fround(35.9), 'Urban Cycle'],
    [55, 49.0, 'Combined Cycle'],
    [75, 40.0, 'Highway Cycle'],
  ]);
  expect(fuel[0]![1]).toBe(35.900001525878906);

  const performance: Array<[number, Array<[number, number]>]> = [];
  const performanceFigures = car.performanceFigures();
  while (performanceFigures.hasNext()) {
    performanceFigures.next();
    const acceleration = performanceFigures.acceleration();
    const points: Array<[number, number]> = [];
    while (acceleration.hasNext()) {
      acceleration.next();
      points.push([acceleration.mph(), acceleration.seconds()]);
    }
    performance.push([performanceFigures.octaneRating(), points]);
  }
  expect(performance).toEqual([
    [95, [[30, 4.0], [60, 7.5], [100, Math.fround(12.2)]]],
    [99, [[30, Math.fround(3.8)], [60, Math.fround(7.1)], [100, Math.fround(11.8)]]],
  ]);

  expect(car.manufacturerAsString()).toBe('Honda');
  expect(car.modelLength()).toBe(9);
  expect(car.modelAsString()).toBe('Civic VTi');
  expect(car.activationCodeAsString()).toBe('abcdef');
  expect(car.encodedLength()).toBe(207 - 8);
}

describe('Car golden file (reference Java encoder output)', () => {
  it('decodes car_example_baseline_data.sbe to every value in the README', () => {
    // given
    const bytes = readFileSync(golden('car_example_baseline_data.sbe'));
    const header = new baseline.MessageHeaderDecoder().wrap(viewOf(bytes), 0);
    expect([header.blockLength(), header.templateId(), header.schemaId(), header.version()]).toEqual([45, 1, 1, 0]);
    // when
    const car = new baseline.CarDecoder().wrapAndApplyHeader(viewOf(bytes), 0, new baseline.MessageHeaderDecoder());
    // then
    expectCarValues(car, baseline, [1, 2, 3, 4]);
  });

  it('decodes the same file from native memory through a koffi view (an external ArrayBuffer)', () => {
    // given: the bytes in memory malloc'd by C, seen through koffi.view as the gateway's pools are
    const bytes = readFileSync(golden('car_example_baseline_data.sbe'));
    const pointer = koffi.alloc('uint8_t', bytes.length);
    try {
      const native = new Uint8Array(koffi.view(pointer, bytes.length));
      native.set(bytes);
      // when
      const car = new baseline.CarDecoder().wrapAndApplyHeader(new DataView(native.buffer), 0, new baseline.MessageHeaderDecoder());
      // then
      expectCarValues(car, baseline, [1, 2, 3, 4]);
    } finally {
      koffi.free(pointer);
    }
  });

  it('encodes the same values into the same 207 bytes', () => {
    // given
    const expected = readFileSync(golden('car_example_baseline_data.sbe'));
    const out = new Uint8Array(512);
    const { BooleanType, Model, BoostType } = baseline;
    // when
    const car = new baseline.CarEncoder().wrapAndApplyHeader(new DataView(out.buffer), 0, new baseline.MessageHeaderEncoder());
    car
      .serialNumber(1234)
      .modelYear(2013)
      .available(BooleanType.T)
      .code(Model.A)
      .someNumbers(0, 1)
      .someNumbers(1, 2)
      .someNumbers(2, 3)
      .someNumbers(3, 4)
      .vehicleCodeFromString('abcdef');
    car.extras().clear().cruiseControl(true).sportsPack(true).sunRoof(false);
    const engine = car.engine().capacity(2000).numCylinders(4).manufacturerCodeFromString('123').efficiency(35).boosterEnabled(BooleanType.T);
    engine.booster().boostType(BoostType.NITROUS).horsePower(200);
    const fuelFigures = car.fuelFiguresCount(3);
    fuelFigures.next().speed(30).mpg(35.9).usageDescriptionFromString('Urban Cycle');
    fuelFigures.next().speed(55).mpg(49.0).usageDescriptionFromString('Combined Cycle');
    fuelFigures.next().speed(75).mpg(40.0).usageDescriptionFromString('Highway Cycle');
    const performanceFigures = car.performanceFiguresCount(2);
    const acceleration1 = performanceFigures.next().octaneRating(95).accelerationCount(3);
    acceleration1.next().mph(30).seconds(4.0);
    acceleration1.next().mph(60).seconds(7.5);
    acceleration1.next().mph(100).seconds(12.2);
    const acceleration2 = performanceFigures.next().octaneRating(99).accelerationCount(3);
    acceleration2.next().mph(30).seconds(3.8);
    acceleration2.next().mph(60).seconds(7.1);
    acceleration2.next().mph(100).seconds(11.8);
    const manufacturer = new TextEncoder().encode('Honda');
    car.putManufacturer(manufacturer, 0, manufacturer.length).modelFromString('Civic VTi').activationCodeFromString('abcdef');
    // then
    const length = baseline.MessageHeaderEncoder.ENCODED_LENGTH + car.encodedLength();
    expect(length).toBe(207);
    expect(Buffer.from(out.subarray(0, length)).equals(expected)).toBe(true);
  });

  it('reads the v0 file with the v1 (extension) decoder: v1-only fields are null', () => {
    // given
    const bytes = readFileSync(golden('car_example_extension_data.sbe'));
    // when
    const car = new extension.CarDecoder().wrapAndApplyHeader(viewOf(bytes), 0, new extension.MessageHeaderDecoder());
    // then
    expect(car.actingVersion).toBe(0);
    expect(car.actingBlockLength).toBe(45);
    expect(extension.CarDecoder.BLOCK_LENGTH).toBeGreaterThan(45);
    expect(car.cupHolderCount()).toBe(extension.CarDecoder.cupHolderCountNullValue);
    expect(car.cupHolderCount()).toBe(255);
    expect(car.uuidBigInt(0)).toBe(extension.CarDecoder.uuidNullValueBigInt);
    expect(car.uuid(0)).toBe(extension.CarDecoder.uuidNullValue);
    expect(car.uuidBigInt(1)).toBe(-(2n ** 63n));
    expect(car.uuid(0)).toBe(-(2 ** 63));
    expectCarValues(car, extension, [0, 1, 2, 3]);
  });

  it('reads a v1 message written by the v1 encoder including the extension fields', () => {
    // given
    const out = new Uint8Array(512);
    const view = new DataView(out.buffer);
    const encoder = new extension.CarEncoder().wrapAndApplyHeader(view, 0, new extension.MessageHeaderEncoder());
    encoder.serialNumber(7).uuidBigInt(0, 123n).uuid(1, -5).cupHolderCount(3);
    encoder.fuelFiguresCount(0);
    encoder.performanceFiguresCount(0);
    encoder.manufacturerFromString('').modelFromString('').activationCodeFromString('');
    // when
    const car = new extension.CarDecoder().wrapAndApplyHeader(view, 0, new extension.MessageHeaderDecoder());
    // then
    expect(car.actingVersion).toBe(1);
    expect([car.serialNumber(), car.uuid(0), car.uuid(1), car.cupHolderCount()]).toEqual([7, 123, -5, 3]);
  });
});
