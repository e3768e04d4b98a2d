/**
 * FlatBuffers code for the Car content, written by hand to be what `flatc --ts` (FlatBuffers 25)
 * prints for this schema: flatc is not installed on this machine. Same accessor/builder shapes,
 * vtable slots and struct layouts as flatc's output:
 *
 *   struct Booster { boostType: ubyte; horsePower: ubyte; }          // 2 bytes
 *   struct Acceleration { mph: ushort; seconds: float; }             // 8 bytes, 4-aligned
 *   table Engine { capacity: ushort; numCylinders: ubyte; manufacturerCode: string;
 *                  efficiency: byte; boosterEnabled: ubyte; booster: Booster; }
 *   table FuelFigure { speed: ushort; mpg: float; usageDescription: string; }
 *   table PerformanceFigure { octaneRating: ubyte; acceleration: [Acceleration]; }
 *   table Car { serialNumber: ulong; modelYear: ushort; available: ubyte; code: ubyte;
 *               someNumbers: [uint]; vehicleCode: string; extras: ubyte; engine: Engine;
 *               fuelFigures: [FuelFigure]; performanceFigures: [PerformanceFigure];
 *               manufacturer: string; model: string; activationCode: string; }
 *   root_type Car;
 */
import * as flatbuffers from 'flatbuffers';

export class Booster {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): Booster {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  boostType(): number {
    return this.bb!.readUint8(this.bb_pos);
  }

  horsePower(): number {
    return this.bb!.readUint8(this.bb_pos + 1);
  }

  static sizeOf(): number {
    return 2;
  }

  static createBooster(builder: flatbuffers.Builder, boost_type: number, horse_power: number): flatbuffers.Offset {
    builder.prep(1, 2);
    builder.writeInt8(horse_power);
    builder.writeInt8(boost_type);
    return builder.offset();
  }
}

export class Acceleration {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): Acceleration {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  mph(): number {
    return this.bb!.readUint16(this.bb_pos);
  }

  seconds(): number {
    return this.bb!.readFloat32(this.bb_pos + 4);
  }

  static sizeOf(): number {
    return 8;
  }

  static createAcceleration(builder: flatbuffers.Builder, mph: number, seconds: number): flatbuffers.Offset {
    builder.prep(4, 8);
    builder.writeFloat32(seconds);
    builder.pad(2);
    builder.writeInt16(mph);
    return builder.offset();
  }
}

export class Engine {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): Engine {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  capacity(): number {
    const offset = this.bb!.__offset(this.bb_pos, 4);
    return offset ? this.bb!.readUint16(this.bb_pos + offset) : 0;
  }

  numCylinders(): number {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  manufacturerCode(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 8);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  efficiency(): number {
    const offset = this.bb!.__offset(this.bb_pos, 10);
    return offset ? this.bb!.readInt8(this.bb_pos + offset) : 0;
  }

  boosterEnabled(): number {
    const offset = this.bb!.__offset(this.bb_pos, 12);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  booster(obj?: Booster): Booster | null {
    const offset = this.bb!.__offset(this.bb_pos, 14);
    return offset ? (obj || new Booster()).__init(this.bb_pos + offset, this.bb!) : null;
  }

  static startEngine(builder: flatbuffers.Builder): void {
    builder.startObject(6);
  }

  static addCapacity(builder: flatbuffers.Builder, capacity: number): void {
    builder.addFieldInt16(0, capacity, 0);
  }

  static addNumCylinders(builder: flatbuffers.Builder, numCylinders: number): void {
    builder.addFieldInt8(1, numCylinders, 0);
  }

  static addManufacturerCode(builder: flatbuffers.Builder, manufacturerCodeOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(2, manufacturerCodeOffset, 0);
  }

  static addEfficiency(builder: flatbuffers.Builder, efficiency: number): void {
    builder.addFieldInt8(3, efficiency, 0);
  }

  static addBoosterEnabled(builder: flatbuffers.Builder, boosterEnabled: number): void {
    builder.addFieldInt8(4, boosterEnabled, 0);
  }

  static addBooster(builder: flatbuffers.Builder, boosterOffset: flatbuffers.Offset): void {
    builder.addFieldStruct(5, boosterOffset, 0);
  }

  static endEngine(builder: flatbuffers.Builder): flatbuffers.Offset {
    return builder.endObject();
  }
}

export class FuelFigure {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): FuelFigure {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  speed(): number {
    const offset = this.bb!.__offset(this.bb_pos, 4);
    return offset ? this.bb!.readUint16(this.bb_pos + offset) : 0;
  }

  mpg(): number {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? this.bb!.readFloat32(this.bb_pos + offset) : 0.0;
  }

  usageDescription(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 8);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  static startFuelFigure(builder: flatbuffers.Builder): void {
    builder.startObject(3);
  }

  static addSpeed(builder: flatbuffers.Builder, speed: number): void {
    builder.addFieldInt16(0, speed, 0);
  }

  static addMpg(builder: flatbuffers.Builder, mpg: number): void {
    builder.addFieldFloat32(1, mpg, 0.0);
  }

  static addUsageDescription(builder: flatbuffers.Builder, usageDescriptionOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(2, usageDescriptionOffset, 0);
  }

  static endFuelFigure(builder: flatbuffers.Builder): flatbuffers.Offset {
    return builder.endObject();
  }
}

export class PerformanceFigure {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): PerformanceFigure {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  octaneRating(): number {
    const offset = this.bb!.__offset(this.bb_pos, 4);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  acceleration(index: number, obj?: Acceleration): Acceleration | null {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? (obj || new Acceleration()).__init(this.bb!.__vector(this.bb_pos + offset) + index * 8, this.bb!) : null;
  }

  accelerationLength(): number {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? this.bb!.__vector_len(this.bb_pos + offset) : 0;
  }

  static startPerformanceFigure(builder: flatbuffers.Builder): void {
    builder.startObject(2);
  }

  static addOctaneRating(builder: flatbuffers.Builder, octaneRating: number): void {
    builder.addFieldInt8(0, octaneRating, 0);
  }

  static addAcceleration(builder: flatbuffers.Builder, accelerationOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(1, accelerationOffset, 0);
  }

  static startAccelerationVector(builder: flatbuffers.Builder, numElems: number): void {
    builder.startVector(8, numElems, 4);
  }

  static endPerformanceFigure(builder: flatbuffers.Builder): flatbuffers.Offset {
    return builder.endObject();
  }
}

export class Car {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): Car {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  static getRootAsCar(bb: flatbuffers.ByteBuffer, obj?: Car): Car {
    return (obj || new Car()).__init(bb.readInt32(bb.position()) + bb.position(), bb);
  }

  serialNumber(): bigint {
    const offset = this.bb!.__offset(this.bb_pos, 4);
    return offset ? this.bb!.readUint64(this.bb_pos + offset) : BigInt('0');
  }

  modelYear(): number {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? this.bb!.readUint16(this.bb_pos + offset) : 0;
  }

  available(): number {
    const offset = this.bb!.__offset(this.bb_pos, 8);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  code(): number {
    const offset = this.bb!.__offset(this.bb_pos, 10);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  someNumbers(index: number): number | null {
    const offset = this.bb!.__offset(this.bb_pos, 12);
    return offset ? this.bb!.readUint32(this.bb!.__vector(this.bb_pos + offset) + index * 4) : 0;
  }

  someNumbersLength(): number {
    const offset = this.bb!.__offset(this.bb_pos, 12);
    return offset ? this.bb!.__vector_len(this.bb_pos + offset) : 0;
  }

  vehicleCode(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 14);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  extras(): number {
    const offset = this.bb!.__offset(this.bb_pos, 16);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  engine(obj?: Engine): Engine | null {
    const offset = this.bb!.__offset(this.bb_pos, 18);
    return offset ? (obj || new Engine()).__init(this.bb!.__indirect(this.bb_pos + offset), this.bb!) : null;
  }

  fuelFigures(index: number, obj?: FuelFigure): FuelFigure | null {
    const offset = this.bb!.__offset(this.bb_pos, 20);
    return offset
      ? (obj || new FuelFigure()).__init(this.bb!.__indirect(this.bb!.__vector(this.bb_pos + offset) + index * 4), this.bb!)
      : null;
  }

  fuelFiguresLength(): number {
    const offset = this.bb!.__offset(this.bb_pos, 20);
    return offset ? this.bb!.__vector_len(this.bb_pos + offset) : 0;
  }

  performanceFigures(index: number, obj?: PerformanceFigure): PerformanceFigure | null {
    const offset = this.bb!.__offset(this.bb_pos, 22);
    return offset
      ? (obj || new PerformanceFigure()).__init(this.bb!.__indirect(this.bb!.__vector(this.bb_pos + offset) + index * 4), this.bb!)
      : null;
  }

  performanceFiguresLength(): number {
    const offset = this.bb!.__offset(this.bb_pos, 22);
    return offset ? this.bb!.__vector_len(this.bb_pos + offset) : 0;
  }

  manufacturer(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 24);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  model(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 26);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  activationCode(): string | null {
    const offset = this.bb!.__offset(this.bb_pos, 28);
    return offset ? (this.bb!.__string(this.bb_pos + offset) as string) : null;
  }

  static startCar(builder: flatbuffers.Builder): void {
    builder.startObject(13);
  }

  static addSerialNumber(builder: flatbuffers.Builder, serialNumber: bigint): void {
    builder.addFieldInt64(0, serialNumber, BigInt('0'));
  }

  static addModelYear(builder: flatbuffers.Builder, modelYear: number): void {
    builder.addFieldInt16(1, modelYear, 0);
  }

  static addAvailable(builder: flatbuffers.Builder, available: number): void {
    builder.addFieldInt8(2, available, 0);
  }

  static addCode(builder: flatbuffers.Builder, code: number): void {
    builder.addFieldInt8(3, code, 0);
  }

  static addSomeNumbers(builder: flatbuffers.Builder, someNumbersOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(4, someNumbersOffset, 0);
  }

  static createSomeNumbersVector(builder: flatbuffers.Builder, data: number[] | Uint32Array): flatbuffers.Offset {
    builder.startVector(4, data.length, 4);
    for (let i = data.length - 1; i >= 0; i--) {
      builder.addInt32(data[i]!);
    }
    return builder.endVector();
  }

  static addVehicleCode(builder: flatbuffers.Builder, vehicleCodeOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(5, vehicleCodeOffset, 0);
  }

  static addExtras(builder: flatbuffers.Builder, extras: number): void {
    builder.addFieldInt8(6, extras, 0);
  }

  static addEngine(builder: flatbuffers.Builder, engineOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(7, engineOffset, 0);
  }

  static addFuelFigures(builder: flatbuffers.Builder, fuelFiguresOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(8, fuelFiguresOffset, 0);
  }

  static createFuelFiguresVector(builder: flatbuffers.Builder, data: flatbuffers.Offset[]): flatbuffers.Offset {
    builder.startVector(4, data.length, 4);
    for (let i = data.length - 1; i >= 0; i--) {
      builder.addOffset(data[i]!);
    }
    return builder.endVector();
  }

  static addPerformanceFigures(builder: flatbuffers.Builder, performanceFiguresOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(9, performanceFiguresOffset, 0);
  }

  static createPerformanceFiguresVector(builder: flatbuffers.Builder, data: flatbuffers.Offset[]): flatbuffers.Offset {
    builder.startVector(4, data.length, 4);
    for (let i = data.length - 1; i >= 0; i--) {
      builder.addOffset(data[i]!);
    }
    return builder.endVector();
  }

  static addManufacturer(builder: flatbuffers.Builder, manufacturerOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(10, manufacturerOffset, 0);
  }

  static addModel(builder: flatbuffers.Builder, modelOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(11, modelOffset, 0);
  }

  static addActivationCode(builder: flatbuffers.Builder, activationCodeOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(12, activationCodeOffset, 0);
  }

  static endCar(builder: flatbuffers.Builder): flatbuffers.Offset {
    return builder.endObject();
  }

  static finishCarBuffer(builder: flatbuffers.Builder, offset: flatbuffers.Offset): void {
    builder.finish(offset);
  }
}
