/**
 * Property tests over generated codecs, driven by the schema IR so one driver covers every
 * message of several schemas (Car, nested groups, groups with var data, a big-endian schema, all
 * of MDP3 v9 including MDIncrementalRefreshBook46; every other peer schema with fewer runs):
 * - a random valid message encoded with the generated encoder decodes to the same values;
 * - truncating the encoding anywhere and decoding everything throws SbeBoundsError, never reads
 *   past the view (a DataView RangeError would mean an unchecked read);
 * - corrupting random bytes either decodes or throws SbeBoundsError / SbeHeaderError.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { type BlockMember, memberFromComposite, memberFromField } from '../../src/sbe/generator/block-members.js';
import { memberName, pascalCase } from '../../src/sbe/generator/names.js';
import { moduleFileName } from '../../src/sbe/generator.js';
import type { CompositeType, EncodedType, Message, MessageBody, Schema, SetType } from '../../src/sbe/ir.js';
import { loadSchemaOrThrow } from '../../src/sbe/parser.js';
import { SbeBoundsError, SbeHeaderError } from '../../src/sbe/runtime/index.js';

const peer = fileURLToPath(new URL('../../../shared/peer/', import.meta.url));
const generatedRoot = fileURLToPath(new URL('../.generated/property/', import.meta.url));

/** Schemas every property runs over, with many runs per message. */
const SCHEMAS = [
  'sbe-golden/example-schema.xml',
  'sbe-schemas/nested-group-schema.xml',
  'sbe-schemas/group-with-data-schema.xml',
  'sbe-schemas/basic-variable-length-schema.xml',
  'sbe-schemas/issue910.xml',
  'mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml',
];

/** Every other peer schema, with fewer round-trip runs, for breadth (custom headers, offsets, constants). */
const BREADTH_SCHEMAS = readdirSync(path.join(peer, 'sbe-schemas'))
  .filter((name) => name.endsWith('.xml'))
  .sort()
  .map((name) => `sbe-schemas/${name}`)
  .concat('mdp3/Cme.Futures.Mdp3.Sbe.v1.13.xml')
  .filter((file) => !SCHEMAS.includes(file));

// The driver calls generated methods by name, as the generator derives them.
type Flyweight = Record<string, (...args: unknown[]) => any>;
type Value = unknown;

/** Encodes a value into a flyweight, reads it back, and draws random values: one per IR node. */
interface Codec {
  arbitrary: fc.Arbitrary<Value>;
  write(encoder: Flyweight, value: Value): void;
  read(decoder: Flyweight): Value;
}

const NO_CODEC: Codec = { arbitrary: fc.constant(undefined), write: () => {}, read: () => undefined };

function call(target: Flyweight, method: string, ...args: unknown[]): any {
  const fn = target[method];
  if (typeof fn !== 'function') throw new Error(`generated code has no ${method}()`);
  return fn.apply(target, args);
}

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function integerArbitrary(type: EncodedType): fc.Arbitrary<number | bigint> {
  if (type.primitiveType === 'int64' || type.primitiveType === 'uint64') {
    return fc.bigInt({ min: BigInt(type.minValue), max: BigInt(type.maxValue) });
  }
  return fc.integer({ min: Number(type.minValue), max: Number(type.maxValue) });
}

function elementArbitrary(type: EncodedType): fc.Arbitrary<number | bigint> {
  if (type.primitiveType === 'float') return fc.float({ noNaN: true }).map(Math.fround);
  if (type.primitiveType === 'double') return fc.double({ noNaN: true });
  const valid = integerArbitrary(type);
  return type.presence === 'optional' ? fc.oneof(valid, fc.constant(nullOf(type))) : valid;
}

function nullOf(type: EncodedType): number | bigint {
  return type.primitiveType === 'int64' || type.primitiveType === 'uint64' ? BigInt(type.nullValue) : Number(type.nullValue);
}

function encodedCodec(member: BlockMember, type: EncodedType): Codec {
  const name = member.accessor;
  const wide = type.primitiveType === 'int64' || type.primitiveType === 'uint64';
  if (type.length === 1) {
    return {
      arbitrary: elementArbitrary(type),
      write: (encoder, value) => call(encoder, wide ? `${name}BigInt` : name, value),
      read: (decoder) => {
        if (!wide) return call(decoder, name);
        const exact: bigint = call(decoder, `${name}BigInt`);
        // the number accessor agrees wherever a double is exact
        if (exact >= -(2n ** 53n) && exact <= 2n ** 53n) expect(call(decoder, name)).toBe(Number(exact));
        return exact;
      },
    };
  }
  if (type.primitiveType === 'char' || type.primitiveType === 'uint8') {
    // byte arrays go through the zero-copy put/get pair
    const bytes = fc.uint8Array({ minLength: type.length, maxLength: type.length, max: type.primitiveType === 'char' ? 127 : 255 });
    return {
      arbitrary: bytes,
      write: (encoder, value) => call(encoder, `put${upperFirst(name)}`, value, 0),
      read: (decoder) => {
        const dst = new Uint8Array(type.length);
        // all of it, or nothing when (corrupt) data claims a version older than the field
        return dst.subarray(0, call(decoder, `get${upperFirst(name)}`, dst, 0));
      },
    };
  }
  return {
    arbitrary: fc.array(elementArbitrary(type), { minLength: type.length, maxLength: type.length }),
    write: (encoder, value) => (value as Value[]).forEach((element, index) => call(encoder, wide ? `${name}BigInt` : name, index, element)),
    read: (decoder) => Array.from({ length: type.length }, (_, index) => call(decoder, wide ? `${name}BigInt` : name, index)),
  };
}

function setCodec(member: BlockMember, type: SetType): Codec {
  const choices = type.choices.map((choice) => memberName(choice.name));
  return {
    arbitrary: fc.array(fc.boolean(), { minLength: choices.length, maxLength: choices.length }),
    write: (encoder, value) => {
      const set = call(encoder, member.accessor).clear();
      choices.forEach((choice, i) => call(set, choice, (value as boolean[])[i]));
    },
    read: (decoder) => {
      const set = call(decoder, member.accessor);
      // null when (corrupt) data claims a version older than the set
      return set === null ? null : choices.map((choice) => call(set, choice));
    },
  };
}

function compositeCodec(member: BlockMember, type: CompositeType): Codec {
  const inner = membersCodec(type.members.map((m) => memberFromComposite(m, type.sinceVersion)));
  return {
    arbitrary: inner.arbitrary,
    write: (encoder, value) => inner.write(call(encoder, member.accessor), value),
    read: (decoder) => {
      const composite = call(decoder, member.accessor);
      // null when (corrupt) data claims a version older than the composite
      return composite === null ? null : inner.read(composite);
    },
  };
}

function memberCodec(member: BlockMember): Codec {
  if (member.presence === 'constant') return NO_CODEC;
  const type = member.type;
  switch (type.kind) {
    case 'encoded':
      return type.length === 0 ? NO_CODEC : encodedCodec(member, type);
    case 'enum': {
      const values = type.values.map((value) => value.value);
      const arbitrary = type.presence === 'optional' ? fc.constantFrom(...values, type.nullValue) : fc.constantFrom(...values);
      return {
        arbitrary: values.length === 0 ? fc.constant(type.nullValue) : arbitrary,
        write: (encoder, value) => call(encoder, member.accessor, value),
        read: (decoder) => call(decoder, member.accessor),
      };
    }
    case 'set':
      return setCodec(member, type);
    case 'composite':
      return compositeCodec(member, type);
  }
}

/** A record of codecs written and read in order. */
function sequence(codecs: Codec[]): Codec {
  return {
    arbitrary: fc.tuple(...codecs.map((codec) => codec.arbitrary)),
    write: (target, value) => codecs.forEach((codec, i) => codec.write(target, (value as Value[])[i])),
    read: (target) => codecs.map((codec) => codec.read(target)),
  };
}

function membersCodec(members: BlockMember[]): Codec {
  return sequence(members.map(memberCodec));
}

/** Fields, then groups (count 0..3, entries recursively), then var data: the wire order. */
function bodyCodec(body: MessageBody): Codec {
  const fields = membersCodec(body.fields.map((field) => memberFromField(field, 0)));
  const groups = body.groups.map((group): Codec => {
    const entry = bodyCodec(group);
    const name = memberName(group.name);
    return {
      arbitrary: fc.array(entry.arbitrary, { maxLength: 3 }),
      write: (encoder, value) => {
        const entries = value as Value[];
        const groupEncoder = call(encoder, `${name}Count`, entries.length);
        for (const entryValue of entries) entry.write(call(groupEncoder, 'next'), entryValue);
      },
      read: (decoder) => {
        const groupDecoder = call(decoder, name);
        const entries: Value[] = [];
        while (call(groupDecoder, 'hasNext')) entries.push(entry.read(call(groupDecoder, 'next')));
        return entries;
      },
    };
  });
  const data = body.data.map((varData): Codec => {
    const name = upperFirst(memberName(varData.name));
    return {
      arbitrary: fc.uint8Array({ maxLength: 24 }),
      write: (encoder, value) => call(encoder, `put${name}`, value, 0, (value as Uint8Array).length),
      read: (decoder) => {
        const dst = new Uint8Array(64);
        const length: number = call(decoder, `get${name}`, dst, 0);
        return dst.slice(0, length);
      },
    };
  });
  return sequence([fields, ...groups, ...data]);
}

interface MessageCase {
  message: Message;
  codec: Codec;
  encoderClass: new () => Flyweight;
  decoderClass: new () => Flyweight;
}

interface SchemaCase {
  file: string;
  cases: MessageCase[];
  headerEncoder: Flyweight;
  headerDecoder: Flyweight;
}

const schemaCases: SchemaCase[] = [];
const breadthCases: SchemaCase[] = [];

/** Generates the schema's codecs, imports them and pairs each message with its codec driver. */
async function loadSchemaCase(file: string): Promise<SchemaCase> {
  const schema: Schema = loadSchemaOrThrow(path.join(peer, file));
  const outDir = path.join(generatedRoot, file.replace(/[^A-Za-z0-9]+/g, '-'));
  writeGeneratedCode(schema, outDir);
  const module = (await import(path.join(outDir, moduleFileName(schema)))) as Record<string, new () => Flyweight>;
  const headerName = pascalCase(schema.headerType.name);
  return {
    file,
    headerEncoder: new module[`${headerName}Encoder`]!(),
    headerDecoder: new module[`${headerName}Decoder`]!(),
    cases: schema.messages.map((message) => ({
      message,
      codec: bodyCodec(message),
      encoderClass: module[`${pascalCase(message.name)}Encoder`]!,
      decoderClass: module[`${pascalCase(message.name)}Decoder`]!,
    })),
  };
}

beforeAll(async () => {
  for (const file of SCHEMAS) schemaCases.push(await loadSchemaCase(file));
  for (const file of BREADTH_SCHEMAS) breadthCases.push(await loadSchemaCase(file));
}, 120_000);

function encode(schemaCase: SchemaCase, messageCase: MessageCase, value: Value): Uint8Array {
  const bytes = new Uint8Array(8192);
  const encoder = new messageCase.encoderClass();
  call(encoder, 'wrapAndApplyHeader', new DataView(bytes.buffer), 0, schemaCase.headerEncoder);
  messageCase.codec.write(encoder, value);
  return bytes.slice(0, headerLength(schemaCase) + call(encoder, 'encodedLength'));
}

function headerLength(schemaCase: SchemaCase): number {
  return (schemaCase.headerEncoder.constructor as unknown as { ENCODED_LENGTH: number }).ENCODED_LENGTH;
}

/** Decodes everything in a view of exactly `bytes`: a fresh buffer, so the view ends where the data does. */
function decode(schemaCase: SchemaCase, messageCase: MessageCase, bytes: Uint8Array): Value {
  const view = new DataView(bytes.slice().buffer);
  const decoder = new messageCase.decoderClass();
  call(decoder, 'wrapAndApplyHeader', view, 0, schemaCase.headerDecoder);
  return messageCase.codec.read(decoder);
}

function forEachMessage(test: (schemaCase: SchemaCase, messageCase: MessageCase) => void, cases = schemaCases): void {
  expect(cases.length).toBeGreaterThan(0);
  for (const schemaCase of cases) {
    for (const messageCase of schemaCase.cases) test(schemaCase, messageCase);
  }
}

function expectOnlySbeErrors(run: () => void): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof SbeBoundsError) && !(error instanceof SbeHeaderError)) throw error;
  }
}

describe('generated codecs (property tests)', () => {
  it('round-trip random valid messages of every message of the schemas', () => {
    let messages = 0;
    forEachMessage((schemaCase, messageCase) => {
      messages++;
      fc.assert(
        fc.property(messageCase.codec.arbitrary, (value) => {
          const bytes = encode(schemaCase, messageCase, value);
          expect(decode(schemaCase, messageCase, bytes), `${schemaCase.file} ${messageCase.message.name}`).toEqual(value);
        }),
        { numRuns: 30 },
      );
    });
    expect(messages).toBeGreaterThan(30);
  });

  it('round-trip random valid messages of every other peer schema', () => {
    expect(breadthCases.length).toBe(BREADTH_SCHEMAS.length);
    forEachMessage((schemaCase, messageCase) => {
      fc.assert(
        fc.property(messageCase.codec.arbitrary, (value) => {
          const bytes = encode(schemaCase, messageCase, value);
          expect(decode(schemaCase, messageCase, bytes), `${schemaCase.file} ${messageCase.message.name}`).toEqual(value);
        }),
        { numRuns: 10 },
      );
    }, breadthCases);
  });

  it('never read past a truncated message: decoding everything throws SbeBoundsError', () => {
    forEachMessage((schemaCase, messageCase) => {
      fc.assert(
        fc.property(messageCase.codec.arbitrary, fc.nat(), (value, cut) => {
          const bytes = encode(schemaCase, messageCase, value);
          const truncated = bytes.subarray(0, cut % bytes.length);
          expect(() => decode(schemaCase, messageCase, truncated)).toThrow(SbeBoundsError);
        }),
        { numRuns: 30 },
      );
    }, [...schemaCases, ...breadthCases]);
  }, 60_000);

  it('never read out of bounds on corrupted bytes: decode, or SbeBoundsError / SbeHeaderError', () => {
    forEachMessage((schemaCase, messageCase) => {
      fc.assert(
        fc.property(
          messageCase.codec.arbitrary,
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          (value, corruptions) => {
            const bytes = encode(schemaCase, messageCase, value);
            for (const [position, byte] of corruptions) bytes[position % bytes.length] = byte;
            expectOnlySbeErrors(() => decode(schemaCase, messageCase, bytes));
          },
        ),
        { numRuns: 50 },
      );
    }, [...schemaCases, ...breadthCases]);
  }, 60_000);
});
