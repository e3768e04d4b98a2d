/**
 * protobufjs: the schema is parsed from .proto text (protobuf.parse) and protobufjs generates
 * its encode/decode functions by reflection at first use, as `pbjs -t static` would print them.
 *
 * 64-bit integers are configured to decode to plain numbers instead of Long objects (the fastest
 * setting protobufjs offers; all values here are exact as doubles). Enums and chars are uint32.
 */
import protobuf from 'protobufjs';
import { contentChecksums, contents } from './content.js';
import { codecOverEncodedValue, type Codec, type MessageKind } from './codec.js';
import { monomorphicCopy } from '../lib/monomorphic-copy.js';

const PROTO_SOURCE = `
syntax = "proto3";
package zerotick.bench;

message MDEntry {
  int64 mdEntryPx = 1;
  int32 mdEntrySize = 2;
  int32 securityId = 3;
  uint32 rptSeq = 4;
  int32 numberOfOrders = 5;
  uint32 mdPriceLevel = 6;
  uint32 mdUpdateAction = 7;
  uint32 mdEntryType = 8;
}

message MDIncrementalRefreshBook46 {
  fixed64 transactTime = 1;
  uint32 matchEventIndicator = 2;
  repeated MDEntry noMDEntries = 3;
}

message Booster {
  uint32 boostType = 1;
  uint32 horsePower = 2;
}

message Engine {
  uint32 capacity = 1;
  uint32 numCylinders = 2;
  string manufacturerCode = 3;
  int32 efficiency = 4;
  uint32 boosterEnabled = 5;
  Booster booster = 6;
}

message FuelFigure {
  uint32 speed = 1;
  float mpg = 2;
  string usageDescription = 3;
}

message Acceleration {
  uint32 mph = 1;
  float seconds = 2;
}

message PerformanceFigure {
  uint32 octaneRating = 1;
  repeated Acceleration acceleration = 2;
}

message Car {
  uint64 serialNumber = 1;
  uint32 modelYear = 2;
  uint32 available = 3;
  uint32 code = 4;
  repeated uint32 someNumbers = 5;
  string vehicleCode = 6;
  uint32 extras = 7;
  Engine engine = 8;
  repeated FuelFigure fuelFigures = 9;
  repeated PerformanceFigure performanceFigures = 10;
  string manufacturer = 11;
  string model = 12;
  string activationCode = 13;
}
`;

function decodeLongsAsNumbers(): void {
  protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
  protobuf.configure();
}

const typeNames = { book46: 'zerotick.bench.MDIncrementalRefreshBook46', car: 'zerotick.bench.Car' } as const;

export function createProtobufCodec(kind: MessageKind): Codec {
  decodeLongsAsNumbers();
  const type = protobuf.parse(PROTO_SOURCE, { keepCase: true }).root.lookupType(typeNames[kind]);
  const message = type.fromObject(contents[kind]);
  const checksum = monomorphicCopy(contentChecksums[kind] as (value: unknown) => number, `protobufjs ${kind}`);
  return codecOverEncodedValue(
    'protobufjs',
    () => type.encode(message).finish(),
    (bytes) => checksum(type.decode(bytes)),
  );
}
