/**
 * FlatBuffers codecs over the flatc-equivalent classes, used the fast way flatc's docs show:
 * one Builder cleared and reused, accessor objects passed back in (`obj?`) instead of allocated
 * per field. 64-bit fields are bigint in FlatBuffers' JS API; strings are decoded by the
 * accessors, as flatc generates them.
 */
import * as flatbuffers from 'flatbuffers';
import { book46, car, TRANSACT_TIME_BASE_NS } from './content.js';
import { codecOverEncodedValue, type Codec } from './codec.js';
import { MDEntry, MDIncrementalRefreshBook46 } from './flatbuffers-book46.js';
import { Acceleration, Booster, Car, Engine, FuelFigure, PerformanceFigure } from './flatbuffers-car.js';

const INITIAL_BUILDER_BYTES = 1024;

function encodeBook46(builder: flatbuffers.Builder): Uint8Array {
  builder.clear();
  const entries = book46.noMDEntries;
  MDIncrementalRefreshBook46.startNoMDEntriesVector(builder, entries.length);
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!;
    MDEntry.createMDEntry(
      builder,
      BigInt(entry.mdEntryPx),
      entry.mdEntrySize,
      entry.securityId,
      entry.rptSeq,
      entry.numberOfOrders,
      entry.mdPriceLevel,
      entry.mdUpdateAction,
      entry.mdEntryType,
    );
  }
  const entriesOffset = builder.endVector();
  MDIncrementalRefreshBook46.startMDIncrementalRefreshBook46(builder);
  MDIncrementalRefreshBook46.addTransactTime(builder, BigInt(book46.transactTime));
  MDIncrementalRefreshBook46.addMatchEventIndicator(builder, book46.matchEventIndicator);
  MDIncrementalRefreshBook46.addNoMDEntries(builder, entriesOffset);
  MDIncrementalRefreshBook46.finishMDIncrementalRefreshBook46Buffer(builder, MDIncrementalRefreshBook46.endMDIncrementalRefreshBook46(builder));
  return builder.asUint8Array();
}

export function createFlatbuffersBook46Codec(): Codec {
  const builder = new flatbuffers.Builder(INITIAL_BUILDER_BYTES);
  const message = new MDIncrementalRefreshBook46();
  const entry = new MDEntry();
  const decode = (bytes: Uint8Array): number => {
    MDIncrementalRefreshBook46.getRootAsMDIncrementalRefreshBook46(new flatbuffers.ByteBuffer(bytes), message);
    let sum = Number(message.transactTime()) - TRANSACT_TIME_BASE_NS + message.matchEventIndicator();
    const count = message.noMDEntriesLength();
    for (let i = 0; i < count; i++) {
      message.noMDEntries(i, entry);
      sum += Number(entry.mdEntryPx()) + entry.mdEntrySize() + entry.securityId() + entry.rptSeq();
      sum += entry.numberOfOrders() + entry.mdPriceLevel() + entry.mdUpdateAction() + entry.mdEntryType();
    }
    return (sum * 1024) | 0; // the checksum fold: see content.ts
  };
  return codecOverEncodedValue('flatbuffers', () => encodeBook46(builder), decode);
}

/** Offsets of child tables, kept between encodes so that encoding allocates no arrays of its own. */
interface CarEncodeScratch {
  fuelFigures: number[];
  performanceFigures: number[];
}

function encodeCar(builder: flatbuffers.Builder, scratch: CarEncodeScratch): Uint8Array {
  builder.clear();
  const fuelFigures = car.fuelFigures;
  for (let i = 0; i < fuelFigures.length; i++) {
    const fuel = fuelFigures[i]!;
    const usageDescription = builder.createString(fuel.usageDescription);
    FuelFigure.startFuelFigure(builder);
    FuelFigure.addSpeed(builder, fuel.speed);
    FuelFigure.addMpg(builder, fuel.mpg);
    FuelFigure.addUsageDescription(builder, usageDescription);
    scratch.fuelFigures[i] = FuelFigure.endFuelFigure(builder);
  }
  const fuelFiguresOffset = Car.createFuelFiguresVector(builder, scratch.fuelFigures);
  const performanceFigures = car.performanceFigures;
  for (let i = 0; i < performanceFigures.length; i++) {
    const performance = performanceFigures[i]!;
    const accelerations = performance.acceleration;
    PerformanceFigure.startAccelerationVector(builder, accelerations.length);
    for (let j = accelerations.length - 1; j >= 0; j--) {
      Acceleration.createAcceleration(builder, accelerations[j]!.mph, accelerations[j]!.seconds);
    }
    const accelerationOffset = builder.endVector();
    PerformanceFigure.startPerformanceFigure(builder);
    PerformanceFigure.addOctaneRating(builder, performance.octaneRating);
    PerformanceFigure.addAcceleration(builder, accelerationOffset);
    scratch.performanceFigures[i] = PerformanceFigure.endPerformanceFigure(builder);
  }
  const performanceFiguresOffset = Car.createPerformanceFiguresVector(builder, scratch.performanceFigures);
  const engine = car.engine;
  const manufacturerCode = builder.createString(engine.manufacturerCode);
  Engine.startEngine(builder);
  Engine.addCapacity(builder, engine.capacity);
  Engine.addNumCylinders(builder, engine.numCylinders);
  Engine.addManufacturerCode(builder, manufacturerCode);
  Engine.addEfficiency(builder, engine.efficiency);
  Engine.addBoosterEnabled(builder, engine.boosterEnabled);
  Engine.addBooster(builder, Booster.createBooster(builder, engine.booster.boostType, engine.booster.horsePower));
  const engineOffset = Engine.endEngine(builder);
  const someNumbers = Car.createSomeNumbersVector(builder, car.someNumbers);
  const vehicleCode = builder.createString(car.vehicleCode);
  const manufacturer = builder.createString(car.manufacturer);
  const model = builder.createString(car.model);
  const activationCode = builder.createString(car.activationCode);
  Car.startCar(builder);
  Car.addSerialNumber(builder, BigInt(car.serialNumber));
  Car.addModelYear(builder, car.modelYear);
  Car.addAvailable(builder, car.available);
  Car.addCode(builder, car.code);
  Car.addSomeNumbers(builder, someNumbers);
  Car.addVehicleCode(builder, vehicleCode);
  Car.addExtras(builder, car.extras);
  Car.addEngine(builder, engineOffset);
  Car.addFuelFigures(builder, fuelFiguresOffset);
  Car.addPerformanceFigures(builder, performanceFiguresOffset);
  Car.addManufacturer(builder, manufacturer);
  Car.addModel(builder, model);
  Car.addActivationCode(builder, activationCode);
  Car.finishCarBuffer(builder, Car.endCar(builder));
  return builder.asUint8Array();
}

/** Accessor objects reused for every decode, as flatc's `obj?` parameters allow. */
class CarReaders {
  readonly car = new Car();
  readonly engine = new Engine();
  readonly booster = new Booster();
  readonly fuelFigure = new FuelFigure();
  readonly performanceFigure = new PerformanceFigure();
  readonly acceleration = new Acceleration();
}

function stringChecksum(value: string | null): number {
  return value === null ? 0 : value.length + value.charCodeAt(0);
}

function decodeCar(bytes: Uint8Array, readers: CarReaders): number {
  const message = Car.getRootAsCar(new flatbuffers.ByteBuffer(bytes), readers.car);
  let sum = Number(message.serialNumber()) + message.modelYear() + message.available() + message.code();
  const someNumbersLength = message.someNumbersLength();
  for (let i = 0; i < someNumbersLength; i++) {
    sum += message.someNumbers(i)!;
  }
  sum += stringChecksum(message.vehicleCode()) + message.extras();
  const engine = message.engine(readers.engine)!;
  sum += engine.capacity() + engine.numCylinders() + stringChecksum(engine.manufacturerCode());
  const booster = engine.booster(readers.booster)!;
  sum += engine.efficiency() + engine.boosterEnabled() + booster.boostType() + booster.horsePower();
  const fuelFiguresLength = message.fuelFiguresLength();
  for (let i = 0; i < fuelFiguresLength; i++) {
    const fuel = message.fuelFigures(i, readers.fuelFigure)!;
    sum += fuel.speed() + fuel.mpg() + stringChecksum(fuel.usageDescription());
  }
  const performanceFiguresLength = message.performanceFiguresLength();
  for (let i = 0; i < performanceFiguresLength; i++) {
    const performance = message.performanceFigures(i, readers.performanceFigure)!;
    sum += performance.octaneRating();
    const accelerationLength = performance.accelerationLength();
    for (let j = 0; j < accelerationLength; j++) {
      const acceleration = performance.acceleration(j, readers.acceleration)!;
      sum += acceleration.mph() + acceleration.seconds();
    }
  }
  sum += stringChecksum(message.manufacturer()) + stringChecksum(message.model()) + stringChecksum(message.activationCode());
  return (sum * 1024) | 0; // the checksum fold: see content.ts
}

export function createFlatbuffersCarCodec(): Codec {
  const builder = new flatbuffers.Builder(INITIAL_BUILDER_BYTES);
  const scratch: CarEncodeScratch = { fuelFigures: [], performanceFigures: [] };
  const readers = new CarReaders();
  return codecOverEncodedValue(
    'flatbuffers',
    () => encodeCar(builder, scratch),
    (bytes) => decodeCar(bytes, readers),
  );
}
