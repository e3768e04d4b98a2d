import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic, SchemaError } from '../../src/sbe/diagnostics.js';
import type { CompositeType, EncodedType, EnumType, Field, Message, Schema, SetType, Type } from '../../src/sbe/ir.js';
import { loadSchema, loadSchemaOrThrow, parseSchemaText } from '../../src/sbe/parser.js';

const peerRoot = fileURLToPath(new URL('../../../shared/peer/', import.meta.url));
const peer = (relative: string): string => join(peerRoot, relative);

/** Every schema (root element messageSchema) in a peer directory; XInclude fragments are left out. */
function schemasIn(directory: string): string[] {
  return readdirSync(peer(directory))
    .filter((name) => name.endsWith('.xml'))
    .map((name) => join(directory, name))
    .filter((relative) => /<([\w-]+:)?messageSchema[\s>]/.test(readFileSync(peer(relative), 'utf8')));
}

const peerSchemas = [
  ...schemasIn('sbe-schemas'),
  ...schemasIn('sbe-schemas/sub'),
  ...schemasIn('sbe-golden'),
  ...schemasIn('mdp3'),
];

function message(schema: Schema, name: string): Message {
  const found = schema.messages.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no message ${name}`);
  return found;
}

function field(body: { fields: Field[] }, name: string): Field {
  const found = body.fields.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no field ${name}`);
  return found;
}

function typeOf<K extends Type['kind']>(schema: Schema, name: string, kind: K): Extract<Type, { kind: K }> {
  const type = schema.types.get(name);
  if (type?.kind !== kind) throw new Error(`${name} is not a ${kind}`);
  return type as Extract<Type, { kind: K }>;
}

function member(composite: CompositeType, name: string): CompositeType['members'][number] {
  const found = composite.members.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no member ${name}`);
  return found;
}

describe('every peer schema loads without errors, as the reference tool accepts it', () => {
  test('the peer directories hold the expected schemas', () => {
    expect(peerSchemas.length).toBeGreaterThanOrEqual(60);
    expect(peerSchemas).toContain('sbe-schemas/FixBinary.xml');
    expect(peerSchemas).toContain('sbe-schemas/sub/basic-schema.xml');
    expect(peerSchemas).toContain('mdp3/Cme.Futures.Mdp3.Sbe.v1.13.xml');
  });

  test.each(peerSchemas)('%s', (relative) => {
    // when
    const { schema, diagnostics } = loadSchema(peer(relative));

    // then
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map(formatDiagnostic);
    expect(errors).toEqual([]);
    expect(schema).toBeDefined();
    expect(schema!.messages.length).toBeGreaterThan(0);
  });
});

describe('the Car example (sbe-golden/example-schema.xml)', () => {
  const schema = loadSchemaOrThrow(peer('sbe-golden/example-schema.xml'));
  const car = message(schema, 'Car');

  test('schema attributes', () => {
    expect(schema).toMatchObject({ package: 'baseline', id: 1, version: 0, semanticVersion: '5.2', byteOrder: 'littleEndian' });
    expect(schema.headerType.name).toBe('messageHeader');
    expect(schema.headerType.encodedLength).toBe(8);
  });

  test('block length 45 and the reference offsets', () => {
    expect(car.id).toBe(1);
    expect(car.blockLength).toBe(45);
    expect(car.fields.map((f) => [f.name, f.offset])).toEqual([
      ['serialNumber', 0],
      ['modelYear', 8],
      ['available', 10],
      ['code', 11],
      ['someNumbers', 12],
      ['vehicleCode', 28],
      ['extras', 34],
      ['discountedModel', 35],
      ['engine', 35],
    ]);
  });

  test('a constant enum field takes its value name from valueRef and no space', () => {
    const discounted = field(car, 'discountedModel');
    expect(discounted).toMatchObject({ presence: 'constant', constValue: 'C', valueRef: 'Model.C' });
    expect(discounted.type.kind).toBe('enum');
  });

  test('composites: constants take no space, refs keep their own names', () => {
    const engine = typeOf(schema, 'Engine', 'composite');
    expect(engine.encodedLength).toBe(10);
    expect(engine.members.map((m) => [m.name, m.offset])).toEqual([
      ['capacity', 0],
      ['numCylinders', 2],
      ['maxRpm', 3],
      ['manufacturerCode', 3],
      ['fuel', 6],
      ['efficiency', 6],
      ['boosterEnabled', 7],
      ['booster', 8],
    ]);
    expect(member(engine, 'maxRpm').type).toMatchObject({ presence: 'constant', constValue: 9000, encodedLength: 0 });
    expect(member(engine, 'fuel').type).toMatchObject({ primitiveType: 'char', length: 6, constValue: 'Petrol', encodedLength: 0 });
    expect(member(engine, 'boosterEnabled').type).toBe(schema.types.get('BooleanType'));
  });

  test('enums and sets', () => {
    const model = typeOf(schema, 'Model', 'enum');
    expect(model).toMatchObject({ encodingType: 'char', encodedLength: 1, nullValue: 0 });
    expect(model.values.map((v) => [v.name, v.value])).toEqual([['A', 65], ['B', 66], ['C', 67]]);
    const booleanType: EnumType = typeOf(schema, 'BooleanType', 'enum');
    expect(booleanType).toMatchObject({ encodingType: 'uint8', nullValue: 255 });
    expect(booleanType.values.map((v) => v.value)).toEqual([0, 1]);
    const extras: SetType = typeOf(schema, 'OptionalExtras', 'set');
    expect(extras.choices.map((c) => [c.name, c.bit])).toEqual([['sunRoof', 0], ['sportsPack', 1], ['cruiseControl', 2]]);
  });

  test('groups, nested groups and var data', () => {
    const [fuelFigures, performanceFigures] = car.groups;
    expect(fuelFigures).toMatchObject({ name: 'fuelFigures', id: 10, blockLength: 6 });
    expect(fuelFigures!.dimensionType.name).toBe('groupSizeEncoding');
    expect(fuelFigures!.blockLengthMember).toMatchObject({ name: 'blockLength', offset: 0 });
    expect(fuelFigures!.numInGroupMember).toMatchObject({ name: 'numInGroup', offset: 2 });
    expect(fuelFigures!.data.map((d) => d.name)).toEqual(['usageDescription']);
    expect(performanceFigures!.blockLength).toBe(1);
    expect(performanceFigures!.groups[0]).toMatchObject({ name: 'acceleration', blockLength: 6 });
    expect(car.data.map((d) => [d.name, d.lengthType, d.headerLength, d.dataType, d.characterEncoding, d.maxLength])).toEqual([
      ['manufacturer', 'uint32', 4, 'uint8', 'UTF-8', 1073741824],
      ['model', 'uint32', 4, 'uint8', 'UTF-8', 1073741824],
      ['activationCode', 'uint32', 4, 'uint8', 'ASCII', 1073741824],
    ]);
  });

  test('types from the XIncluded file carry that file in their location', () => {
    expect(schema.headerType.location).toEqual({ file: peer('sbe-golden/common-types.xml'), line: 3, column: 5 });
    expect(car.location.file).toBe(peer('sbe-golden/example-schema.xml'));
  });
});

test('the extension schema marks v1 fields with sinceVersion 1', () => {
  const car = message(loadSchemaOrThrow(peer('sbe-golden/example-extension-schema.xml')), 'Car');
  expect(field(car, 'uuid')).toMatchObject({ sinceVersion: 1, presence: 'optional' });
  expect(field(car, 'cupHolderCount').sinceVersion).toBe(1);
  expect(field(car, 'serialNumber').sinceVersion).toBe(0);
});

describe('CME MDP 3.0 v9', () => {
  const schema = loadSchemaOrThrow(peer('mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml'));
  const book = message(schema, 'MDIncrementalRefreshBook46');

  test('MDIncrementalRefreshBook46: block length 11, NoMDEntries groupSize with block length 32', () => {
    expect(schema.version).toBe(9);
    expect(book.blockLength).toBe(11);
    const [entries, orders] = book.groups;
    expect(entries).toMatchObject({ name: 'NoMDEntries', blockLength: 32 });
    expect(entries!.dimensionType.name).toBe('groupSize');
    expect(orders!.dimensionType.name).toBe('groupSize8Byte');
  });

  test('groupSize8Byte has numInGroup at offset 7, after padding', () => {
    const dimension = typeOf(schema, 'groupSize8Byte', 'composite');
    expect(dimension.encodedLength).toBe(8);
    expect(member(dimension, 'numInGroup')).toMatchObject({ offset: 7 });
    expect(book.groups[1]!.numInGroupMember).toMatchObject({ name: 'numInGroup', offset: 7 });
  });

  test('enums through a named char type, sets through a named uint8 type', () => {
    const entryType = typeOf(schema, 'MDEntryType', 'enum');
    expect(entryType.encodingType).toBe('char');
    expect(entryType.values.find((v) => v.name === 'Bid')!.value).toBe('0'.charCodeAt(0));
    const indicator = typeOf(schema, 'MatchEventIndicator', 'set');
    expect(indicator).toMatchObject({ encodingType: 'uint8', encodedLength: 1 });
    expect(indicator.choices.find((c) => c.name === 'EndOfEvent')!.bit).toBe(7);
  });

  test('int64 null values beyond 2^53 are bigints; constant exponents are numbers', () => {
    const price = typeOf(schema, 'PRICENULL', 'composite');
    expect((member(price, 'mantissa').type as EncodedType).nullValue).toBe(9223372036854775807n);
    expect(member(price, 'exponent').type).toMatchObject({ presence: 'constant', constValue: -7, encodedLength: 0 });
    expect(price.encodedLength).toBe(8);
  });

  test('a composite sinceVersion is inherited by its members', () => {
    const price9 = typeOf(schema, 'PRICENULL9', 'composite');
    expect(price9.sinceVersion).toBe(9);
    expect(price9.members.every((m) => m.sinceVersion === 9)).toBe(true);
  });
});

test('XInclude from a nested directory records the included file', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/sub/basic-schema.xml'));
  expect(schema.headerType.location.file).toBe(peer('sbe-schemas/sub/sub2/common.xml'));
  expect(typeOf(schema, 'Symbol', 'encoded')).toMatchObject({ primitiveType: 'char', length: 20, encodedLength: 20 });
  const testMessage = message(schema, 'TestMessage50001');
  expect(testMessage.blockLength).toBe(16);
  expect(field(testMessage, 'Tag40001').type).toMatchObject({ name: 'uint32', primitiveType: 'uint32', encodedLength: 4 });
});

test('valueRef constants on types and fields resolve to the enum value', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/value-ref-schema.xml'));
  const timestamp = typeOf(schema, 'UTCTimestampNanos', 'composite');
  expect(member(timestamp, 'unit').type).toMatchObject({ constValue: 9, valueRef: 'TimeUnit.nanosecond' });
  expect(timestamp.encodedLength).toBe(8);
  expect(field(message(schema, 'MsgTwo'), 'timeUnitTypeOne')).toMatchObject({ presence: 'constant', constValue: 3 });
  expect(field(message(schema, 'MsgThree'), 'timeUnitTypeOne')).toMatchObject({ presence: 'constant', constValue: 'millisecond' });
  expect(field(message(schema, 'MsgFour'), 'testConstantOneField')).toMatchObject({ presence: 'constant', constValue: 7 });
  expect(message(schema, 'MsgFour').blockLength).toBe(0);
});

test('explicit offsets and a blockLength larger than the fields pad the block', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/composite-offsets-schema.xml'));
  const second = message(schema, 'TestMessage2');
  expect(second.fields.map((f) => [f.name, f.offset])).toEqual([['fieldOne', 0], ['fieldTwo', 8], ['fieldThree', 24]]);
  expect(second.blockLength).toBe(32);
  expect(schema.headerType.members.map((m) => m.offset)).toEqual([0, 4, 8, 10]);
  const padded = message(loadSchemaOrThrow(peer('sbe-schemas/message-block-length-test.xml')), 'msgName');
  expect(padded.blockLength).toBe(11);
});

test('a varData member of length 1 is treated as variable length, as the reference tool does', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/embedded-length-and-count-schema.xml'));
  const [data] = message(schema, 'Message2').data;
  expect(data).toMatchObject({ lengthType: 'uint8', lengthOffset: 0, dataType: 'char', headerLength: 1, maxLength: 254 });
  expect(member(data!.type, 'varData').type).toMatchObject({ length: 0, encodedLength: 0 });
});

test('a custom headerType with extra members', () => {
  expect(loadSchemaOrThrow(peer('sbe-schemas/custom-header-type.xml')).headerType.name).toBe('foo');
  const { schema, diagnostics } = loadSchema(peer('sbe-schemas/npe-small-header.xml'));
  expect(schema!.headerType.encodedLength).toBe(7);
  expect(diagnostics.every((diagnostic) => diagnostic.severity === 'warning')).toBe(true);
});

describe('primitive defaults (SBE 1.0 null/min/max)', () => {
  const xml = `<?xml version="1.0"?>
<messageSchema package="p" id="9" version="0" byteOrder="bigEndian">
  <types>
    <composite name="messageHeader">
      <type name="blockLength" primitiveType="uint16"/><type name="templateId" primitiveType="uint16"/>
      <type name="schemaId" primitiveType="uint16"/><type name="version" primitiveType="uint16"/>
    </composite>
    <type name="i8" primitiveType="int8" presence="optional"/>
    <type name="u8" primitiveType="uint8" presence="optional"/>
    <type name="i64" primitiveType="int64" presence="optional"/>
    <type name="u64" primitiveType="uint64" presence="optional"/>
    <type name="f" primitiveType="float" presence="optional"/>
    <type name="d" primitiveType="double" presence="optional" nullValue="-1.5"/>
    <type name="c" primitiveType="char"/>
    <type name="code" primitiveType="char" presence="constant" length="4">AB</type>
  </types>
  <message name="M" id="1"><field name="a" id="1" type="i8"/></message>
</messageSchema>`;
  const schema = parseSchemaText(xml, 'inline.xml').schema!;
  const encoded = (name: string): EncodedType => typeOf(schema, name, 'encoded');

  test('null, min and max per primitive', () => {
    expect(schema.byteOrder).toBe('bigEndian');
    expect(encoded('i8')).toMatchObject({ nullValue: -128, minValue: -127, maxValue: 127 });
    expect(encoded('u8')).toMatchObject({ nullValue: 255, minValue: 0, maxValue: 254 });
    expect(encoded('i64')).toMatchObject({ nullValue: -(2n ** 63n), minValue: -(2n ** 63n) + 1n, maxValue: 2n ** 63n - 1n });
    expect(encoded('u64')).toMatchObject({ nullValue: 2n ** 64n - 1n, minValue: 0, maxValue: 2n ** 64n - 2n });
    expect(encoded('f').nullValue).toBeNaN();
    expect(encoded('d').nullValue).toBe(-1.5);
    expect(encoded('c')).toMatchObject({ nullValue: 0, minValue: 0x20, maxValue: 0x7e, characterEncoding: 'US-ASCII' });
  });

  test('a char constant shorter than its length keeps the declared length', () => {
    expect(encoded('code')).toMatchObject({ length: 4, constValue: 'AB', encodedLength: 0 });
  });
});

test('loadSchemaOrThrow throws a SchemaError carrying every diagnostic', () => {
  const missing = peer('sbe-schemas/does-not-exist.xml');
  expect(() => loadSchemaOrThrow(missing)).toThrow(SchemaError);
  expect(() => loadSchemaOrThrow(missing)).toThrow(`${missing}:1:1: error: cannot read ${missing}: ENOENT`);
});

test('optional enums: presence from the field, null value from the named encoding type', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/optional_enum_nullify.xml'));
  const nullify = message(schema, 'optionalEnumNullify');
  expect(field(nullify, 'optionalEnum')).toMatchObject({ presence: 'optional', type: { kind: 'enum', nullValue: 255 } });
  expect(typeOf(schema, 'OptionalEncodingEnumType', 'enum')).toMatchObject({ encodingType: 'uint8', nullValue: 255 });
  const counter = member(typeOf(schema, 'OptionalComposite', 'composite'), 'optionalCounter');
  expect(counter.type).toMatchObject({ presence: 'optional', nullValue: 0 });
});

test('a set encoded as uint64', () => {
  const flags = typeOf(loadSchemaOrThrow(peer('sbe-schemas/issue827.xml')), 'FlagsSet', 'set');
  expect(flags).toMatchObject({ encodingType: 'uint64', encodedLength: 8 });
  expect(flags.choices.map((c) => [c.name, c.bit])).toEqual([['Bit0', 0], ['Bit35', 35]]);
});

test('sinceVersion and deprecated on fields', () => {
  const schema = loadSchemaOrThrow(peer('sbe-schemas/since-deprecated-test-schema.xml'));
  const sinceDeprecated = message(schema, 'SinceDeprecated');
  expect(field(sinceDeprecated, 'v2')).toMatchObject({ sinceVersion: 2 });
  expect(field(sinceDeprecated, 'v3')).toMatchObject({ sinceVersion: 3, deprecated: 4 });
  expect(field(sinceDeprecated, 'v1').deprecated).toBeUndefined();
});

test('a message sinceVersion is inherited by its fields and groups (MDP3 in a rewritten namespace)', () => {
  const book = message(loadSchemaOrThrow(peer('sbe-schemas/issue835.xml')), 'MDIncrementalRefreshOrderBook47');
  expect(book.sinceVersion).toBe(9);
  expect(book.fields.every((f) => f.sinceVersion === 9)).toBe(true);
  expect(book.groups[0]!.fields.every((f) => f.sinceVersion === 9)).toBe(true);
});

test('a schema saved with a byte order mark and CRLF line ends loads the same', () => {
  // given: the Car schema as a Windows editor saves it, beside its XIncluded types
  const directory = mkdtempSync(join(tmpdir(), 'zerotick-sbe-'));
  const schemaPath = join(directory, 'example-schema.xml');
  const text = readFileSync(peer('sbe-golden/example-schema.xml'), 'utf8').replace(/\n/g, '\r\n');
  writeFileSync(schemaPath, `\uFEFF${text}`);
  copyFileSync(peer('sbe-golden/common-types.xml'), join(directory, 'common-types.xml'));

  // when
  const { schema, diagnostics } = loadSchema(schemaPath);
  rmSync(directory, { recursive: true, force: true });

  // then
  expect(diagnostics).toEqual([]);
  expect(message(schema!, 'Car').blockLength).toBe(45);
  expect(message(schema!, 'Car').location.line).toBe(message(loadSchemaOrThrow(peer('sbe-golden/example-schema.xml')), 'Car').location.line);
});
