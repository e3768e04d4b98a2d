/**
 * FlatBuffers code for the MDIncrementalRefreshBook46 content, written by hand to be what
 * `flatc --ts` (FlatBuffers 25) prints for this schema: flatc is not installed on this machine.
 * Same accessor/builder shapes, vtable slots and struct layout as flatc's output:
 *
 *   struct MDEntry {            // 32 bytes, 8-aligned
 *     mdEntryPx: long;          // 0
 *     mdEntrySize: int;         // 8
 *     securityId: int;          // 12
 *     rptSeq: uint;             // 16
 *     numberOfOrders: int;      // 20
 *     mdPriceLevel: ubyte;      // 24
 *     mdUpdateAction: ubyte;    // 25
 *     mdEntryType: byte;        // 26 (+5 bytes padding)
 *   }
 *   table MDIncrementalRefreshBook46 {
 *     transactTime: ulong;
 *     matchEventIndicator: ubyte;
 *     noMDEntries: [MDEntry];
 *   }
 *   root_type MDIncrementalRefreshBook46;
 */
import * as flatbuffers from 'flatbuffers';

export class MDEntry {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): MDEntry {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  mdEntryPx(): bigint {
    return this.bb!.readInt64(this.bb_pos);
  }

  mdEntrySize(): number {
    return this.bb!.readInt32(this.bb_pos + 8);
  }

  securityId(): number {
    return this.bb!.readInt32(this.bb_pos + 12);
  }

  rptSeq(): number {
    return this.bb!.readUint32(this.bb_pos + 16);
  }

  numberOfOrders(): number {
    return this.bb!.readInt32(this.bb_pos + 20);
  }

  mdPriceLevel(): number {
    return this.bb!.readUint8(this.bb_pos + 24);
  }

  mdUpdateAction(): number {
    return this.bb!.readUint8(this.bb_pos + 25);
  }

  mdEntryType(): number {
    return this.bb!.readInt8(this.bb_pos + 26);
  }

  static sizeOf(): number {
    return 32;
  }

  static createMDEntry(
    builder: flatbuffers.Builder,
    md_entry_px: bigint,
    md_entry_size: number,
    security_id: number,
    rpt_seq: number,
    number_of_orders: number,
    md_price_level: number,
    md_update_action: number,
    md_entry_type: number,
  ): flatbuffers.Offset {
    builder.prep(8, 32);
    builder.pad(5);
    builder.writeInt8(md_entry_type);
    builder.writeInt8(md_update_action);
    builder.writeInt8(md_price_level);
    builder.writeInt32(number_of_orders);
    builder.writeInt32(rpt_seq);
    builder.writeInt32(security_id);
    builder.writeInt32(md_entry_size);
    builder.writeInt64(BigInt(md_entry_px ?? 0));
    return builder.offset();
  }
}

export class MDIncrementalRefreshBook46 {
  bb: flatbuffers.ByteBuffer | null = null;
  bb_pos = 0;

  __init(i: number, bb: flatbuffers.ByteBuffer): MDIncrementalRefreshBook46 {
    this.bb_pos = i;
    this.bb = bb;
    return this;
  }

  static getRootAsMDIncrementalRefreshBook46(bb: flatbuffers.ByteBuffer, obj?: MDIncrementalRefreshBook46): MDIncrementalRefreshBook46 {
    return (obj || new MDIncrementalRefreshBook46()).__init(bb.readInt32(bb.position()) + bb.position(), bb);
  }

  transactTime(): bigint {
    const offset = this.bb!.__offset(this.bb_pos, 4);
    return offset ? this.bb!.readUint64(this.bb_pos + offset) : BigInt('0');
  }

  matchEventIndicator(): number {
    const offset = this.bb!.__offset(this.bb_pos, 6);
    return offset ? this.bb!.readUint8(this.bb_pos + offset) : 0;
  }

  noMDEntries(index: number, obj?: MDEntry): MDEntry | null {
    const offset = this.bb!.__offset(this.bb_pos, 8);
    return offset ? (obj || new MDEntry()).__init(this.bb!.__vector(this.bb_pos + offset) + index * 32, this.bb!) : null;
  }

  noMDEntriesLength(): number {
    const offset = this.bb!.__offset(this.bb_pos, 8);
    return offset ? this.bb!.__vector_len(this.bb_pos + offset) : 0;
  }

  static startMDIncrementalRefreshBook46(builder: flatbuffers.Builder): void {
    builder.startObject(3);
  }

  static addTransactTime(builder: flatbuffers.Builder, transactTime: bigint): void {
    builder.addFieldInt64(0, transactTime, BigInt('0'));
  }

  static addMatchEventIndicator(builder: flatbuffers.Builder, matchEventIndicator: number): void {
    builder.addFieldInt8(1, matchEventIndicator, 0);
  }

  static addNoMDEntries(builder: flatbuffers.Builder, noMDEntriesOffset: flatbuffers.Offset): void {
    builder.addFieldOffset(2, noMDEntriesOffset, 0);
  }

  static startNoMDEntriesVector(builder: flatbuffers.Builder, numElems: number): void {
    builder.startVector(32, numElems, 8);
  }

  static endMDIncrementalRefreshBook46(builder: flatbuffers.Builder): flatbuffers.Offset {
    return builder.endObject();
  }

  static finishMDIncrementalRefreshBook46Buffer(builder: flatbuffers.Builder, offset: flatbuffers.Offset): void {
    builder.finish(offset);
  }
}
