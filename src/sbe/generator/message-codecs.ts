/**
 * Code for messages: the decoder and encoder classes with their header handling, followed by the
 * classes of their groups.
 *
 * Decoders honour the acting block length and version from the header: the block is skipped by
 * its wire length, and elements newer than the acting version read as null / empty.
 */
import type { CompositeType, Message } from '../ir.js';
import type { MessageEntry } from './catalog.js';
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
  requiredBlockLengthExpression,
} from './body-codecs.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { groupCode } from './group-codecs.js';
import { plus, readNumber, stringLiteral, writeNumber } from './primitives.js';

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
