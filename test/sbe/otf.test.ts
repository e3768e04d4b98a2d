import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAME_END, FRAME_MESSAGE } from '../../src/feed/framing/framing.js';
import { createMdp3Cursor } from '../../src/feed/framing/mdp3.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import type { Schema } from '../../src/sbe/ir.js';
import { OtfDecodeError, decodeMessage, decodeMessageHeader } from '../../src/sbe/otf.js';
import { loadSchemaOrThrow, parseSchemaText } from '../../src/sbe/parser.js';
import { schemaXml } from '../support/sbe-schema.js';

const peer = (path: string) => new URL(`../../../shared/peer/${path}`, import.meta.url).pathname;
const carSchema = loadSchemaOrThrow(peer('sbe-golden/example-schema.xml'));
const carExtensionSchema = loadSchemaOrThrow(peer('sbe-golden/example-extension-schema.xml'));
const baseline = readFileSync(peer('sbe-golden/car_example_baseline_data.sbe'));
const extension = readFileSync(peer('sbe-golden/car_example_extension_data.sbe'));

/** A view that ends exactly where the bytes end: a read past them throws RangeError, not OtfDecodeError. */
function exactView(bytes: Uint8Array): DataView {
  const copy = Uint8Array.from(bytes);
  return new DataView(copy.buffer);
}

function decodeBytes(schema: Schema, bytes: Uint8Array) {
  return decodeMessage(schema, exactView(bytes), 0, bytes.byteLength);
}

function decodeError(run: () => unknown): OtfDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof OtfDecodeError) return error;
    throw error;
  }
  throw new Error('expected an OtfDecodeError');
}

/** Every value ../shared/peer/README.md lists for the baseline Car (names as in the schema). */
const carFields = {
  serialNumber: 1234,
  modelYear: 2013,
  available: 'T',
  code: 'A',
  someNumbers: [1, 2, 3, 4],
  vehicleCode: 'abcdef',
  extras: ['sportsPack', 'cruiseControl'],
  discountedModel: 'C',
  engine: {
    capacity: 2000,
    numCylinders: 4,
    maxRpm: 9000,
    manufacturerCode: '123',
    fuel: 'Petrol',
    efficiency: 35,
    boosterEnabled: 'T',
    booster: { BoostType: 'NITROUS', horsePower: 200 },
  },
  fuelFigures: [
    { speed: 30, mpg: 35.900001525878906, usageDescription: 'Urban Cycle' },
    { speed: 55, mpg: 49, usageDescription: 'Combined Cycle' },
    { speed: 75, mpg: 40, usageDescription: 'Highway Cycle' },
  ],
  performanceFigures: [
    {
      octaneRating: 95,
      acceleration: [
        { mph: 30, seconds: 4 },
        { mph: 60, seconds: 7.5 },
        { mph: 100, seconds: Math.fround(12.2) },
      ],
    },
    {
      octaneRating: 99,
      acceleration: [
        { mph: 30, seconds: Math.fround(3.8) },
        { mph: 60, seconds: Math.fround(7.1) },
        { mph: 100, seconds: Math.fround(11.8) },
      ],
    },
  ],
  manufacturer: 'Honda',
  model: 'Civic VTi',
  activationCode: 'abcdef',
};

/** The baseline Car re-encoded as version 1: the block grows by uuid (2 x int64) and cupHolderCount (uint8). */
function carVersion1(uuid: [bigint, bigint], cupHolderCount: number): Uint8Array {
  const v1Extra = 17;
  const bytes = new Uint8Array(baseline.byteLength + v1Extra);
  bytes.set(baseline.subarray(0, 8 + 45));
  bytes.set(baseline.subarray(8 + 45), 8 + 45 + v1Extra);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 45 + v1Extra, true); // blockLength
  view.setUint16(6, 1, true); // version
  view.setBigInt64(8 + 45, uuid[0], true);
  view.setBigInt64(8 + 53, uuid[1], true);
  view.setUint8(8 + 61, cupHolderCount);
  return bytes;
}

describe('OTF decoding of the Car golden file', () => {
  it('reads every value the reference encoder wrote', () => {
    // when
    const message = decodeBytes(carSchema, baseline);

    // then
    expect(message).toEqual({
      templateId: 1,
      name: 'Car',
      schemaId: 1,
      version: 0,
      blockLength: 45,
      encodedLength: 207,
      fields: carFields,
    });
    expect(JSON.stringify(message.fields.fuelFigures)).toContain('"mpg":35.900001525878906');
  });

  it('reads the v0 files with the v1 extension schema: v1-only fields are null', () => {
    const fromBaseline = decodeBytes(carExtensionSchema, baseline);
    const fromExtension = decodeBytes(carExtensionSchema, extension);

    expect(fromBaseline.fields).toEqual({ ...carFields, uuid: null, cupHolderCount: null });
    expect(fromExtension.fields).toEqual({ ...carFields, someNumbers: [0, 1, 2, 3], uuid: null, cupHolderCount: null });
    expect(fromExtension.encodedLength).toBe(207);
  });

  it('reads a v1 message with the v1 schema, and with the v0 schema by skipping the block bytes it does not know', () => {
    // given
    const bytes = carVersion1([-1n, 0x7fff_ffff_ffff_fff0n], 3);

    // when
    const asV1 = decodeBytes(carExtensionSchema, bytes);
    const asV0 = decodeBytes(carSchema, bytes);

    // then
    expect(asV1.fields).toEqual({ ...carFields, uuid: [-1, '9223372036854775792'], cupHolderCount: 3 });
    expect(asV0.fields).toEqual(carFields);
    expect([asV0.version, asV0.blockLength, asV0.encodedLength]).toEqual([1, 62, 224]);
  });

  it('steps through group entries by their wire blockLength, skipping entry bytes the schema does not know', () => {
    // given the fuel figures re-encoded by a newer writer whose entries carry 2 more block bytes
    const fuelFiguresOffset = 8 + 45;
    const entries = [
      [30, 35.9, 'Urban Cycle'],
      [55, 49, 'Combined Cycle'],
      [75, 40, 'Highway Cycle'],
    ] as const;
    const rest = baseline.subarray(fuelFiguresOffset + 4 + entries.reduce((sum, [, , text]) => sum + 6 + 4 + text.length, 0));
    const bytes: number[] = [...baseline.subarray(0, fuelFiguresOffset), 8, 0, entries.length, 0];
    for (const [speed, mpg, text] of entries) {
      const block = new DataView(new ArrayBuffer(8));
      block.setUint16(0, speed, true);
      block.setFloat32(2, mpg, true);
      block.setUint16(6, 0xbeef, true); // unknown to this schema
      bytes.push(...new Uint8Array(block.buffer), text.length, 0, 0, 0, ...Buffer.from(text, 'ascii'));
    }
    bytes.push(...rest);

    // when
    const message = decodeBytes(carSchema, Uint8Array.from(bytes));

    // then
    expect(message.fields).toEqual(carFields);
    expect(message.encodedLength).toBe(baseline.byteLength + 3 * 2);
  });

  it('names the field and byte offset where a truncated message ends', () => {
    // given the message cut inside the third fuel figure's description ("Highway Cycle" starts at 112)
    const cut = baseline.subarray(0, 120);

    // when
    const error = decodeError(() => decodeBytes(carSchema, cut));

    // then
    expect(error.fieldPath).toBe('fuelFigures[2].usageDescription');
    expect(error.byteOffset).toBe(112);
    expect(error.message).toBe('fuelFigures[2].usageDescription at byte offset 112: needs 13 bytes, only 8 left before the message ends at 120');
  });

  it('never reads past offset + length, whatever the cut', () => {
    // given the Car inside a larger buffer, followed by bytes that would decode if read
    const buffer = new Uint8Array(50 + 2 * baseline.byteLength);
    buffer.set(baseline, 50);
    buffer.set(baseline, 50 + baseline.byteLength);
    const view = new DataView(buffer.buffer);

    for (let length = 0; length < baseline.byteLength; length++) {
      // when / then: every proper prefix fails inside its own bounds
      const error = decodeError(() => decodeMessage(carSchema, view, 50, length));
      expect(error.byteOffset, `length ${length}`).toBeLessThanOrEqual(50 + length);
    }
  });

  it('gives a value or an OtfDecodeError for any corruption, never an out-of-bounds read', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(baseline.byteLength - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(baseline.byteLength),
        (corruptions, length) => {
          const bytes = Uint8Array.from(baseline);
          for (const [index, value] of corruptions) bytes[index] = value;
          try {
            const message = decodeMessage(carSchema, exactView(bytes.subarray(0, length)), 0, length);
            expect(message.encodedLength).toBeLessThanOrEqual(length);
          } catch (error) {
            // a RangeError here would mean a read past the view
            expect(error).toBeInstanceOf(OtfDecodeError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects an unknown template and a foreign schema id at the header', () => {
    const unknownTemplate = Uint8Array.from(baseline);
    new DataView(unknownTemplate.buffer).setUint16(2, 99, true);
    const foreignSchema = Uint8Array.from(baseline);
    new DataView(foreignSchema.buffer).setUint16(4, 7, true);

    expect(decodeError(() => decodeBytes(carSchema, unknownTemplate)).message).toBe(
      'messageHeader.templateId at byte offset 0: unknown template id 99',
    );
    expect(decodeError(() => decodeBytes(carSchema, foreignSchema)).message).toBe(
      "messageHeader.schemaId at byte offset 0: schema id 7 is not this schema's id 1",
    );
    expect(decodeMessageHeader(carSchema, exactView(baseline), 0, baseline.byteLength)).toEqual({
      blockLength: 45,
      templateId: 1,
      schemaId: 1,
      version: 0,
      headerLength: 8,
    });
  });

  it('refuses a group count the remaining bytes cannot hold before building its entries', () => {
    const bytes = Uint8Array.from(baseline);
    new DataView(bytes.buffer).setUint16(8 + 45 + 2, 60_000, true); // fuelFigures numInGroup
    const error = decodeError(() => decodeBytes(carSchema, bytes));
    expect(error.fieldPath).toBe('fuelFigures');
    expect(error.reason).toMatch(/^numInGroup 60000 needs at least \d+ bytes/);
  });
});

describe('OTF value rules', () => {
  const { schema, diagnostics } = parseSchemaText(
    schemaXml({ package: 't', id: 9, version: 0, byteOrder: 'bigEndian' }, `
    <composite name="groupSizeEncoding">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/>
    </composite>
    <composite name="blob">
      <type name="length" primitiveType="uint8"/>
      <type name="varData" primitiveType="uint8" length="0"/>
    </composite>
    <type name="OptionalInt64" primitiveType="int64" presence="optional"/>
    <type name="OptionalDouble" primitiveType="double" presence="optional"/>
    <type name="Symbol" primitiveType="char" length="4"/>
    <enum name="Side" encodingType="char">
      <validValue name="Buy">1</validValue>
      <validValue name="Sell">2</validValue>
    </enum>
    <set name="Flags" encodingType="uint64">
      <choice name="low">0</choice>
      <choice name="high">63</choice>
    </set>
`, `
  <sbe:message name="Values" id="5">
    <field name="big" id="1" type="uint64"/>
    <field name="missing" id="2" type="OptionalInt64"/>
    <field name="noPrice" id="3" type="OptionalDouble"/>
    <field name="symbol" id="4" type="Symbol"/>
    <field name="side" id="5" type="Side"/>
    <field name="otherSide" id="6" type="Side"/>
    <field name="flags" id="7" type="Flags"/>
    <data name="payload" id="8" type="blob"/>
  </sbe:message>
`),
    'values.xml',
  );

  it('prints 64-bit integers beyond 2^53 as strings, nulls as null, unknown enum values as numbers, binary data as hex', () => {
    // given a big-endian message
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const blockLength = 38;
    const bytes = new Uint8Array(8 + blockLength + 1 + 3);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, blockLength);
    view.setUint16(2, 5);
    view.setUint16(4, 9);
    view.setBigUint64(8, 2n ** 60n + 1n);
    view.setBigInt64(16, -(2n ** 63n)); // the int64 null value
    view.setFloat64(24, Number.NaN); // the double null value
    bytes.set([0x41, 0x42, 0, 0x43], 32); // "AB", NUL, junk after it
    bytes[36] = 0x32; // '2' = Sell
    bytes[37] = 0x39; // '9': not a valid value
    view.setBigUint64(38, (1n << 63n) | 1n);
    bytes.set([3, 0xde, 0xad, 0x01], 8 + blockLength); // var data: length 3, then the bytes

    // when
    const message = decodeMessage(schema!, view, 0, bytes.byteLength);

    // then
    expect(message.fields).toEqual({
      big: '1152921504606846977',
      missing: null,
      noPrice: null,
      symbol: 'AB',
      side: 'Sell',
      otherSide: 0x39,
      flags: ['low', 'high'],
      payload: 'dead01',
    });
  });
});

describe('OTF decoding of the real MDP3 v1.9 captures', () => {
  const mdp3Schema = loadSchemaOrThrow(peer('mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml'));
  const captures = readdirSync(peer('mdp3')).filter((name) => name.endsWith('.pcap'));

  it.each(captures)('decodes every message of %s to exactly its MsgSize', (name) => {
    // given
    const reader = CaptureReader.open(peer(`mdp3/${name}`));
    const datagram = new UdpDatagram();
    const cursor = createMdp3Cursor();
    const names = new Set<string>();

    while (reader.next(datagram)) {
      expect(cursor.wrap(reader.view, datagram.payloadOffset, datagram.payloadLength)).toBe(FRAME_END);
      while (cursor.next() === FRAME_MESSAGE) {
        // when
        const message = decodeMessage(mdp3Schema, reader.view, cursor.messageOffset, cursor.messageLength);

        // then the body accounts for every byte the frame gave it
        expect(message.encodedLength).toBe(cursor.messageLength);
        expect(message.schemaId).toBe(1);
        expect(message.version).toBe(9);
        names.add(message.name);
      }
    }
    expect(names.size).toBeGreaterThan(0);
    expect([...names].every((messageName) => messageName.startsWith('MDIncrementalRefresh'))).toBe(true);
  });

  it('reads RptSeq rising by one per instrument through every capture, as CME sends it', () => {
    for (const name of captures) {
      // given
      const reader = CaptureReader.open(peer(`mdp3/${name}`));
      const datagram = new UdpDatagram();
      const cursor = createMdp3Cursor();
      const lastRptSeq = new Map<number, number>();
      let checked = 0;

      while (reader.next(datagram)) {
        cursor.wrap(reader.view, datagram.payloadOffset, datagram.payloadLength);
        while (cursor.next() === FRAME_MESSAGE) {
          // when
          const { fields } = decodeMessage(mdp3Schema, reader.view, cursor.messageOffset, cursor.messageLength);

          // then
          for (const entry of (fields.NoMDEntries ?? []) as Array<{ SecurityID: number; RptSeq?: number }>) {
            if (entry.RptSeq === undefined) continue;
            const previous = lastRptSeq.get(entry.SecurityID);
            if (previous !== undefined) {
              expect(entry.RptSeq, `${name} SecurityID ${entry.SecurityID}`).toBe(previous + 1);
              checked++;
            }
            lastRptSeq.set(entry.SecurityID, entry.RptSeq);
          }
        }
      }
      if (name !== 'v1.9-MdIncrementalRefreshOrderBook.pcap') expect(checked, name).toBeGreaterThan(0);
    }
  });

  it('reads the first book update of the Book capture', () => {
    const reader = CaptureReader.open(peer('mdp3/v1.9-MdIncrementalRefreshBook.pcap'));
    const datagram = new UdpDatagram();
    reader.next(datagram);
    const cursor = createMdp3Cursor();
    cursor.wrap(reader.view, datagram.payloadOffset, datagram.payloadLength);
    cursor.next();

    const message = decodeMessage(mdp3Schema, reader.view, cursor.messageOffset, cursor.messageLength);

    expect(message.name).toBe('MDIncrementalRefreshBook46');
    expect(message.fields.TransactTime).toBe('1536760535644820404');
    expect(message.fields.MatchEventIndicator).toEqual(['LastQuoteMsg']);
    const entries = message.fields.NoMDEntries as Array<Record<string, unknown>>;
    expect(entries[0]).toEqual({
      MDEntryPx: { mantissa: 15230000000000, exponent: -9 },
      MDEntrySize: 1,
      SecurityID: 157660,
      RptSeq: 411,
      NumberOfOrders: 1,
      MDPriceLevel: 1,
      MDUpdateAction: 'Delete',
      MDEntryType: 'Offer',
    });
  });
});
