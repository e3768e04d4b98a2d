/**
 * What messages and groups have in common: their fields, the accessors of their groups, their
 * var data and `sbeSkip`.
 *
 * Wire order is block, then groups, then var data, each group entry being its own block followed
 * by its nested groups and var data. Everything after the block sits at a running `limit` kept by
 * the message flyweight (group flyweights move their message's `limit`), exactly as in the
 * reference Java codecs: groups and var data must therefore be read in schema order. Every read
 * past the fixed block is checked against `bufferEnd` first and throws SbeBoundsError naming the
 * element and the offset.
 */
import type { Group, Message, VarData } from '../ir.js';
import { primitiveSize } from '../ir.js';
import { CODEC_SUFFIXES, type GroupEntry } from './catalog.js';
import {
  type BlockMember,
  decoderMember,
  encoderMember,
  memberStatics,
  memberWireLength,
  presentSince,
} from './block-members.js';
import { type ClassParts, emptyParts, mergeParts } from './class-parts.js';
import { type EmitContext, docComment, useRuntime } from './context.js';
import { memberName } from './names.js';
import { numberLiteral, plus, readNumber, stringLiteral, writeNumber } from './primitives.js';

/** The message or group whose code is being emitted. */
export interface BodyScope {
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

export const DECODER = CODEC_SUFFIXES[0];
export const ENCODER = CODEC_SUFFIXES[1];

export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The smallest block length whose fields cover every field present in `actingVersion`, as an
 * expression: a block shorter than that is corrupt, and its fields would be read past its end.
 */
export function requiredBlockLengthExpression(members: readonly BlockMember[]): string {
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

// ---------------------------------------------------------------------------------------------
// Statics shared by the decoder and the encoder of a body

export function bodyStatics(scope: BodyScope, members: readonly BlockMember[]): string[] {
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

export function bodyDecoderParts(scope: BodyScope, members: readonly BlockMember[], context: EmitContext): ClassParts {
  const parts = emptyParts();
  for (const member of members) mergeParts(parts, decoderMember(member, context, scope));
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
export function groupConstruction(scope: BodyScope, suffix: string, parent: string): string[] {
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

/**
 * A group whose entries hold no nested group and no var data: each entry is exactly its block,
 * so the group's end follows from its header alone.
 */
export function isFlatGroup(group: Group): boolean {
  return group.groups.length === 0 && group.data.length === 0;
}

/**
 * A flat group is skipped in one step (`sbeSkipEntries`, one bounds check for all its entries);
 * any other is walked entry by entry, each entry skipping what it nests, as the reference does.
 */
function skipMethod(scope: BodyScope): string[] {
  const lines = [`  /** Moves past every group entry and var data of this ${scope.limitHolder === 'this' ? 'message' : 'entry'}. */`, `  sbeSkip(): this {`];
  for (const group of scope.body.groups) {
    const name = memberName(group.name);
    lines.push(
      isFlatGroup(group)
        ? `    this.${name}().sbeSkipEntries();`
        : `    for (const group = this.${name}(); group.hasNext(); ) group.next().sbeSkip();`,
    );
  }
  for (const data of scope.body.data) lines.push(`    this.skip${upperFirst(memberName(data.name))}();`);
  lines.push(`    return this;`, `  }`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Encoder parts of a body

export function bodyEncoderParts(scope: BodyScope, members: readonly BlockMember[], context: EmitContext): ClassParts {
  const parts = emptyParts();
  for (const member of members) mergeParts(parts, encoderMember(member, context, scope));
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
