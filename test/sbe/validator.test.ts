import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { formatDiagnostic } from '../../src/sbe/diagnostics.js';
import { loadSchema, parseSchemaText } from '../../src/sbe/parser.js';

const fixtures = fileURLToPath(new URL('../fixtures/schemas/', import.meta.url));
const fixture = (name: string): string => join(fixtures, name);

/**
 * One fixture per rule: [file, [line, column, message] of each diagnostic]. Every fixture is an
 * otherwise valid schema (it XIncludes header.xml for the message header and groupSizeEncoding),
 * so the rule's diagnostic is the only one.
 */
const rules: ReadonlyArray<[string, string, ReadonlyArray<[number, number, string]>]> = [
  ['duplicate type names', 'duplicate-type-name.xml', [
    [7, 9, `error: duplicate type name 'Price' (first declared at ${fixture('duplicate-type-name.xml')}:6:9)`],
  ]],
  ['duplicate message names', 'duplicate-message-name.xml', [
    [8, 5, `error: duplicate message name: "Quote" (first at ${fixture('duplicate-message-name.xml')}:5:5)`],
  ]],
  ['duplicate message ids', 'duplicate-message-id.xml', [
    [8, 5, `error: duplicate message id: 7 (first at ${fixture('duplicate-message-id.xml')}:5:5)`],
  ]],
  ['duplicate field names in a message', 'duplicate-field-name.xml', [
    [7, 9, `error: duplicate field name in message 'Quote': "price" (first at ${fixture('duplicate-field-name.xml')}:6:9)`],
  ]],
  ['duplicate field ids in a group', 'duplicate-field-id.xml', [
    [8, 13, `error: duplicate field id in group 'entries': 11 (first at ${fixture('duplicate-field-id.xml')}:7:13)`],
  ]],
  ['duplicate composite member names', 'duplicate-composite-member.xml', [
    [8, 13, `error: duplicate member name in composite 'Decimal': "mantissa" (first at ${fixture('duplicate-composite-member.xml')}:7:13)`],
  ]],
  ['unknown type references', 'unknown-type.xml', [
    [6, 41, `error: field 'price' refers to unknown type 'Price'`],
  ]],
  ['unknown primitive types', 'unknown-primitive-type.xml', [
    [6, 42, `error: unknown primitive type 'decimal64' for type 'Price'`],
  ]],
  ['an explicit field offset before the end of the previous field', 'overlapping-field-offset.xml', [
    [7, 9, `error: field 'ask' of message 'Quote' at offset 4 overlaps 'bid', which ends at 8`],
  ]],
  ['overlapping composite members', 'overlapping-composite-members.xml', [
    [8, 13, `error: member 'exponent' of composite 'Decimal' at offset 6 overlaps 'mantissa', which ends at 8`],
  ]],
  ['a blockLength smaller than the fields', 'block-length-too-small.xml', [
    [5, 50, `error: blockLength 12 of message 'Quote' is smaller than its fields, which end at 16`],
  ]],
  ['a group dimension type without numInGroup', 'group-dimension-without-num-in-group.xml', [
    [6, 9, `error: group dimension type 'badGroupSize' has no 'numInGroup' member`],
  ]],
  ['a group dimension type without blockLength', 'group-dimension-without-block-length.xml', [
    [6, 9, `error: group dimension type 'badGroupSize' has no 'blockLength' member`],
  ]],
  ['a data type without varData', 'data-without-var-data.xml', [
    [6, 9, `error: var data type 'varString' has no 'varData' member`],
  ]],
  ['a data type without length', 'data-without-length.xml', [
    [6, 9, `error: var data type 'varString' has no 'length' member`],
  ]],
  ['a sinceVersion greater than the schema version', 'since-version-beyond-schema.xml', [
    [7, 9, `error: field 'ask' has sinceVersion 3, greater than the schema version 2`],
  ]],
  ['an enum value outside the encoding type range', 'enum-value-out-of-range.xml', [
    [8, 13, `error: validValue 'Sell' of enum 'Side' is 300, outside uint8 range 0..254`],
  ]],
  ['a duplicated enum value name', 'enum-value-duplicated.xml', [
    [8, 13, `error: duplicate validValue name in enum 'Side': "Buy" (first at ${fixture('enum-value-duplicated.xml')}:7:13)`],
  ]],
  ['an enum value equal to the null value', 'enum-value-is-null.xml', [
    [8, 13, `error: validValue 'Unknown' of enum 'Side' is -128, the enum's null value`],
  ]],
  ['a set choice beyond the encoding width', 'set-choice-out-of-range.xml', [
    [8, 13, `error: choice 'ninth' of set 'Flags' is bit 8, outside the 8 bits of uint8`],
  ]],
  ['cyclic composite refs', 'cyclic-composite-refs.xml', [
    [11, 36, `error: cyclic type reference: Outer -> Inner -> Outer`],
  ]],
  ['a constant type without a value', 'constant-without-value.xml', [
    [6, 9, `error: constant type 'Venue' has no value`],
  ]],
  ['a constant enum field without valueRef', 'constant-enum-field-without-value-ref.xml', [
    [11, 9, `error: constant field 'side' has no value: a constant enum field needs valueRef="Enum.Value"`],
  ]],
  ['a valueRef to a missing enum', 'value-ref-missing-enum.xml', [
    [6, 77, `error: valueRef="Side.Buy" refers to unknown enum 'Side'`],
  ]],
  ['a valueRef to a missing enum value', 'value-ref-missing-value.xml', [
    [11, 76, `error: valueRef="Side.Sell": enum 'Side' has no value 'Sell'`],
  ]],
  ['a field semanticType contradicting its type', 'semantic-type-mismatch.xml', [
    [9, 9, `error: field 'size' has semanticType 'Qty' but its type 'Price' has 'Price'`],
  ]],
  ['an XInclude of a missing file', 'include-missing.xml', [
    [5, 5, `error: cannot read ${fixture('no-such-file.xml')}: ENOENT`],
  ]],
  ['XML that is not well-formed', 'not-well-formed.xml', [
    [3, 12, `error: not well-formed XML: Opening and ending tag mismatch: "types" != "messageSchema"`],
  ]],
];

describe('each validation rule reports one diagnostic at the offending element', () => {
  test.each(rules)('%s (%s)', (_rule, name, expected) => {
    // when
    const { schema, diagnostics } = loadSchema(fixture(name));

    // then
    expect(diagnostics.map(formatDiagnostic)).toEqual(
      expected.map(([line, column, message]) => `${fixture(name)}:${line}:${column}: ${message}`),
    );
    expect(schema).toBeUndefined();
  });
});

test('an error inside an XIncluded file is reported at that file', () => {
  const { diagnostics } = loadSchema(fixture('error-in-included-file.xml'));
  expect(diagnostics.map(formatDiagnostic)).toEqual([
    `${fixture('included/bad-types.xml')}:3:76: error: nullValue of type 'Price': 'oops' is not an integer`,
  ]);
});

describe('schemas from text', () => {
  test('a document whose root is not messageSchema', () => {
    const { schema, diagnostics } = parseSchemaText('<types/>', 'fragment.xml');
    expect(schema).toBeUndefined();
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      'fragment.xml:1:1: error: root element is <types>, not <messageSchema>: not an SBE schema',
    ]);
  });

  test('binary content is one clear error, not a flood of XML complaints', () => {
    const { diagnostics } = parseSchemaText('\u0000\u0001\u0002<x>', 'capture.pcap');
    expect(diagnostics.map(formatDiagnostic)).toEqual(['capture.pcap:1:1: error: not an XML document: the file is binary']);
  });

  test('every problem in a schema is reported, not only the first', () => {
    // given: a schema with no header type, an unknown field type and a bad enum value
    const xml = [
      '<messageSchema package="p" id="1">',
      '  <types><enum name="E" encodingType="uint8"><validValue name="X">255</validValue></enum></types>',
      '  <message name="M" id="1"><field name="f" id="1" type="Nope"/></message>',
      '</messageSchema>',
    ].join('\n');

    // when
    const { diagnostics } = parseSchemaText(xml, 'many.xml');

    // then
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `many.xml:1:1: error: headerType refers to unknown type 'messageHeader'`,
      `many.xml:2:46: error: validValue 'X' of enum 'E' is 255, the enum's null value`,
      `many.xml:3:56: error: field 'f' refers to unknown type 'Nope'`,
    ]);
  });

  test('warnings alone leave the schema usable', () => {
    const xml = `<messageSchema package="p" id="1">
  <types>
    <composite name="messageHeader">
      <type name="blockLength" primitiveType="uint8"/><type name="templateId" primitiveType="uint16"/>
      <type name="schemaId" primitiveType="uint16"/><type name="version" primitiveType="uint16"/>
    </composite>
  </types>
  <message name="M" id="1"/>
</messageSchema>`;
    const { schema, diagnostics } = parseSchemaText(xml, 'warn.xml');
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `warn.xml:4:7: warning: 'blockLength' of message header type 'messageHeader' should be uint16`,
    ]);
    expect(schema?.headerType.encodedLength).toBe(7);
  });
});

describe('bad input never crashes the parser', () => {
  const peer = (relative: string): string => fileURLToPath(new URL(`../../../shared/peer/${relative}`, import.meta.url));
  const originals = [
    'sbe-golden/example-schema.xml',
    'mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml',
    'sbe-schemas/group-with-constant-fields.xml',
    'sbe-schemas/value-ref-schema.xml',
    'sbe-schemas/composite-elements-schema.xml',
  ].map((relative) => ({ file: peer(relative), text: readFileSync(peer(relative), 'utf8') }));
  const replacements = ['', '0', '-1', '99999999999999999999999', 'x', 'uint64', 'char', 'constant', 'optional', 'Model.Z', 'NaN', 'messageHeader', 'Engine', '<', '"'];

  /** Replaces an attribute value (even `kind`) or a slice of text (odd `kind`) at `at`. */
  function mutate(text: string, at: number, kind: number, replacement: string): string {
    const start = at % text.length;
    const quote = text.indexOf('"', start);
    if (kind % 2 === 0 && quote >= 0) {
      const end = text.indexOf('"', quote + 1);
      return text.slice(0, quote + 1) + replacement + (end < 0 ? '' : text.slice(end));
    }
    return text.slice(0, start) + replacement + text.slice(start + kind);
  }

  test('mutated peer schemas give a schema or an error diagnostic, never an exception', () => {
    const edit = fc.tuple(fc.nat(), fc.nat({ max: 41 }), fc.constantFrom(...replacements));
    fc.assert(
      fc.property(fc.constantFrom(...originals), fc.array(edit, { minLength: 1, maxLength: 4 }), (original, edits) => {
        const text = edits.reduce((current, [at, kind, replacement]) => mutate(current, at, kind, replacement), original.text);
        const { schema, diagnostics } = parseSchemaText(text, original.file);
        expect(schema !== undefined || diagnostics.some((diagnostic) => diagnostic.severity === 'error')).toBe(true);
      }),
      { numRuns: 800, seed: 20261125 },
    );
  });
});
