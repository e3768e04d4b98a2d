/**
 * Code for repeating groups: one decoder and one encoder flyweight per group, reused for every
 * entry. A decoder reads the group header (dimension) at its message's position and steps over
 * entries by the wire blockLength, so entries written by a newer schema version are skipped
 * correctly; an encoder writes the header for a count and checks the count against numInGroup.
 */
import type { CompositeType, EncodedType, Group } from '../ir.js';
import { primitiveSize } from '../ir.js';
import type { GroupEntry, MessageEntry } from './catalog.js';
import { type BlockMember, memberFromField } from './block-members.js';
import { type ClassParts, emptyParts, renderClass } from './class-parts.js';
import {
  type BodyScope,
  DECODER,
  ENCODER,
  bodyDecoderParts,
  bodyEncoderParts,
  bodyStatics,
  groupConstruction,
  isFlatGroup,
  requiredBlockLengthExpression,
} from './body-codecs.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { plus, readNumber, stringLiteral, writeNumber } from './primitives.js';

function primitiveOf(type: CompositeType['members'][number]['type'], where: string): EncodedType['primitiveType'] {
  if (type.kind !== 'encoded') throw new Error(`internal: ${where} must be a primitive type`);
  return type.primitiveType;
}


export function groupCode(entry: GroupEntry, message: MessageEntry, groupEntries: ReadonlyMap<Group, GroupEntry>, context: EmitContext): string[] {
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
    ...(isFlatGroup(group) ? skipEntriesMethods() : []),
    ...body.methods,
  );
  return parts;
}

/**
 * For a flat group: every entry left is one block of the wire blockLength, so they end at
 * limit + entries left * actingBlockLength, and a single comparison replaces a next() per entry.
 * Only when that check fails are the entries walked, so the error (and the position it leaves)
 * is the one next() gives at the first entry past the region, as before.
 */
function skipEntriesMethods(): string[] {
  return [
    `  /** Moves past every entry not yet read, checking once that they all fit the region. */`,
    `  sbeSkipEntries(): this {`,
    `    const parent = this.parent;`,
    `    const entriesEnd = parent.limit + (this.#count - this.#index) * this.actingBlockLength;`,
    `    if (entriesEnd > this.bufferEnd) this.#walkToFailure();`,
    `    parent.limit = entriesEnd;`,
    `    this.#index = this.#count;`,
    `    return this;`,
    `  }`,
    `  /** Out of line: next() throws at the first entry that does not fit, naming it. */`,
    `  #walkToFailure(): never {`,
    `    for (;;) this.next();`,
    `  }`,
  ];
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
