/**
 * Code for the schema's named types: enums as const objects, sets and composites as
 * decoder/encoder flyweight pairs.
 */
import type { CompositeType, EnumType, SetType } from '../ir.js';
import { CODEC_SUFFIXES } from './catalog.js';
import { decoderMember, encoderMember, memberFromComposite, memberStatics } from './block-members.js';
import { type ClassParts, emptyParts, mergeParts, renderClass } from './class-parts.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { enumKey, memberName } from './names.js';
import { numberLiteral, plus, readNumber, stringLiteral, writeNumber } from './primitives.js';

/**
 * `sbeWrapInBlock` is `wrap` without the bounds check, for the accessor of the message or group
 * holding the composite: that block was checked when it was wrapped, and the smaller method is
 * one V8 inlines into the caller.
 */
const IN_BLOCK_DOC = [`  /** Wraps without a bounds check: for the enclosing block's accessor, which checked the block. */`];

/** The bounds check every flyweight's `wrap` starts with: the encoded type must fit the view. */
export function wrapBoundsCheck(context: EmitContext, what: string, length: string): string {
  useRuntime(context, 'SbeBoundsError');
  return (
    `    if (offset < 0 || offset + ${length} > view.byteLength) ` +
    `throw new SbeBoundsError(${stringLiteral(what)}, offset, ${length}, view.byteLength);`
  );
}

// ---------------------------------------------------------------------------------------------
// Enums

export function enumCode(type: EnumType, context: EmitContext): string[] {
  const name = context.catalog.nameOf(type);
  const seenValues = new Set<number>();
  const names: string[] = [];
  for (const value of type.values) {
    if (seenValues.has(value.value)) continue;
    seenValues.add(value.value);
    names.push(`  ${value.value}: ${stringLiteral(value.name)},`);
  }
  return [
    ...docComment([type.description, `Encoded as ${type.encodingType}; NULL_VALUE means no value.`], ''),
    `export const ${name} = {`,
    ...type.values.map((value) => `  ${enumKey(value.name)}: ${numberLiteral(value.value)},`),
    `  NULL_VALUE: ${numberLiteral(type.nullValue)},`,
    `} as const;`,
    `export type ${name} = (typeof ${name})[keyof typeof ${name}];`,
    `/** ${name} value -> name, for tools and logs (undefined for an unknown value). */`,
    `export const ${name}Names: Readonly<Record<number, string | undefined>> = {`,
    ...names,
    `};`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Sets

/** Offset (relative to the set) and in-word bit of a choice; uint64 sets are two 32-bit words. */
function choiceWord(type: SetType, bit: number, littleEndian: boolean): { wordOffset: number; bitInWord: number } {
  if (type.encodingType !== 'uint64') return { wordOffset: 0, bitInWord: bit };
  const highWord = bit >= 32;
  const wordOffset = highWord === littleEndian ? 4 : 0;
  return { wordOffset, bitInWord: bit % 32 };
}

function setWordType(type: SetType): EnumType['encodingType'] {
  return type.encodingType === 'uint64' ? 'uint32' : type.encodingType;
}

function setWordOffsets(type: SetType): number[] {
  return type.encodingType === 'uint64' ? [0, 4] : [0];
}

export function setCode(type: SetType, context: EmitContext): string[] {
  const base = context.catalog.nameOf(type);
  return [
    ...renderClass(
      docComment([type.description, `Bit set over ${type.encodingType}: one boolean per choice.`]),
      base + CODEC_SUFFIXES[0],
      setDecoderParts(type, context),
    ),
    '',
    ...renderClass(docComment([`Writes ${type.name}: \`clear()\`, then one setter per choice.`]), base + CODEC_SUFFIXES[1], setEncoderParts(type, context)),
  ];
}

function setCommonParts(type: SetType, context: EmitContext): ClassParts {
  const parts = emptyParts();
  useRuntime(context, 'EMPTY_VIEW');
  parts.statics.push(`  static readonly ENCODED_LENGTH = ${type.encodedLength};`);
  for (const choice of type.choices) {
    parts.statics.push(`  static readonly ${memberName(choice.name)}Bit = ${choice.bit};`);
  }
  parts.fields.push(`  view: DataView = EMPTY_VIEW;`, `  offset = 0;`);
  parts.methods.push(
    `  wrap(view: DataView, offset: number): this {`,
    wrapBoundsCheck(context, type.name, String(type.encodedLength)),
    `    return this.sbeWrapInBlock(view, offset);`,
    `  }`,
    ...IN_BLOCK_DOC,
    `  sbeWrapInBlock(view: DataView, offset: number): this {`,
    `    this.view = view;`,
    `    this.offset = offset;`,
    `    return this;`,
    `  }`,
  );
  return parts;
}

function readWord(type: SetType, wordOffset: number, context: EmitContext): string {
  return readNumber('this.view', plus('this.offset', wordOffset), setWordType(type), context.littleEndian);
}

function setDecoderParts(type: SetType, context: EmitContext): ClassParts {
  const parts = setCommonParts(type, context);
  const wide = type.encodingType === 'uint64';
  if (wide) {
    parts.methods.push(
      `  /** The raw bits exactly (allocates a bigint: cold path). */`,
      `  rawValueBigInt(): bigint {`,
      `    return this.view.getBigUint64(this.offset, ${context.littleEndian});`,
      `  }`,
    );
  } else {
    parts.methods.push(`  /** The raw bits, bit 0 least significant. */`, `  rawValue(): number {`, `    return ${readWord(type, 0, context)};`, `  }`);
  }
  parts.methods.push(
    `  isEmpty(): boolean {`,
    `    return ${setWordOffsets(type).map((offset) => `${readWord(type, offset, context)} === 0`).join(' && ')};`,
    `  }`,
  );
  for (const choice of type.choices) {
    const { wordOffset, bitInWord } = choiceWord(type, choice.bit, context.littleEndian);
    parts.methods.push(
      ...docComment([choice.description, `Bit ${choice.bit}.`]),
      `  ${memberName(choice.name)}(): boolean {`,
      `    return ((${readWord(type, wordOffset, context)} >>> ${bitInWord}) & 1) === 1;`,
      `  }`,
    );
  }
  return parts;
}

function setEncoderParts(type: SetType, context: EmitContext): ClassParts {
  const parts = setCommonParts(type, context);
  const wordType = setWordType(type);
  const writeWord = (wordOffset: number, value: string): string =>
    writeNumber('this.view', plus('this.offset', wordOffset), wordType, value, context.littleEndian).join(' ');
  parts.methods.push(
    `  clear(): this {`,
    ...setWordOffsets(type).map((offset) => `    ${writeWord(offset, '0')}`),
    `    return this;`,
    `  }`,
  );
  if (type.encodingType === 'uint64') {
    parts.methods.push(`  rawValueBigInt(value: bigint): this {`, `    this.view.setBigUint64(this.offset, value, ${context.littleEndian});`, `    return this;`, `  }`);
  } else {
    parts.methods.push(`  rawValue(value: number): this {`, `    ${writeWord(0, 'value')}`, `    return this;`, `  }`);
  }
  for (const choice of type.choices) {
    const { wordOffset, bitInWord } = choiceWord(type, choice.bit, context.littleEndian);
    parts.methods.push(
      ...docComment([choice.description, `Bit ${choice.bit}.`]),
      `  ${memberName(choice.name)}(value: boolean): this {`,
      `    const bits = ${readWord(type, wordOffset, context)};`,
      `    ${writeWord(wordOffset, `value ? bits | (1 << ${bitInWord}) : bits & ~(1 << ${bitInWord})`)}`,
      `    return this;`,
      `  }`,
    );
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Composites

export function compositeCode(type: CompositeType, context: EmitContext): string[] {
  const base = context.catalog.nameOf(type);
  const decoder = base + CODEC_SUFFIXES[0];
  const encoder = base + CODEC_SUFFIXES[1];
  const members = type.members.map((member) => memberFromComposite(member, type.sinceVersion));
  const scope = { what: type.name };
  const statics = [
    `  static readonly ENCODED_LENGTH = ${type.encodedLength};`,
    `  static readonly SCHEMA_ID = ${context.schemaId};`,
    `  static readonly SCHEMA_VERSION = ${context.schemaVersion};`,
    ...members.flatMap(memberStatics),
  ];
  useRuntime(context, 'EMPTY_VIEW');

  const decoderParts = emptyParts();
  decoderParts.statics.push(...statics);
  decoderParts.fields.push(`  view: DataView = EMPTY_VIEW;`, `  offset = 0;`, `  actingVersion = ${context.schemaVersion};`);
  const decoderMembers = emptyParts();
  for (const member of members) mergeParts(decoderMembers, decoderMember(member, context, scope));
  decoderParts.fields.push(...decoderMembers.fields);
  decoderParts.methods.push(
    `  /** Wraps the composite at \`offset\`; members newer than \`actingVersion\` read as null. */`,
    `  wrap(view: DataView, offset: number, actingVersion: number = ${context.schemaVersion}): this {`,
    wrapBoundsCheck(context, type.name, String(type.encodedLength)),
    `    return this.sbeWrapInBlock(view, offset, actingVersion);`,
    `  }`,
    ...IN_BLOCK_DOC,
    `  sbeWrapInBlock(view: DataView, offset: number, actingVersion: number): this {`,
    `    this.view = view;`,
    `    this.offset = offset;`,
    `    this.actingVersion = actingVersion;`,
    `    return this;`,
    `  }`,
    ...decoderMembers.methods,
  );

  const encoderParts = emptyParts();
  encoderParts.statics.push(...statics);
  encoderParts.fields.push(`  view: DataView = EMPTY_VIEW;`, `  offset = 0;`);
  const encoderMembers = emptyParts();
  for (const member of members) mergeParts(encoderMembers, encoderMember(member, context, scope));
  encoderParts.fields.push(...encoderMembers.fields);
  encoderParts.methods.push(
    `  wrap(view: DataView, offset: number): this {`,
    wrapBoundsCheck(context, type.name, String(type.encodedLength)),
    `    return this.sbeWrapInBlock(view, offset);`,
    `  }`,
    ...IN_BLOCK_DOC,
    `  sbeWrapInBlock(view: DataView, offset: number): this {`,
    `    this.view = view;`,
    `    this.offset = offset;`,
    `    return this;`,
    `  }`,
    ...encoderMembers.methods,
  );

  return [
    ...renderClass(docComment([type.description, `Composite ${type.name}, ${type.encodedLength} bytes.`]), decoder, decoderParts),
    '',
    ...renderClass(docComment([`Writes composite ${type.name}.`]), encoder, encoderParts),
  ];
}
