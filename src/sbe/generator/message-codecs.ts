/**
 * Code for messages and their repeating groups and var data.
 *
 * Wire order is block, then groups, then var data, each group entry being its own block followed
 * by its nested groups and var data. Everything after the block sits at a running `limit` kept by
 * the message flyweight (group flyweights move their message's `limit`), exactly as in the
 * reference Java codecs: groups and var data must therefore be read in schema order.
 *
 * Decoders honour the acting block length and version from the header: the block is skipped by
 * its wire length, group entries by the group's wire blockLength, and elements newer than the
 * acting version read as null / empty. Every read past the fixed block is checked against
 * `bufferEnd` first and throws SbeBoundsError naming the element and the offset.
 */
import type { CompositeType, EncodedType, Group, Message, VarData } from '../ir.js';
import { primitiveSize } from '../ir.js';
import { CODEC_SUFFIXES, type GroupEntry, type MessageEntry } from './catalog.js';
import {
  type BlockMember,
  type ClassParts,
  decoderMember,
  emptyParts,
  encoderMember,
  memberFromField,
  memberStatics,
  memberWireLength,
  mergeParts,
  presentSince,
} from './block-members.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { memberName } from './names.js';
import { numberLiteral, plus, readNumber, stringLiteral, writeNumber } from './primitives.js';
import { renderClass } from './type-codecs.js';

/** The message or group whose code is being emitted. */
interface BodyScope {
  body: Message | Group;
  /** Dotted path for error messages: `Car`, `Car.fuelFigures`. */
  what: string;
  /** Class base name: `Car`, `CarFuelFigures`. */
  className: string;
  /** Base name of the enclosing message's classes (the holder of `limit`). */
  messageClassName: string;
  /** `this` in a message, `this.parent` in a group: whose `limit` tracks the position. */
  limitHolder: string;
  groupEntries: ReadonlyMap<Group, GroupEntry>;
}

const DECODER = CODEC_SUFFIXES[0];
const ENCODER = CODEC_SUFFIXES[1];

function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The smallest block length whose fields cover every field present in `actingVersion`, as an
 * expression: a block shorter than that is corrupt, and its fields would be read past its end.
 */
function requiredBlockLengthExpression(members: readonly BlockMember[]): string {
  const endByVersion = new Map<number, number>();
  for (const member of members) {
    const end = member.offset + memberWireLength(member);
    if (memberWireLength(member) === 0) continue;
    endByVersion.set(member.presentSince, Math.max(endByVersion.get(member.presentSince) ?? 0, end));
  }
  const versions = [...endByVersion.keys()].sort((a, b) => a - b);
  let runningMax = 0;
  const requiredByVersion = versions.map((version) => {
    runningMax = Math.max(runningMax, endByVersion.get(version)!);
    return { version, required: runningMax };
  });
  let expression = '0';
  for (const { version, required } of requiredByVersion) {
    expression = version === 0 ? String(required) : `actingVersion >= ${version} ? ${required} : ${expression}`;
  }
  return expression;
}

function primitiveOf(type: CompositeType['members'][number]['type'], where: string): EncodedType['primitiveType'] {
  if (type.kind !== 'encoded') throw new Error(`internal: ${where} must be a primitive type`);
  return type.primitiveType;
}

// ---------------------------------------------------------------------------------------------
// Statics shared by the decoder and the encoder of a body

function bodyStatics(scope: BodyScope, members: readonly BlockMember[]): string[] {
  const lines = members.flatMap(memberStatics);
  for (const group of scope.body.groups) {
    const name = memberName(group.name);
    lines.push(`  static readonly ${name}Id = ${group.id};`, `  static readonly ${name}SinceVersion = ${group.sinceVersion};`);
  }
  for (const data of scope.body.data) {
    const name = memberName(data.name);
    lines.push(
      `  static readonly ${name}Id = ${data.id};`,
      `  static readonly ${name}SinceVersion = ${data.sinceVersion};`,
      `  static readonly ${name}HeaderLength = ${data.headerLength};`,
      `  static readonly ${name}MaxLength = ${numberLiteral(data.maxLength)};`,
    );
    if (data.characterEncoding !== undefined) {
      lines.push(`  static readonly ${name}CharacterEncoding = ${stringLiteral(data.characterEncoding)};`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Decoder parts of a body: fields, group accessors, var data, sbeSkip

function bodyDecoderParts(scope: BodyScope, members: readonly BlockMember[], context: EmitContext): ClassParts {
  const parts = emptyParts();
  for (const member of members) mergeParts(parts, decoderMember(member, context, { what: scope.what, className: scope.className }));
  for (const group of scope.body.groups) mergeParts(parts, groupAccessorDecoder(group, scope));
  for (const data of scope.body.data) mergeParts(parts, varDataDecoder(data, scope, context));
  parts.methods.push(...skipMethod(scope));
  return parts;
}

function groupAccessorDecoder(group: Group, scope: BodyScope): ClassParts {
  const parts = emptyParts();
  const entry = scope.groupEntries.get(group)!;
  const name = memberName(group.name);
  const className = entry.className + DECODER;
  const since = presentSince(group.sinceVersion, scope.body.sinceVersion);
  parts.fields.push(`  readonly #${name}: ${className};`);
  parts.methods.push(
    ...docComment([
      group.description,
      'Reads the group header at the current position and returns the reused group flyweight: iterate with `hasNext()`/`next()`.',
      since > 0 ? `Since version ${since}: empty for older data.` : undefined,
    ]),
    `  ${name}(): ${className} {`,
    ...(since > 0 ? [`    if (this.actingVersion < ${since}) return this.#${name}.wrapEmpty(this.view);`] : []),
    `    return this.#${name}.wrap(this.view);`,
    `  }`,
  );
  return parts;
}

/** Constructor lines creating the body's group flyweights, which share the message's `limit`. */
function groupConstruction(scope: BodyScope, suffix: string, parent: string): string[] {
  return scope.body.groups.map((group) => {
    const entry = scope.groupEntries.get(group)!;
    return `    this.#${memberName(group.name)} = new ${entry.className + suffix}(${parent});`;
  });
}

function varDataDecoder(data: VarData, scope: BodyScope, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const name = memberName(data.name);
  const upper = upperFirst(name);
  const what = stringLiteral(`${scope.what}.${data.name}`);
  const holder = scope.limitHolder;
  const header = data.headerLength;
  const since = presentSince(data.sinceVersion, scope.body.sinceVersion);
  const guard = (nullValue: string): string[] => (since > 0 ? [`    if (this.actingVersion < ${since}) return ${nullValue};`] : []);
  useRuntime(context, 'SbeBoundsError', 'copyToBytes', 'decodeString');
  parts.methods.push(
    ...docComment([data.description, `Length in bytes of ${data.name} at the current position (does not move it).`]),
    `  ${name}Length(): number {`,
    ...guard('0'),
    `    const limit = ${holder}.limit;`,
    `    if (limit + ${header} > this.bufferEnd) throw new SbeBoundsError(${what}, limit, ${header}, this.bufferEnd);`,
    `    return ${readNumber('this.view', plus('limit', data.lengthOffset), data.lengthType, context.littleEndian)};`,
    `  }`,
    `  /** Offset in the view of ${data.name}'s bytes, for reading them in place (does not move the position). */`,
    `  ${name}Offset(): number {`,
    `    return ${holder}.limit + ${header};`,
    `  }`,
    `  /** Moves past ${data.name} after checking it fits the buffer; returns its length. */`,
    `  skip${upper}(): number {`,
    ...guard('0'),
    `    const length = this.${name}Length();`,
    `    const dataOffset = ${holder}.limit + ${header};`,
    `    if (dataOffset + length > this.bufferEnd) throw new SbeBoundsError(${what}, dataOffset, length, this.bufferEnd);`,
    `    ${holder}.limit = dataOffset + length;`,
    `    return length;`,
    `  }`,
    `  /**`,
    `   * Copies ${data.name} into \`dst\` at \`dstOffset\` (no allocation) and moves past it. Copies at most`,
    `   * what fits in \`dst\`; returns the bytes copied.`,
    `   */`,
    `  get${upper}(dst: Uint8Array, dstOffset: number): number {`,
    `    const dataOffset = ${holder}.limit + ${header};`,
    `    const length = this.skip${upper}();`,
    `    const room = dst.length - dstOffset;`,
    `    const copied = length < room ? length : room > 0 ? room : 0;`,
    `    copyToBytes(this.view, dataOffset, dst, dstOffset, copied);`,
    `    return copied;`,
    `  }`,
    `  /** ${data.name} as a string, moving past it (allocates: cold path). */`,
    `  ${name}AsString(): string {`,
    `    const dataOffset = ${holder}.limit + ${header};`,
    `    const length = this.skip${upper}();`,
    `    return decodeString(this.view, dataOffset, length, ${stringLiteral(data.characterEncoding ?? 'UTF-8')});`,
    `  }`,
  );
  return parts;
}

function skipMethod(scope: BodyScope): string[] {
  const lines = [`  /** Moves past every group entry and var data of this ${scope.limitHolder === 'this' ? 'message' : 'entry'}. */`, `  sbeSkip(): this {`];
  for (const group of scope.body.groups) {
    const name = memberName(group.name);
    lines.push(`    for (const group = this.${name}(); group.hasNext(); ) group.next().sbeSkip();`);
  }
  for (const data of scope.body.data) lines.push(`    this.skip${upperFirst(memberName(data.name))}();`);
  lines.push(`    return this;`, `  }`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Encoder parts of a body

function bodyEncoderParts(scope: BodyScope, members: readonly BlockMember[], context: EmitContext): ClassParts {
  const parts = emptyParts();
  for (const member of members) mergeParts(parts, encoderMember(member, context, { what: scope.what, className: scope.className }));
  for (const group of scope.body.groups) {
    const name = memberName(group.name);
    const className = scope.groupEntries.get(group)!.className + ENCODER;
    parts.fields.push(`  readonly #${name}: ${className};`);
    parts.methods.push(
      ...docComment([group.description, `Writes the ${group.name} group header for \`count\` entries; then call \`next()\` before each entry.`]),
      `  ${name}Count(count: number): ${className} {`,
      `    return this.#${name}.wrap(this.view, count);`,
      `  }`,
    );
  }
  for (const data of scope.body.data) mergeParts(parts, varDataEncoder(data, scope, context));
  return parts;
}

function varDataEncoder(data: VarData, scope: BodyScope, context: EmitContext): ClassParts {
  const parts = emptyParts();
  const name = memberName(data.name);
  const upper = upperFirst(name);
  const what = `${scope.what}.${data.name}`;
  const holder = scope.limitHolder;
  const header = data.headerLength;
  useRuntime(context, 'SbeBoundsError', 'SbeRangeError', 'copyFromBytes', 'encodeString');
  // A header with more than the length in it gets zeroed, so its other bytes are never stale.
  const clearHeader = header > primitiveSize[data.lengthType] ? [`    fillZero(this.view, limit, ${header});`] : [];
  if (clearHeader.length > 0) useRuntime(context, 'fillZero');
  parts.methods.push(
    ...docComment([data.description, `Writes ${data.name} from \`length\` bytes of \`src\` at \`srcOffset\` (no allocation).`]),
    `  put${upper}(src: Uint8Array, srcOffset: number, length: number): this {`,
    `    if (length >>> 0 !== length || length > ${numberLiteral(data.maxLength)} || srcOffset + length > src.length) {`,
    `      throw new SbeRangeError(${stringLiteral(`${what} length`)}, length, \`[0, ${numberLiteral(data.maxLength)}] and within src\`);`,
    `    }`,
    `    const limit = ${holder}.limit;`,
    `    const end = limit + ${header} + length;`,
    `    if (end > this.bufferEnd) throw new SbeBoundsError(${stringLiteral(what)}, limit, ${header} + length, this.bufferEnd);`,
    ...clearHeader,
    ...writeNumber('this.view', plus('limit', data.lengthOffset), data.lengthType, 'length', context.littleEndian).map((line) => `    ${line}`),
    `    copyFromBytes(this.view, limit + ${header}, src, srcOffset, length);`,
    `    ${holder}.limit = end;`,
    `    return this;`,
    `  }`,
    `  /** Writes ${data.name} from a string (allocates: cold path). */`,
    `  ${name}FromString(value: string): this {`,
    `    const bytes = encodeString(value, ${stringLiteral(data.characterEncoding ?? 'UTF-8')});`,
    `    return this.put${upper}(bytes, 0, bytes.length);`,
    `  }`,
  );
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Messages

export function messageCode(entry: MessageEntry, context: EmitContext, headerType: CompositeType): string[] {
  const { message } = entry;
  const groupEntries = new Map(entry.groups.map((groupEntry) => [groupEntry.group, groupEntry] as const));
  const scope: BodyScope = {
    body: message,
    what: message.name,
    className: entry.className,
    messageClassName: entry.className,
    limitHolder: 'this',
    groupEntries,
  };
  const members = message.fields.map((field) => memberFromField(field, message.sinceVersion));
  const statics = [
    `  static readonly BLOCK_LENGTH = ${message.blockLength};`,
    `  static readonly TEMPLATE_ID = ${message.id};`,
    `  static readonly SCHEMA_ID = ${context.schemaId};`,
    `  static readonly SCHEMA_VERSION = ${context.schemaVersion};`,
    ...(message.semanticType !== undefined ? [`  static readonly SEMANTIC_TYPE = ${stringLiteral(message.semanticType)};`] : []),
    ...bodyStatics(scope, members),
  ];
  const metadataGetters = [
    `  sbeBlockLength(): number {`, `    return ${message.blockLength};`, `  }`,
    `  sbeTemplateId(): number {`, `    return ${message.id};`, `  }`,
    `  sbeSchemaId(): number {`, `    return ${context.schemaId};`, `  }`,
    `  sbeSchemaVersion(): number {`, `    return ${context.schemaVersion};`, `  }`,
    `  /** Bytes from the start of the block to the current position. */`,
    `  encodedLength(): number {`, `    return this.limit - this.offset;`, `  }`,
  ];
  const lines = [
    ...renderClass(
      docComment([message.description, `Decoder of message ${message.name} (template ${message.id}).`]),
      entry.className + DECODER,
      messageDecoderParts(scope, members, statics, metadataGetters, context, headerType),
    ),
    '',
    ...renderClass(
      docComment([`Encoder of message ${message.name} (template ${message.id}).`]),
      entry.className + ENCODER,
      messageEncoderParts(scope, members, statics, metadataGetters, context, headerType),
    ),
  ];
  for (const groupEntry of entry.groups) lines.push('', ...groupCode(groupEntry, entry, groupEntries, context));
  return lines;
}

/**
 * How wrapAndApplyHeader reads or writes one header member (blockLength, templateId, schemaId,
 * version): straight through the view at its offset rather than through the header flyweight's
 * accessors, which keeps the per-message path small enough for V8 to inline. A member that is
 * not on the wire (constant or missing) is neither checked nor written: it reads as the message's
 * own value, as the reference decoders do.
 */
interface HeaderField {
  read(fallback: string): string;
  write(value: string): string[];
}

function headerField(headerType: CompositeType, name: string, context: EmitContext): HeaderField {
  const member = headerType.members.find((candidate) => candidate.name === name);
  const type = member?.type;
  if (member === undefined || type === undefined || type.kind !== 'encoded' || type.presence === 'constant') {
    return { read: (fallback) => fallback, write: () => [] };
  }
  const offset = plus('offset', member.offset);
  return {
    read: () => readNumber('view', offset, type.primitiveType, context.littleEndian),
    write: (value) => writeNumber('view', offset, type.primitiveType, value, context.littleEndian),
  };
}

function messageDecoderParts(
  scope: BodyScope,
  members: readonly BlockMember[],
  statics: string[],
  metadataGetters: string[],
  context: EmitContext,
  headerType: CompositeType,
): ClassParts {
  const message = scope.body as Message;
  const what = stringLiteral(scope.what);
  const headerClass = context.catalog.nameOf(headerType) + DECODER;
  const headerLength = headerType.encodedLength;
  const body = bodyDecoderParts(scope, members, context);
  const parts = emptyParts();
  useRuntime(context, 'EMPTY_VIEW', 'SbeBoundsError');
  parts.statics.push(...statics);
  parts.fields.push(
    `  view: DataView = EMPTY_VIEW;`,
    `  offset = 0;`,
    `  /** Position of the next group or var data: moves as they are read. */`,
    `  limit = 0;`,
    `  actingBlockLength = ${message.blockLength};`,
    `  actingVersion = ${context.schemaVersion};`,
    `  /** End of the region this message may occupy: nothing at or past it is read. */`,
    `  bufferEnd = 0;`,
    ...body.fields,
  );
  const field = (name: string): HeaderField => headerField(headerType, name, context);
  useRuntime(context, 'headerError', 'blockError');
  parts.methods.push(
    ...(scope.body.groups.length > 0 ? [`  constructor() {`, ...groupConstruction(scope, DECODER, 'this'), `  }`] : []),
    `  /**`,
    `   * Wraps the message block at \`offset\` with the block length and version it was written with`,
    `   * (from its header). Nothing at or past \`bufferEnd\` (default: the end of the view) is ever read.`,
    `   * Throws SbeBoundsError when the block does not fit or is shorter than the fields of its version.`,
    `   */`,
    `  wrap(view: DataView, offset: number, actingBlockLength: number, actingVersion: number, bufferEnd: number = view.byteLength): this {`,
    `    const requiredBlockLength = ${requiredBlockLengthExpression(members)};`,
    `    if (offset < 0 || offset + actingBlockLength > bufferEnd || bufferEnd > view.byteLength || actingBlockLength < requiredBlockLength) {`,
    `      throw blockError(${what}, offset, actingBlockLength, requiredBlockLength, bufferEnd, view.byteLength);`,
    `    }`,
    `    this.view = view;`,
    `    this.offset = offset;`,
    `    this.actingBlockLength = actingBlockLength;`,
    `    this.actingVersion = actingVersion;`,
    `    this.bufferEnd = bufferEnd;`,
    `    this.limit = offset + actingBlockLength;`,
    `    return this;`,
    `  }`,
    `  /**`,
    `   * Reads the message header at \`offset\`, checks it announces this message (template id and`,
    `   * schema id; SbeHeaderError otherwise) and wraps the block after it with the header's block`,
    `   * length and version.`,
    `   */`,
    `  wrapAndApplyHeader(view: DataView, offset: number, header: ${headerClass}, bufferEnd: number = view.byteLength): this {`,
    `    if (offset < 0 || offset + ${headerLength} > bufferEnd) throw new SbeBoundsError(${stringLiteral(`${scope.what} header`)}, offset, ${headerLength}, bufferEnd);`,
    `    header.wrap(view, offset);`,
    `    const templateId: number = ${field('templateId').read(String(message.id))};`,
    `    const schemaId: number = ${field('schemaId').read(String(context.schemaId))};`,
    `    if (templateId !== ${message.id} || schemaId !== ${context.schemaId}) {`,
    `      throw headerError(${what}, offset, templateId, ${message.id}, schemaId, ${context.schemaId});`,
    `    }`,
    `    const blockLength = ${field('blockLength').read(String(message.blockLength))};`,
    `    return this.wrap(view, offset + ${headerLength}, blockLength, ${field('version').read(String(context.schemaVersion))}, bufferEnd);`,
    `  }`,
    ...metadataGetters,
    ...body.methods,
  );
  return parts;
}

function messageEncoderParts(
  scope: BodyScope,
  members: readonly BlockMember[],
  statics: string[],
  metadataGetters: string[],
  context: EmitContext,
  headerType: CompositeType,
): ClassParts {
  const message = scope.body as Message;
  const what = stringLiteral(scope.what);
  const headerClass = context.catalog.nameOf(headerType) + ENCODER;
  const headerLength = headerType.encodedLength;
  const body = bodyEncoderParts(scope, members, context);
  const parts = emptyParts();
  useRuntime(context, 'EMPTY_VIEW', 'SbeBoundsError', 'blockError');
  parts.statics.push(...statics);
  parts.fields.push(
    `  view: DataView = EMPTY_VIEW;`,
    `  offset = 0;`,
    `  /** Position of the next group or var data: moves as they are written. */`,
    `  limit = 0;`,
    `  /** End of the region the message may be written to. */`,
    `  bufferEnd = 0;`,
    ...body.fields,
  );
  const headerWrites = [
    ...headerField(headerType, 'blockLength', context).write(String(message.blockLength)),
    ...headerField(headerType, 'templateId', context).write(String(message.id)),
    ...headerField(headerType, 'schemaId', context).write(String(context.schemaId)),
    ...headerField(headerType, 'version', context).write(String(context.schemaVersion)),
  ].map((line) => `    ${line}`);
  parts.methods.push(
    ...(scope.body.groups.length > 0 ? [`  constructor() {`, ...groupConstruction(scope, ENCODER, 'this'), `  }`] : []),
    `  /** Wraps the block at \`offset\`; the message must end before \`bufferEnd\` (default: the end of the view). */`,
    `  wrap(view: DataView, offset: number, bufferEnd: number = view.byteLength): this {`,
    `    if (offset < 0 || offset + ${message.blockLength} > bufferEnd || bufferEnd > view.byteLength) {`,
    `      throw blockError(${what}, offset, ${message.blockLength}, 0, bufferEnd, view.byteLength);`,
    `    }`,
    `    this.view = view;`,
    `    this.offset = offset;`,
    `    this.bufferEnd = bufferEnd;`,
    `    this.limit = offset + ${message.blockLength};`,
    `    return this;`,
    `  }`,
    `  /** Writes the message header at \`offset\` and wraps the block after it. */`,
    `  wrapAndApplyHeader(view: DataView, offset: number, header: ${headerClass}, bufferEnd: number = view.byteLength): this {`,
    `    if (offset < 0 || offset + ${headerLength} > bufferEnd) throw new SbeBoundsError(${stringLiteral(`${scope.what} header`)}, offset, ${headerLength}, bufferEnd);`,
    `    header.wrap(view, offset);`,
    ...headerWrites,
    `    return this.wrap(view, offset + ${headerLength}, bufferEnd);`,
    `  }`,
    ...metadataGetters,
    ...body.methods,
  );
  return parts;
}

// ---------------------------------------------------------------------------------------------
// Groups

function groupCode(entry: GroupEntry, message: MessageEntry, groupEntries: ReadonlyMap<Group, GroupEntry>, context: EmitContext): string[] {
  const { group } = entry;
  const scope: BodyScope = {
    body: group,
    what: entry.path,
    className: entry.className,
    messageClassName: message.className,
    limitHolder: 'this.parent',
    groupEntries,
  };
  const members = group.fields.map((field) => memberFromField(field, group.sinceVersion));
  const statics = [
    `  /** Bytes of the group header (${group.dimensionType.name}). */`,
    `  static readonly HEADER_SIZE = ${group.dimensionType.encodedLength};`,
    `  static readonly BLOCK_LENGTH = ${group.blockLength};`,
    ...bodyStatics(scope, members),
  ];
  return [
    ...renderClass(
      docComment([group.description, `Decoder of group ${entry.path}: one reused flyweight for every entry.`]),
      entry.className + DECODER,
      groupDecoderParts(scope, members, statics, context),
    ),
    '',
    ...renderClass(docComment([`Encoder of group ${entry.path}.`]), entry.className + ENCODER, groupEncoderParts(scope, members, statics, context)),
  ];
}

function dimensionOffsets(group: Group): { blockLengthOffset: number; numInGroupOffset: number } {
  return { blockLengthOffset: group.blockLengthMember.offset, numInGroupOffset: group.numInGroupMember.offset };
}

function groupDecoderParts(scope: BodyScope, members: readonly BlockMember[], statics: string[], context: EmitContext): ClassParts {
  const group = scope.body as Group;
  const what = stringLiteral(scope.what);
  const messageClass = scope.messageClassName + DECODER;
  const headerSize = group.dimensionType.encodedLength;
  const { blockLengthOffset, numInGroupOffset } = dimensionOffsets(group);
  const blockLengthType = primitiveOf(group.blockLengthMember.type, `${scope.what} blockLength`);
  const numInGroupType = primitiveOf(group.numInGroupMember.type, `${scope.what} numInGroup`);
  const body = bodyDecoderParts(scope, members, context);
  const parts = emptyParts();
  useRuntime(context, 'EMPTY_VIEW', 'SbeBoundsError', 'blockError', 'nextError');
  parts.statics.push(...statics);
  parts.fields.push(
    `  readonly parent: ${messageClass};`,
    `  view: DataView = EMPTY_VIEW;`,
    `  /** Offset of the current entry's block. */`,
    `  offset = 0;`,
    `  /** The entries' block length on the wire (may exceed BLOCK_LENGTH for newer data). */`,
    `  actingBlockLength = 0;`,
    `  actingVersion = ${context.schemaVersion};`,
    `  bufferEnd = 0;`,
    `  #count = 0;`,
    `  #index = 0;`,
    ...body.fields,
  );
  parts.methods.push(
    `  constructor(parent: ${messageClass}) {`,
    `    this.parent = parent;`,
    ...groupConstruction(scope, DECODER, 'parent'),
    `  }`,
    `  /** Reads the group header at the message's position and moves past it. */`,
    `  wrap(view: DataView): this {`,
    `    const parent = this.parent;`,
    `    const limit = parent.limit;`,
    `    const bufferEnd = parent.bufferEnd;`,
    `    const actingVersion = parent.actingVersion;`,
    `    if (limit + ${headerSize} > bufferEnd) throw new SbeBoundsError(${what}, limit, ${headerSize}, bufferEnd);`,
    `    const blockLength = ${readNumber('view', plus('limit', blockLengthOffset), blockLengthType, context.littleEndian)};`,
    `    const requiredBlockLength = ${requiredBlockLengthExpression(members)};`,
    `    if (blockLength < requiredBlockLength) {`,
    `      throw blockError(${stringLiteral(`${scope.what} entry`)}, limit + ${headerSize}, blockLength, requiredBlockLength, bufferEnd, view.byteLength);`,
    `    }`,
    `    this.view = view;`,
    `    this.actingBlockLength = blockLength;`,
    `    this.actingVersion = actingVersion;`,
    `    this.bufferEnd = bufferEnd;`,
    `    this.#count = ${readNumber('view', plus('limit', numInGroupOffset), numInGroupType, context.littleEndian)};`,
    `    this.#index = 0;`,
    `    parent.limit = limit + ${headerSize};`,
    `    return this;`,
    `  }`,
    `  /** An empty group, for data older than the group: reads nothing. */`,
    `  wrapEmpty(view: DataView): this {`,
    `    this.view = view;`,
    `    this.actingVersion = this.parent.actingVersion;`,
    `    this.bufferEnd = this.parent.bufferEnd;`,
    `    this.#count = 0;`,
    `    this.#index = 0;`,
    `    return this;`,
    `  }`,
    `  /** Number of entries. */`,
    `  count(): number {`,
    `    return this.#count;`,
    `  }`,
    `  hasNext(): boolean {`,
    `    return this.#index < this.#count;`,
    `  }`,
    `  /** Moves to the next entry (its block starts at the message's position). */`,
    `  next(): this {`,
    `    const parent = this.parent;`,
    `    const offset = parent.limit;`,
    `    const blockEnd = offset + this.actingBlockLength;`,
    `    if (this.#index >= this.#count || blockEnd > this.bufferEnd) this.#nextFailed(offset);`,
    `    this.offset = offset;`,
    `    parent.limit = blockEnd;`,
    `    this.#index++;`,
    `    return this;`,
    `  }`,
    `  /** Out of line, so next() stays small enough to inline. */`,
    `  #nextFailed(offset: number): never {`,
    `    throw nextError(${what}, this.#index, this.#count, offset, this.actingBlockLength, this.bufferEnd);`,
    `  }`,
    ...body.methods,
  );
  return parts;
}

function groupEncoderParts(scope: BodyScope, members: readonly BlockMember[], statics: string[], context: EmitContext): ClassParts {
  const group = scope.body as Group;
  const what = stringLiteral(scope.what);
  const messageClass = scope.messageClassName + ENCODER;
  const headerSize = group.dimensionType.encodedLength;
  const { blockLengthOffset, numInGroupOffset } = dimensionOffsets(group);
  const blockLengthType = primitiveOf(group.blockLengthMember.type, `${scope.what} blockLength`);
  const numInGroupType = group.numInGroupMember.type as EncodedType;
  const minCount = Math.max(0, Number(numInGroupType.minValue));
  const maxCount = Number(numInGroupType.maxValue);
  const writtenBytes = primitiveSize[blockLengthType] + primitiveSize[numInGroupType.primitiveType];
  const clearHeader = headerSize > writtenBytes ? [`    fillZero(view, limit, ${headerSize});`] : [];
  if (clearHeader.length > 0) useRuntime(context, 'fillZero');
  const body = bodyEncoderParts(scope, members, context);
  const parts = emptyParts();
  useRuntime(context, 'EMPTY_VIEW', 'SbeBoundsError', 'SbeRangeError', 'nextError');
  parts.statics.push(...statics);
  parts.fields.push(
    `  readonly parent: ${messageClass};`,
    `  view: DataView = EMPTY_VIEW;`,
    `  offset = 0;`,
    `  bufferEnd = 0;`,
    `  #count = 0;`,
    `  #index = 0;`,
    ...body.fields,
  );
  parts.methods.push(
    `  constructor(parent: ${messageClass}) {`,
    `    this.parent = parent;`,
    ...groupConstruction(scope, ENCODER, 'parent'),
    `  }`,
    `  /** Writes the group header for \`count\` entries at the message's position. */`,
    `  wrap(view: DataView, count: number): this {`,
    `    const parent = this.parent;`,
    `    const limit = parent.limit;`,
    `    const bufferEnd = parent.bufferEnd;`,
    `    if (count >>> 0 !== count || count < ${minCount} || count > ${maxCount} || limit + ${headerSize} > bufferEnd) this.#wrapFailed(count, limit);`,
    ...clearHeader,
    ...writeNumber('view', plus('limit', blockLengthOffset), blockLengthType, String(group.blockLength), context.littleEndian).map((line) => `    ${line}`),
    ...writeNumber('view', plus('limit', numInGroupOffset), numInGroupType.primitiveType, 'count', context.littleEndian).map((line) => `    ${line}`),
    `    this.view = view;`,
    `    this.bufferEnd = bufferEnd;`,
    `    this.#count = count;`,
    `    this.#index = 0;`,
    `    parent.limit = limit + ${headerSize};`,
    `    return this;`,
    `  }`,
    `  #wrapFailed(count: number, limit: number): never {`,
    `    if (count >>> 0 !== count || count < ${minCount} || count > ${maxCount}) throw new SbeRangeError(${stringLiteral(`${scope.what} count`)}, count, '[${minCount}, ${maxCount}]');`,
    `    throw new SbeBoundsError(${what}, limit, ${headerSize}, this.parent.bufferEnd);`,
    `  }`,
    `  count(): number {`,
    `    return this.#count;`,
    `  }`,
    `  hasNext(): boolean {`,
    `    return this.#index < this.#count;`,
    `  }`,
    `  /** Starts the next entry at the message's position. */`,
    `  next(): this {`,
    `    const parent = this.parent;`,
    `    const offset = parent.limit;`,
    `    if (this.#index >= this.#count || offset + ${group.blockLength} > this.bufferEnd) this.#nextFailed(offset);`,
    `    this.offset = offset;`,
    `    parent.limit = offset + ${group.blockLength};`,
    `    this.#index++;`,
    `    return this;`,
    `  }`,
    `  /** Out of line, so next() stays small enough to inline. */`,
    `  #nextFailed(offset: number): never {`,
    `    throw nextError(${what}, this.#index, this.#count, offset, ${group.blockLength}, this.bufferEnd);`,
    `  }`,
    ...body.methods,
  );
  return parts;
}
