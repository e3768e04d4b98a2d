/**
 * zerotick's codecs of the Car message, over the generated flyweights and one DataView made once.
 * Two ways to handle its text, each a row of the table:
 *
 * - 'zerotick': the hot-path way. Decode reads var data and char arrays in place (length,
 *   first byte, skip); encode copies pre-encoded bytes (a gateway holds its symbols as bytes).
 *   Nothing is allocated.
 * - 'zerotick (strings)': the convenience accessors: decode makes JS strings (`xxxAsString()`),
 *   encode takes them (`xxxFromString()`), as JSON, msgpackr and protobufjs do.
 *
 * Both read and write every field, groups in wire order (SBE requires it).
 */
import {
  CarDecoder,
  CarEncoder,
  MessageHeaderDecoder,
  MessageHeaderEncoder,
} from '../build/generated/car/baseline.js';
import { car } from './content.js';
import type { Codec } from './codec.js';

const BUFFER_BYTES = 1024;

/** Text of the Car as bytes, encoded once at setup: what the in-place encoder copies. */
interface CarTextBytes {
  vehicleCode: Uint8Array;
  manufacturerCode: Uint8Array;
  usageDescriptions: Uint8Array[];
  manufacturer: Uint8Array;
  model: Uint8Array;
  activationCode: Uint8Array;
}

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

function carTextBytes(): CarTextBytes {
  return {
    vehicleCode: ascii(car.vehicleCode),
    manufacturerCode: ascii(car.engine.manufacturerCode),
    usageDescriptions: car.fuelFigures.map((fuel) => ascii(fuel.usageDescription)),
    manufacturer: Buffer.from(car.manufacturer, 'utf8'),
    model: Buffer.from(car.model, 'utf8'),
    activationCode: ascii(car.activationCode),
  };
}

/** Writes every field of `car`; `text` given: copies its bytes, null: encodes the strings. Returns the bytes written. */
function encodeCar(view: DataView, header: MessageHeaderEncoder, encoder: CarEncoder, text: CarTextBytes | null): number {
  encoder.wrapAndApplyHeader(view, 0, header);
  encoder.serialNumber(car.serialNumber).modelYear(car.modelYear).available(car.available).code(car.code);
  for (let i = 0; i < car.someNumbers.length; i++) encoder.someNumbers(i, car.someNumbers[i]!);
  if (text === null) encoder.vehicleCodeFromString(car.vehicleCode);
  else encoder.putVehicleCode(text.vehicleCode, 0);
  encoder.extras().rawValue(car.extras);
  const engine = encoder.engine();
  engine.capacity(car.engine.capacity).numCylinders(car.engine.numCylinders);
  if (text === null) engine.manufacturerCodeFromString(car.engine.manufacturerCode);
  else engine.putManufacturerCode(text.manufacturerCode, 0);
  engine.efficiency(car.engine.efficiency).boosterEnabled(car.engine.boosterEnabled);
  engine.booster().boostType(car.engine.booster.boostType).horsePower(car.engine.booster.horsePower);

  const fuelFigures = encoder.fuelFiguresCount(car.fuelFigures.length);
  for (let i = 0; i < car.fuelFigures.length; i++) {
    const fuel = car.fuelFigures[i]!;
    fuelFigures.next().speed(fuel.speed).mpg(fuel.mpg);
    if (text === null) fuelFigures.usageDescriptionFromString(fuel.usageDescription);
    else fuelFigures.putUsageDescription(text.usageDescriptions[i]!, 0, text.usageDescriptions[i]!.length);
  }
  const performanceFigures = encoder.performanceFiguresCount(car.performanceFigures.length);
  for (const performance of car.performanceFigures) {
    performanceFigures.next().octaneRating(performance.octaneRating);
    const acceleration = performanceFigures.accelerationCount(performance.acceleration.length);
    for (const figure of performance.acceleration) acceleration.next().mph(figure.mph).seconds(figure.seconds);
  }
  if (text === null) {
    encoder.manufacturerFromString(car.manufacturer).modelFromString(car.model).activationCodeFromString(car.activationCode);
  } else {
    encoder.putManufacturer(text.manufacturer, 0, text.manufacturer.length);
    encoder.putModel(text.model, 0, text.model.length);
    encoder.putActivationCode(text.activationCode, 0, text.activationCode.length);
  }
  return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
}

function textChecksum(text: string): number {
  return text.length + text.charCodeAt(0);
}

/** Decodes every field; `inPlace`: text by length and first byte, else through JS strings. */
function decodeCar(bytes: DataView, header: MessageHeaderDecoder, decoder: CarDecoder, inPlace: boolean): number {
  decoder.wrapAndApplyHeader(bytes, 0, header);
  let sum = decoder.serialNumber() + decoder.modelYear() + decoder.available() + decoder.code();
  for (let i = 0; i < CarDecoder.someNumbersLength; i++) sum += decoder.someNumbers(i);
  if (inPlace) {
    let length = 0;
    while (length < CarDecoder.vehicleCodeLength && decoder.vehicleCode(length) !== 0) length++;
    sum += length + decoder.vehicleCode(0);
  } else {
    sum += textChecksum(decoder.vehicleCodeAsString());
  }
  sum += decoder.extras().rawValue();
  const engine = decoder.engine();
  sum += engine.capacity() + engine.numCylinders();
  if (inPlace) {
    let length = 0;
    while (length < 3 && engine.manufacturerCode(length) !== 0) length++;
    sum += length + engine.manufacturerCode(0);
  } else {
    sum += textChecksum(engine.manufacturerCodeAsString());
  }
  const booster = engine.booster();
  sum += engine.efficiency() + engine.boosterEnabled() + booster.boostType() + booster.horsePower();

  for (const fuel = decoder.fuelFigures(); fuel.hasNext(); ) {
    fuel.next();
    sum += fuel.speed() + fuel.mpg();
    if (inPlace) {
      sum += bytes.getUint8(fuel.usageDescriptionOffset()) + fuel.skipUsageDescription();
    } else {
      sum += textChecksum(fuel.usageDescriptionAsString());
    }
  }
  for (const performance = decoder.performanceFigures(); performance.hasNext(); ) {
    performance.next();
    sum += performance.octaneRating();
    for (const acceleration = performance.acceleration(); acceleration.hasNext(); ) {
      acceleration.next();
      sum += acceleration.mph() + acceleration.seconds();
    }
  }
  if (inPlace) {
    sum += bytes.getUint8(decoder.manufacturerOffset()) + decoder.skipManufacturer();
    sum += bytes.getUint8(decoder.modelOffset()) + decoder.skipModel();
    sum += bytes.getUint8(decoder.activationCodeOffset()) + decoder.skipActivationCode();
  } else {
    sum += textChecksum(decoder.manufacturerAsString()) + textChecksum(decoder.modelAsString());
    sum += textChecksum(decoder.activationCodeAsString());
  }
  return (sum * 1024) | 0; // the checksum fold: see content.ts
}

function createCarCodec(name: string, inPlace: boolean): Codec {
  const view = new DataView(new ArrayBuffer(BUFFER_BYTES));
  const headerEncoder = new MessageHeaderEncoder();
  const encoder = new CarEncoder();
  const headerDecoder = new MessageHeaderDecoder();
  const decoder = new CarDecoder();
  const text = inPlace ? carTextBytes() : null;
  const encode = (): number => encodeCar(view, headerEncoder, encoder, text);
  const encodedLength = encode();
  const bytes = new DataView(view.buffer.slice(0, encodedLength));
  return { name, encodedLength, encoded: new Uint8Array(bytes.buffer), encode, decode: () => decodeCar(bytes, headerDecoder, decoder, inPlace) };
}

export function createZerotickCarCodec(): Codec {
  return createCarCodec('zerotick', true);
}

export function createZerotickCarStringsCodec(): Codec {
  return createCarCodec('zerotick (strings)', false);
}
