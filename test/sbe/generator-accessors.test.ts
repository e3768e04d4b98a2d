/**
 * The accessor contract of generated codecs, field kind by field kind: 64-bit integers as
 * numbers and bigints (null values survive the number setter), big-endian layout, uint64 sets,
 * constants, enum name lookup, var data copies, and the errors for truncated data and misuse,
 * each naming the message, the field and the offset.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/sbe/diagnostics.js';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { parseSchemaText } from '../../src/sbe/parser.js';
import { SbeBoundsError, SbeHeaderError, SbeRangeError } from '../../src/sbe/runtime/index.js';
import { schemaXml } from '../support/sbe-schema.js';

type Orders = typeof import('../.generated/accessors/orders.js');

const SCHEMA = schemaXml({ package: 'orders', id: 3, version: 0, byteOrder: 'bigEndian' }, `
    <composite name="groupSize">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint8" maxValue="3"/>
    </composite>
    <composite name="varData">
      <type name="length" primitiveType="uint8"/>
      <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
    </composite>
    <composite name="Price">
      <type name="mantissa" primitiveType="int64" presence="optional"/>
      <type name="exponent" primitiveType="int8" presence="constant">-9</type>
    </composite>
    <enum name="Side" encodingType="char">
      <validValue name="Buy">1</validValue>
      <validValue name="Sell">2</validValue>
    </enum>
    <set name="Flags" encodingType="uint64">
      <choice name="urgent">0</choice>
      <choice name="hidden">31</choice>
      <choice name="last">63</choice>
    </set>
    <type name="Symbol" primitiveType="char" length="8"/>
    <type name="Venue" primitiveType="char" length="4" presence="constant">XCME</type>
    <type name="OrderId" primitiveType="uint64" presence="optional"/>
`, `
  <sbe:message name="NewOrder" id="5">
    <field name="orderId" id="1" type="OrderId"/>
    <field name="price" id="2" type="Price"/>
    <field name="side" id="3" type="Side"/>
    <field name="flags" id="4" type="Flags"/>
    <field name="symbol" id="5" type="Symbol"/>
    <field name="venue" id="6" type="Venue"/>
    <field name="quantity" id="7" type="uint16"/>
    <group name="legs" id="10" dimensionType="groupSize">
      <field name="ratio" id="11" type="uint8"/>
    </group>
    <data name="text" id="20" type="varData"/>
  </sbe:message>
`);

const generatedDir = fileURLToPath(new URL('../.generated/accessors/', import.meta.url));
let orders: Orders;

beforeAll(async () => {
  const { schema, diagnostics } = parseSchemaText(SCHEMA, 'orders.xml');
  if (schema === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  writeGeneratedCode(schema, generatedDir);
  orders = (await import(`${generatedDir}orders.ts`)) as Orders;
});

function newOrder(view: DataView, text = 'hi') {
  const order = new orders.NewOrderEncoder().wrapAndApplyHeader(view, 0, new orders.MessageHeaderEncoder());
  order.orderId(42).side(orders.Side.Sell).symbolFromString('ESZ6').quantity(0x0102);
  order.price().mantissa(-4_512_250_000_000);
  order.flags().clear().urgent(true).last(true);
  order.legsCount(1).next().ratio(2);
  order.textFromString(text);
  return orders.MessageHeaderEncoder.ENCODED_LENGTH + order.encodedLength();
}

function decode(view: DataView, bufferEnd?: number) {
  return new orders.NewOrderDecoder().wrapAndApplyHeader(view, 0, new orders.MessageHeaderDecoder(), bufferEnd);
}

describe('64-bit integers', () => {
  it('read as exact numbers below 2^53 and as bigints everywhere', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const order = decode(view);
    expect(order.orderId()).toBe(42);
    expect(order.price().mantissa()).toBe(-4_512_250_000_000);
    expect(order.price().mantissaBigInt()).toBe(-4_512_250_000_000n);
  });

  it('keep null values exact when the null constant is written through the number setter', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const encoder = new orders.NewOrderEncoder().wrap(view, 8);
    encoder.orderId(orders.NewOrderEncoder.orderIdNullValue);
    encoder.price().mantissa(orders.PriceEncoder.mantissaNullValue);
    const order = decode(view);
    expect(order.orderIdBigInt()).toBe(2n ** 64n - 1n);
    expect(order.orderId()).toBe(orders.NewOrderDecoder.orderIdNullValue);
    expect(order.price().mantissaBigInt()).toBe(orders.PriceDecoder.mantissaNullValueBigInt);
    expect(order.price().mantissa()).toBe(orders.PriceDecoder.mantissaNullValue);
  });
});

describe('typed-array accessors (Into / From)', () => {
  it('move 64-bit values through a Float64Array, nulls included', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const values = new Float64Array([-4_512_250_000_000, orders.PriceEncoder.mantissaNullValue, 2 ** 53, 0]);
    const encoder = new orders.NewOrderEncoder().wrap(view, 8);
    encoder.price().mantissaFrom(values, 0);
    encoder.orderIdFrom(values, 2);
    const order = decode(view);
    order.price().mantissaInto(values, 3);
    expect(values[3]).toBe(-4_512_250_000_000);
    expect(order.orderIdBigInt()).toBe(2n ** 53n);
    encoder.price().mantissaFrom(values, 1);
    expect(decode(view).price().mantissaBigInt()).toBe(orders.PriceDecoder.mantissaNullValueBigInt);
  });
});

describe('layout', () => {
  it('writes big-endian schemas big-endian', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const quantityOffset = 8 + orders.NewOrderEncoder.quantityEncodingOffset;
    expect([view.getUint8(quantityOffset), view.getUint8(quantityOffset + 1)]).toEqual([0x01, 0x02]);
    expect(view.getUint16(2)).toBe(orders.NewOrderEncoder.TEMPLATE_ID);
  });

  it('tests and sets every bit of a uint64 set, bit 63 included', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const flags = decode(view).flags();
    expect([flags.urgent(), flags.hidden(), flags.last()]).toEqual([true, false, true]);
    expect(flags.rawValueBigInt()).toBe((1n << 63n) | 1n);
    expect(orders.FlagsDecoder.lastBit).toBe(63);
  });

  it('reads constants without wire bytes: char string, composite member, enum names', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    const order = decode(view);
    expect(order.venueAsString()).toBe('XCME');
    expect(order.venue(0)).toBe('X'.charCodeAt(0));
    expect(orders.NewOrderDecoder.venueEncodingLength).toBe(0);
    expect(order.price().exponent()).toBe(-9);
    expect(order.side()).toBe(orders.Side.Sell);
    expect(orders.SideNames[order.side()]).toBe('Sell');
    expect(orders.SideNames[0x7f]).toBeUndefined();
    expect(order.symbolAsString()).toBe('ESZ6');
  });

  it('copies var data into a caller buffer, at most what fits, and moves past all of it', () => {
    const view = new DataView(new ArrayBuffer(128));
    const length = newOrder(view, 'hello world');
    const order = decode(view);
    order.legs().next();
    expect(order.textLength()).toBe(11);
    const small = new Uint8Array(5);
    expect(order.getText(small, 0)).toBe(5);
    expect(new TextDecoder().decode(small)).toBe('hello');
    expect(8 + order.encodedLength()).toBe(length);
  });
});

describe('truncated and corrupt data', () => {
  it('names the message, the element and the offset when a message is cut short', () => {
    const view = new DataView(new ArrayBuffer(128));
    const length = newOrder(view, 'hello');
    const order = decode(view, length - 2);
    order.legs().next();
    expect(() => order.textAsString()).toThrow(SbeBoundsError);
    const fresh = decode(view, length - 2);
    fresh.legs().next();
    expect(() => fresh.skipText()).toThrow(/^NewOrder\.text: 5 bytes at offset \d+ run past the end of the region at \d+$/);
  });

  it('rejects a block that does not fit the region', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    expect(() => decode(view, 20)).toThrow(/^NewOrder: \d+ bytes at offset 8 run past the end of the region at 20$/);
  });

  it('rejects another template with SbeHeaderError', () => {
    const view = new DataView(new ArrayBuffer(128));
    newOrder(view);
    view.setUint16(2, 99);
    expect(() => decode(view)).toThrow(SbeHeaderError);
    expect(() => decode(view)).toThrow('NewOrder: header at offset 0 has templateId 99, schemaId 3; expected templateId 5, schemaId 3');
  });
});

describe('misuse of encoders and decoders', () => {
  it('throws SbeRangeError for an index, count or string outside what the schema allows', () => {
    const view = new DataView(new ArrayBuffer(128));
    const encoder = new orders.NewOrderEncoder().wrapAndApplyHeader(view, 0, new orders.MessageHeaderEncoder());
    expect(() => encoder.symbolFromString('TOO-LONG-SYMBOL')).toThrow(SbeRangeError);
    expect(() => encoder.symbol(8, 65)).toThrow(SbeRangeError);
    expect(() => encoder.legsCount(4)).toThrow(/NewOrder\.legs count: 4 is outside \[0, 3\]/);
    const legs = encoder.legsCount(1);
    legs.next();
    expect(() => legs.next()).toThrow(SbeRangeError);
  });

  it('throws SbeBoundsError when the message does not fit the buffer it is encoded into', () => {
    const view = new DataView(new ArrayBuffer(60));
    const encoder = new orders.NewOrderEncoder().wrapAndApplyHeader(view, 0, new orders.MessageHeaderEncoder());
    encoder.legsCount(0);
    expect(() => encoder.textFromString('x'.repeat(20))).toThrow(SbeBoundsError);
  });
});
