/**
 * Schema evolution: a decoder honours the block length and version the data was written with.
 * A newer decoder reads older data (new fields are null, new var data is empty) and an older
 * decoder reads newer data (it skips the bytes it does not know: the larger block, the larger
 * group entries, trailing var data) and finds every group and var data where it is.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/sbe/diagnostics.js';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { loadSchemaOrThrow, parseSchemaText } from '../../src/sbe/parser.js';
import type { Schema } from '../../src/sbe/ir.js';
import { schemaXml } from '../support/sbe-schema.js';

type TradeV0 = typeof import('../.generated/evolution/v0/trades.js');
type TradeV1 = typeof import('../.generated/evolution/v1/trades.js');
type Baseline = typeof import('../.generated/evolution/car-v0/baseline.js');
type Extension = typeof import('../.generated/evolution/car-v1/extension.js');

const generatedDir = (name: string): string => fileURLToPath(new URL(`../.generated/evolution/${name}/`, import.meta.url));
const golden = (name: string): string => fileURLToPath(new URL(`../../../shared/peer/sbe-golden/${name}`, import.meta.url));

/** Version 0 of a small schema; version 1 adds a block field, a group entry field and trailing var data. */
function tradesSchema(version: 0 | 1): string {
  const v1 = (xml: string): string => (version === 1 ? xml : '');
  return schemaXml({ package: 'trades', id: 7, version, byteOrder: 'littleEndian' }, `
    <composite name="groupSizeEncoding">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/>
    </composite>
    <composite name="varString">
      <type name="length" primitiveType="uint16"/>
      <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
    </composite>
    <type name="Qty" primitiveType="int32" presence="optional"/>
`, `
  <sbe:message name="Trades" id="1">
    <field name="tradeDate" id="1" type="uint16"/>
    <field name="price" id="2" type="int64"/>
    ${v1('<field name="venueQty" id="3" type="Qty" sinceVersion="1"/>')}
    <group name="fills" id="10" dimensionType="groupSizeEncoding">
      <field name="qty" id="11" type="int32"/>
      ${v1('<field name="fee" id="12" type="double" presence="optional" sinceVersion="1"/>')}
      <group name="legs" id="13" dimensionType="groupSizeEncoding">
        <field name="ratio" id="14" type="uint8"/>
      </group>
      <data name="note" id="15" type="varString"/>
    </group>
    <data name="trader" id="20" type="varString"/>
    ${v1('<data name="comment" id="21" type="varString" sinceVersion="1"/>')}
  </sbe:message>
`);
}

function parse(xml: string, file: string): Schema {
  const { schema, diagnostics } = parseSchemaText(xml, file);
  if (schema === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  return schema;
}

let v0: TradeV0;
let v1: TradeV1;
let baseline: Baseline;
let extension: Extension;

beforeAll(async () => {
  writeGeneratedCode(parse(tradesSchema(0), 'trades-v0.xml'), generatedDir('v0'));
  writeGeneratedCode(parse(tradesSchema(1), 'trades-v1.xml'), generatedDir('v1'));
  writeGeneratedCode(loadSchemaOrThrow(golden('example-schema.xml')), generatedDir('car-v0'));
  writeGeneratedCode(loadSchemaOrThrow(golden('example-extension-schema.xml')), generatedDir('car-v1'));
  v0 = (await import(`${generatedDir('v0')}trades.ts`)) as TradeV0;
  v1 = (await import(`${generatedDir('v1')}trades.ts`)) as TradeV1;
  baseline = (await import(`${generatedDir('car-v0')}baseline.ts`)) as Baseline;
  extension = (await import(`${generatedDir('car-v1')}extension.ts`)) as Extension;
});

/** What a decoder of either version sees of a message, read in schema order. */
interface TradeView {
  tradeDate: number;
  price: number;
  fills: Array<{ qty: number; legs: number[]; note: string }>;
  trader: string;
}

function writeV0(view: DataView): number {
  const trades = new v0.TradesEncoder().wrapAndApplyHeader(view, 0, new v0.MessageHeaderEncoder());
  trades.tradeDate(20_000).price(-12_345_678_901);
  const fills = trades.fillsCount(2);
  fills.next().qty(5).legsCount(2).next().ratio(1).next().ratio(3);
  fills.noteFromString('first');
  fills.next().qty(-7).legsCount(0);
  fills.noteFromString('');
  trades.traderFromString('alice');
  return v0.MessageHeaderEncoder.ENCODED_LENGTH + trades.encodedLength();
}

function writeV1(view: DataView): number {
  const trades = new v1.TradesEncoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderEncoder());
  trades.tradeDate(20_000).price(-12_345_678_901).venueQty(99);
  const fills = trades.fillsCount(2);
  fills.next().qty(5).fee(0.25).legsCount(2).next().ratio(1).next().ratio(3);
  fills.noteFromString('first');
  fills.next().qty(-7).fee(1.5).legsCount(0);
  fills.noteFromString('');
  trades.traderFromString('alice').commentFromString('v1 only');
  return v1.MessageHeaderEncoder.ENCODED_LENGTH + trades.encodedLength();
}

/** Reads everything version 0 knows about; works on both decoders' flyweights. */
function readCommon(trades: InstanceType<TradeV0['TradesDecoder']> | InstanceType<TradeV1['TradesDecoder']>): TradeView {
  const result: TradeView = { tradeDate: trades.tradeDate(), price: trades.price(), fills: [], trader: '' };
  const fills = trades.fills();
  while (fills.hasNext()) {
    fills.next();
    const legs: number[] = [];
    const legGroup = fills.legs();
    while (legGroup.hasNext()) legs.push(legGroup.next().ratio());
    result.fills.push({ qty: fills.qty(), legs, note: fills.noteAsString() });
  }
  result.trader = trades.traderAsString();
  return result;
}

const COMMON: TradeView = {
  tradeDate: 20_000,
  price: -12_345_678_901,
  fills: [
    { qty: 5, legs: [1, 3], note: 'first' },
    { qty: -7, legs: [], note: '' },
  ],
  trader: 'alice',
};

describe('a newer decoder on older data', () => {
  it('reads v0 data with the v1 decoder: new fields are null, new var data is empty', () => {
    // given
    const view = new DataView(new ArrayBuffer(256));
    const length = writeV0(view);
    // when
    const trades = new v1.TradesDecoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderDecoder(), length);
    // then
    expect(trades.actingVersion).toBe(0);
    expect(trades.actingBlockLength).toBe(v0.TradesDecoder.BLOCK_LENGTH);
    expect(trades.venueQty()).toBe(v1.TradesDecoder.venueQtyNullValue);
    const fills = trades.fills();
    fills.next();
    expect(fills.actingBlockLength).toBe(v0.TradesFillsDecoder.BLOCK_LENGTH);
    expect(Number.isNaN(fills.fee())).toBe(true);
    const reread = new v1.TradesDecoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderDecoder(), length);
    expect(readCommon(reread)).toEqual(COMMON);
    expect(reread.commentLength()).toBe(0);
    expect(reread.commentAsString()).toBe('');
    expect(reread.encodedLength()).toBe(length - v1.MessageHeaderDecoder.ENCODED_LENGTH);
  });

  it('reads the v1 fields of v1 data', () => {
    const view = new DataView(new ArrayBuffer(256));
    const length = writeV1(view);
    const trades = new v1.TradesDecoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderDecoder(), length);
    expect(trades.venueQty()).toBe(99);
    const fees: number[] = [];
    const fills = trades.fills();
    while (fills.hasNext()) {
      fees.push(fills.next().fee());
      fills.sbeSkip();
    }
    expect(fees).toEqual([0.25, 1.5]);
    expect(trades.skipTrader()).toBe(5);
    expect(trades.commentAsString()).toBe('v1 only');
  });
});

describe('an older decoder on newer data', () => {
  it('reads v1 data with the v0 decoder, skipping the larger block, larger group entries and trailing var data', () => {
    // given
    const view = new DataView(new ArrayBuffer(256));
    const length = writeV1(view);
    // when
    const trades = new v0.TradesDecoder().wrapAndApplyHeader(view, 0, new v0.MessageHeaderDecoder(), length);
    // then
    expect(trades.actingVersion).toBe(1);
    expect(trades.actingBlockLength).toBe(v1.TradesDecoder.BLOCK_LENGTH);
    expect(trades.actingBlockLength).toBeGreaterThan(v0.TradesDecoder.BLOCK_LENGTH);
    const fills = trades.fills();
    expect(fills.actingBlockLength).toBe(v1.TradesFillsDecoder.BLOCK_LENGTH);
    expect(fills.actingBlockLength).toBeGreaterThan(v0.TradesFillsDecoder.BLOCK_LENGTH);
    const reread = new v0.TradesDecoder().wrapAndApplyHeader(view, 0, new v0.MessageHeaderDecoder(), length);
    expect(readCommon(reread)).toEqual(COMMON);
    // the v1 comment is left unread after the last var data v0 knows
    expect(reread.encodedLength()).toBeLessThan(length - v0.MessageHeaderDecoder.ENCODED_LENGTH);
  });

  it('reads what the v1 Car encoder writes with the v0 Car decoder', () => {
    // given: the golden values written by the extension (v1) encoder, including uuid and cupHolderCount
    const bytes = readFileSync(golden('car_example_baseline_data.sbe'));
    const v0Car = new baseline.CarDecoder().wrapAndApplyHeader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, new baseline.MessageHeaderDecoder());
    const out = new DataView(new ArrayBuffer(512));
    const car = new extension.CarEncoder().wrapAndApplyHeader(out, 0, new extension.MessageHeaderEncoder());
    car.serialNumber(v0Car.serialNumber()).modelYear(v0Car.modelYear()).uuid(0, 7).uuid(1, 8).cupHolderCount(2);
    const fuel = car.fuelFiguresCount(1);
    fuel.next().speed(30).mpg(35.9).usageDescriptionFromString('Urban Cycle');
    car.performanceFiguresCount(1).next().octaneRating(95).accelerationCount(1).next().mph(30).seconds(4);
    car.manufacturerFromString('Honda').modelFromString('Civic VTi').activationCodeFromString('abcdef');
    // when
    const read = new baseline.CarDecoder().wrapAndApplyHeader(out, 0, new baseline.MessageHeaderDecoder());
    // then
    expect([read.actingVersion, read.actingBlockLength]).toEqual([1, extension.CarDecoder.BLOCK_LENGTH]);
    expect([read.serialNumber(), read.modelYear()]).toEqual([1234, 2013]);
    const fuelFigures = read.fuelFigures();
    expect(fuelFigures.next().usageDescriptionAsString()).toBe('Urban Cycle');
    const performance = read.performanceFigures();
    expect(performance.next().octaneRating()).toBe(95);
    expect(performance.acceleration().next().seconds()).toBe(4);
    expect([read.manufacturerAsString(), read.modelAsString(), read.activationCodeAsString()]).toEqual(['Honda', 'Civic VTi', 'abcdef']);
  });
});

describe('a block shorter than the fields of its version', () => {
  it('is rejected with SbeBoundsError rather than read past its end', async () => {
    const { SbeBoundsError } = await import('../../src/sbe/runtime/index.js');
    const view = new DataView(new ArrayBuffer(256));
    const length = writeV1(view);
    // a header claiming version 1 with the v0 block length: venueQty would lie past the block
    view.setUint16(0, v0.TradesDecoder.BLOCK_LENGTH, true);
    expect(() => new v1.TradesDecoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderDecoder(), length)).toThrow(SbeBoundsError);
    expect(() => new v1.TradesDecoder().wrapAndApplyHeader(view, 0, new v1.MessageHeaderDecoder(), length)).toThrow(/Trades fields/);
  });
});
