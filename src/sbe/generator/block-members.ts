/**
 * Accessors for the fixed-size part of a block: message and group fields and composite members
 * share this code, so a price reads the same way in a message, a group entry or a composite.
 *
 * Decoders read `this.view` at `this.offset + <member offset>`; a member newer than the acting
 * version returns its null value without touching the buffer. Encoders write and return `this`
 * for chaining. Static metadata follows the reference generator's grid:
 * `<name>Id`, `<name>SinceVersion`, `<name>EncodingOffset`, `<name>EncodingLength`,
 * `<name>NullValue`, `<name>MinValue`, `<name>MaxValue`, `<name>Length` (array elements),
 * `<name>CharacterEncoding` (bigint values for 64-bit integers).
 */
import type { CompositeMember, EncodedType, EnumType, Field, PrimitiveValue, Presence, Type } from '../ir.js';
import { primitiveSize } from '../ir.js';
import { CODEC_SUFFIXES } from './catalog.js';
import { type ClassParts, emptyParts } from './class-parts.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { memberName } from './names.js';
import {
  bigintLiteral,
  is64Bit,
  mayBeDouble,
  numberLiteral,
  plus,
  readBigInt,
  readNumber,
  stringLiteral,
  writeBigInt,
  writeNumber,
} from './primitives.js';

/** A field or composite member, normalised: what an accessor needs to know. */
export interface BlockMember {
  name: string;
  accessor: string;
  id?: number;
  offset: number;
  type: Type;
  presence: Presence;
  sinceVersion: number;
  /**
   * The acting version below which the member reads as null: its sinceVersion when that is newer
   * than its enclosing message, group or composite, else 0 (no check: the member exists whenever
   * its container does, as in MDP3, where whole messages are sinceVersion 9).
   */
  presentSince: number;
  deprecated?: number;
  description?: string;
  /** For presence="constant": the value (an enum constant resolved to its number). */
  constant?: PrimitiveValue | string;
}

/** The class being generated: how its errors name it (`Car`, `Car.fuelFigures`). */
export interface OwnerScope {
  what: string;
}

function enumConstant(type: EnumType, valueName: string | undefined, where: string): number {
  const name = valueName?.slice(valueName.lastIndexOf('.') + 1);
  const value = type.values.find((candidate) => candidate.name === name);
  if (value === undefined) throw new Error(`internal: ${where}: constant ${valueName} is not a value of ${type.name}`);
  return value.value;
}

/** The version check an element needs inside a container that itself exists since `containerSince`. */
export function presentSince(sinceVersion: number, containerSince: number): number {
  return sinceVersion > containerSince ? sinceVersion : 0;
}

export function memberFromField(field: Field, containerSince: number): BlockMember {
  const member: BlockMember = {
    name: field.name,
    accessor: memberName(field.name),
    id: field.id,
    offset: field.offset,
    type: field.type,
    presence: field.presence,
    sinceVersion: field.sinceVersion,
    presentSince: presentSince(field.sinceVersion, containerSince),
  };
  if (field.deprecated !== undefined) member.deprecated = field.deprecated;
  if (field.description !== undefined) member.description = field.description;
  if (field.presence === 'constant') {
    const type = field.type;
    if (type.kind === 'enum') {
      const valueName = typeof field.constValue === 'string' ? field.constValue : (field.valueRef ?? type.constValueName);
      member.constant = enumConstant(type, valueName, field.name);
    } else if (type.kind === 'encoded') {
      const constant = field.constValue ?? type.constValue;
      if (constant !== undefined) member.constant = constant;
    }
  }
  return member;
}

export function memberFromComposite(member: CompositeMember, containerSince: number): BlockMember {
  const type = member.type;
  const presence: Presence = type.kind === 'encoded' || type.kind === 'enum' ? type.presence : 'required';
  const result: BlockMember = {
    name: member.name,
    accessor: memberName(member.name),
    offset: member.offset,
    type,
    presence,
    sinceVersion: member.sinceVersion,
    presentSince: presentSince(member.sinceVersion, containerSince),
  };
  if (member.deprecated !== undefined) result.deprecated = member.deprecated;
  if (member.description !== undefined) result.description = member.description;
  if (presence === 'constant') {
    if (type.kind === 'enum') result.constant = enumConstant(type, type.constValueName, member.name);
    else if (type.kind === 'encoded' && type.constValue !== undefined) result.constant = type.constValue;
  }
  return result;
}

/** Bytes the member takes in the block (0 for constants and var-data placeholders). */
export function memberWireLength(member: BlockMember): number {
  return member.presence === 'constant' ? 0 : member.type.encodedLength;
}

function at(member: BlockMember, extra = ''): string {
  return plus('this.offset', member.offset) + extra;
}

/** Statements of a setter body, indented. */
function indented(statements: string[]): string[] {
  return statements.map((statement) => `    ${statement}`);
}

function versionGuard(member: BlockMember, nullExpression: string): string[] {
  return member.presentSince > 0 ? [`    if (this.actingVersion < ${member.presentSince}) return ${nullExpression};`] : [];
}

function memberDoc(member: BlockMember, extra: ReadonlyArray<string | undefined> = []): string[] {
  return docComment([
    member.description,
    ...extra,
    member.presentSince > 0 ? `Since version ${member.presentSince}: older data reads as the null value.` : undefined,
    member.deprecated !== undefined ? `@deprecated since version ${member.deprecated}` : undefined,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Static metadata

export function memberStatics(member: BlockMember): string[] {
  const name = member.accessor;
  const lines = [];
  if (member.id !== undefined) lines.push(`  static readonly ${name}Id = ${member.id};`);
  lines.push(
    `  static readonly ${name}SinceVersion = ${member.sinceVersion};`,
    `  static readonly ${name}EncodingOffset = ${member.offset};`,
    `  static readonly ${name}EncodingLength = ${memberWireLength(member)};`,
  );
  const type = member.type;
  if (type.kind === 'encoded') {
    if (type.length !== 1) lines.push(`  static readonly ${name}Length = ${constantLength(member, type)};`);
    if (type.characterEncoding !== undefined) {
      lines.push(`  static readonly ${name}CharacterEncoding = ${stringLiteral(type.characterEncoding)};`);
    }
    if (type.primitiveType !== 'char' || type.length === 1) {
      lines.push(
        `  static readonly ${name}NullValue = ${numberLiteral(type.nullValue)};`,
        `  static readonly ${name}MinValue = ${numberLiteral(type.minValue)};`,
        `  static readonly ${name}MaxValue = ${numberLiteral(type.maxValue)};`,
      );
      if (is64Bit(type.primitiveType)) {
        // The number constants above compare equal to the number accessors; these are exact.
        lines.push(
          `  static readonly ${name}NullValueBigInt = ${bigintLiteral(type.nullValue)};`,
          `  static readonly ${name}MinValueBigInt = ${bigintLiteral(type.minValue)};`,
          `  static readonly ${name}MaxValueBigInt = ${bigintLiteral(type.maxValue)};`,
        );
      }
    }
  } else if (type.kind === 'enum') {
    lines.push(`  static readonly ${name}NullValue = ${numberLiteral(type.nullValue)};`);
  }
  return lines;
}

/** Elements of an array member; for a char constant, the characters of its value. */
function constantLength(member: BlockMember, type: EncodedType): number {
  return typeof member.constant === 'string' && type.length <= 1 ? member.constant.length : type.length;
}

// ---------------------------------------------------------------------------------------------
// Decoders

export function decoderMember(member: BlockMember, context: EmitContext, scope: OwnerScope): ClassParts {
  const type = member.type;
  switch (type.kind) {
    case 'encoded':
      if (type.length === 0) return emptyParts();
      return member.presence === 'constant'
        ? constantDecoder(member, type)
        : type.length === 1
          ? scalarDecoder(member, type, context)
          : arrayDecoder(member, type, context, scope);
    case 'enum':
      return enumDecoder(member, type, context);
    case 'set':
    case 'composite':
      return flyweightDecoder(member, context);
  }
}

function scalarDecoder(member: BlockMember, type: EncodedType, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const primitive = type.primitiveType;
  const name = member.accessor;
  const wide = is64Bit(primitive);
  parts.methods.push(
    ...memberDoc(member, [
      wide ? 'As a number: exact up to 2^53 (two 32-bit reads, no BigInt); use the BigInt accessor for every bit.' : undefined,
    ]),
    `  ${name}(): number {`,
    ...versionGuard(member, numberLiteral(type.nullValue)),
    `    return ${readNumber('this.view', at(member), primitive, context.littleEndian)};`,
    `  }`,
  );
  if (wide) {
    parts.methods.push(
      `  /** Exact value as a bigint (allocates: cold path). */`,
      `  ${name}BigInt(): bigint {`,
      ...versionGuard(member, bigintLiteral(type.nullValue)),
      `    return ${readBigInt('this.view', at(member), primitive, context.littleEndian)};`,
      `  }`,
    );
  }
  if (mayBeDouble(primitive)) {
    const read = readNumber('this.view', at(member), primitive, context.littleEndian);
    parts.methods.push(
      `  /** Stores the value in \`dst[index]\`: no double crosses a call, so nothing is boxed even where V8 does not inline. */`,
      `  ${name}Into(dst: Float64Array, index: number): void {`,
      `    dst[index] = ${member.presentSince > 0 ? `this.actingVersion < ${member.presentSince} ? ${numberLiteral(type.nullValue)} : ` : ''}${read};`,
      `  }`,
    );
  }
  return parts;
}

function indexCheck(what: string, length: number): string {
  return `    if (index >>> 0 !== index || index >= ${length}) throw new SbeRangeError(${stringLiteral(what)}, index, '[0, ${length})');`;
}

function arrayDecoder(member: BlockMember, type: EncodedType, context: EmitContext, scope: OwnerScope): ClassParts {
  const parts = emptyParts();
  const primitive = type.primitiveType;
  const name = member.accessor;
  const size = primitiveSize[primitive];
  const elementOffset = at(member, size === 1 ? ' + index' : ` + index * ${size}`);
  const what = `${scope.what}.${member.name}`;
  useRuntime(context, 'SbeRangeError');
  parts.methods.push(
    ...memberDoc(member, [`Element \`index\` of ${type.length}.`]),
    `  ${name}(index: number): number {`,
    indexCheck(what, type.length),
    ...versionGuard(member, primitive === 'char' ? '0' : numberLiteral(type.nullValue)),
    `    return ${readNumber('this.view', elementOffset, primitive, context.littleEndian)};`,
    `  }`,
  );
  if (is64Bit(primitive)) {
    parts.methods.push(
      `  /** Element \`index\` exactly, as a bigint (allocates: cold path). */`,
      `  ${name}BigInt(index: number): bigint {`,
      indexCheck(what, type.length),
      ...versionGuard(member, bigintLiteral(type.nullValue)),
      `    return ${readBigInt('this.view', elementOffset, primitive, context.littleEndian)};`,
      `  }`,
    );
  }
  if (size === 1) {
    const upper = name.charAt(0).toUpperCase() + name.slice(1);
    useRuntime(context, 'copyToBytes');
    parts.methods.push(
      `  /** Copies the ${type.length} bytes into \`dst\` at \`dstOffset\` (no allocation); returns the bytes copied. */`,
      `  get${upper}(dst: Uint8Array, dstOffset: number): number {`,
      ...versionGuard(member, '0'),
      `    if (dstOffset + ${type.length} > dst.length) throw new SbeRangeError(${stringLiteral(`${what} dstOffset`)}, dstOffset, \`[0, \${dst.length - ${type.length}}]\`);`,
      `    copyToBytes(this.view, ${at(member)}, dst, dstOffset, ${type.length});`,
      `    return ${type.length};`,
      `  }`,
    );
  }
  if (primitive === 'char') {
    useRuntime(context, 'decodeCharArray');
    parts.methods.push(
      `  /** As a string cut at the first NUL (allocates: cold path). */`,
      `  ${name}AsString(): string {`,
      ...versionGuard(member, `''`),
      `    return decodeCharArray(this.view, ${at(member)}, ${type.length}, ${stringLiteral(type.characterEncoding ?? 'US-ASCII')});`,
      `  }`,
    );
  }
  return parts;
}

function constantDecoder(member: BlockMember, type: EncodedType): ClassParts {
  const parts = emptyParts();
  const name = member.accessor;
  const constant = member.constant;
  if (typeof constant === 'string') {
    const length = constantLength(member, type);
    parts.methods.push(
      ...memberDoc(member, [`Constant ${stringLiteral(constant)}: character code at \`index\` (not on the wire).`]),
      `  ${name}(index: number): number {`,
      `    return ${stringLiteral(constant)}.charCodeAt(index);`,
      `  }`,
      `  /** The constant ${stringLiteral(constant)} (${length} characters). */`,
      `  ${name}AsString(): string {`,
      `    return ${stringLiteral(constant)};`,
      `  }`,
    );
    return parts;
  }
  const value = constant ?? type.nullValue;
  parts.methods.push(
    ...memberDoc(member, ['Constant (not on the wire).']),
    `  ${name}(): number {`,
    `    return ${numberLiteral(value)};`,
    `  }`,
  );
  if (is64Bit(type.primitiveType)) {
    parts.methods.push(`  ${name}BigInt(): bigint {`, `    return ${bigintLiteral(value)};`, `  }`);
  }
  return parts;
}

function enumDecoder(member: BlockMember, type: EnumType, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const enumName = context.catalog.nameOf(type);
  const name = member.accessor;
  if (member.presence === 'constant') {
    parts.methods.push(
      ...memberDoc(member, [`Constant ${enumName} value (not on the wire).`]),
      `  ${name}(): number {`,
      `    return ${numberLiteral(typeof member.constant === 'number' ? member.constant : type.nullValue)};`,
      `  }`,
    );
    return parts;
  }
  parts.methods.push(
    ...memberDoc(member, [`A ${enumName} value (compare with \`${enumName}.X\`; name with \`${enumName}Names[value]\`).`]),
    `  ${name}(): number {`,
    ...versionGuard(member, numberLiteral(type.nullValue)),
    `    return ${readNumber('this.view', at(member), type.encodingType, context.littleEndian)};`,
    `  }`,
  );
  return parts;
}

function flyweightDecoder(member: BlockMember, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const type = member.type as Exclude<Type, EncodedType | EnumType>;
  const className = context.catalog.nameOf(type) + CODEC_SUFFIXES[0];
  const name = member.accessor;
  const optional = member.presentSince > 0;
  const versionArgument = type.kind === 'composite' ? ', this.actingVersion' : '';
  parts.fields.push(`  readonly #${name} = new ${className}();`);
  parts.methods.push(
    ...memberDoc(member, [optional ? 'null when the acting version predates the field.' : undefined]),
    `  ${name}(): ${className}${optional ? ' | null' : ''} {`,
    ...versionGuard(member, 'null'),
    `    return this.#${name}.sbeWrapInBlock(this.view, ${at(member)}${versionArgument});`,
    `  }`,
  );
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Encoders

export function encoderMember(member: BlockMember, context: EmitContext, scope: OwnerScope): ClassParts {
  const type = member.type;
  if (member.presence === 'constant') return emptyParts();
  switch (type.kind) {
    case 'encoded':
      if (type.length === 0) return emptyParts();
      return type.length === 1 ? scalarEncoder(member, type, context) : arrayEncoder(member, type, context, scope);
    case 'enum':
      return enumEncoder(member, type, context);
    case 'set':
    case 'composite':
      return flyweightEncoder(member, context);
  }
}

function scalarEncoder(member: BlockMember, type: EncodedType, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const primitive = type.primitiveType;
  const name = member.accessor;
  parts.methods.push(
    ...memberDoc(member, [
      is64Bit(primitive)
        ? 'From a number: exact up to 2^53, saturating at the top of the range (so the null value written as a number stays null); the BigInt setter writes every bit.'
        : undefined,
    ]),
    `  ${name}(value: number): this {`,
    ...indented(writeNumber('this.view', at(member), primitive, 'value', context.littleEndian, (max) => `this.${name}BigInt(${max})`)),
    `    return this;`,
    `  }`,
  );
  if (is64Bit(primitive)) {
    parts.methods.push(
      `  ${name}BigInt(value: bigint): this {`,
      `    ${writeBigInt('this.view', at(member), primitive, 'value', context.littleEndian)}`,
      `    return this;`,
      `  }`,
    );
  }
  if (mayBeDouble(primitive)) {
    parts.methods.push(
      `  /** Writes \`src[index]\`: no double crosses a call, so nothing is boxed even where V8 does not inline. */`,
      `  ${name}From(src: Float64Array, index: number): this {`,
      `    const value = src[index] as number;`,
      ...indented(writeNumber('this.view', at(member), primitive, 'value', context.littleEndian, (max) => `this.${name}BigInt(${max})`)),
      `    return this;`,
      `  }`,
    );
  }
  return parts;
}

function arrayEncoder(member: BlockMember, type: EncodedType, context: EmitContext, scope: OwnerScope): ClassParts {
  const parts = emptyParts();
  const primitive = type.primitiveType;
  const name = member.accessor;
  const upper = name.charAt(0).toUpperCase() + name.slice(1);
  const size = primitiveSize[primitive];
  const elementOffset = at(member, size === 1 ? ' + index' : ` + index * ${size}`);
  const what = `${scope.what}.${member.name}`;
  useRuntime(context, 'SbeRangeError');
  parts.methods.push(
    ...memberDoc(member, [`Sets element \`index\` of ${type.length}.`]),
    `  ${name}(index: number, value: number): this {`,
    indexCheck(what, type.length),
    ...indented(writeNumber('this.view', elementOffset, primitive, 'value', context.littleEndian, (max) => `this.${name}BigInt(index, ${max})`)),
    `    return this;`,
    `  }`,
  );
  if (is64Bit(primitive)) {
    parts.methods.push(
      `  ${name}BigInt(index: number, value: bigint): this {`,
      indexCheck(what, type.length),
      `    ${writeBigInt('this.view', elementOffset, primitive, 'value', context.littleEndian)}`,
      `    return this;`,
      `  }`,
    );
  }
  if (size === 1) {
    useRuntime(context, 'copyFromBytes');
    parts.methods.push(
      `  /** Copies ${type.length} bytes from \`src\` at \`srcOffset\` (no allocation). */`,
      `  put${upper}(src: Uint8Array, srcOffset: number): this {`,
      `    if (srcOffset + ${type.length} > src.length) throw new SbeRangeError(${stringLiteral(`${what} srcOffset`)}, srcOffset, \`[0, \${src.length - ${type.length}}]\`);`,
      `    copyFromBytes(this.view, ${at(member)}, src, srcOffset, ${type.length});`,
      `    return this;`,
      `  }`,
    );
  }
  if (primitive === 'char') {
    useRuntime(context, 'encodeCharArray');
    parts.methods.push(
      `  /** From a string, NUL-padded; longer than ${type.length} bytes throws (allocates: cold path). */`,
      `  ${name}FromString(value: string): this {`,
      `    encodeCharArray(this.view, ${at(member)}, ${type.length}, value, ${stringLiteral(type.characterEncoding ?? 'US-ASCII')}, ${stringLiteral(what)});`,
      `    return this;`,
      `  }`,
    );
  }
  return parts;
}

function enumEncoder(member: BlockMember, type: EnumType, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const enumName = context.catalog.nameOf(type);
  const name = member.accessor;
  parts.methods.push(
    ...memberDoc(member, [`A ${enumName} value.`]),
    `  ${name}(value: number): this {`,
    ...indented(writeNumber('this.view', at(member), type.encodingType, 'value', context.littleEndian)),
    `    return this;`,
    `  }`,
  );
  return parts;
}

function flyweightEncoder(member: BlockMember, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const type = member.type as Exclude<Type, EncodedType | EnumType>;
  const className = context.catalog.nameOf(type) + CODEC_SUFFIXES[1];
  const name = member.accessor;
  parts.fields.push(`  readonly #${name} = new ${className}();`);
  parts.methods.push(
    ...memberDoc(member),
    `  ${name}(): ${className} {`,
    `    return this.#${name}.sbeWrapInBlock(this.view, ${at(member)});`,
    `  }`,
  );
  return parts;
}
