/**
 * The on-the-fly decoder: reads any SBE message straight from the schema IR, no generated code,
 * into plain JSON-ready values. It is for tools and debugging (`zerotick decode`, logs, tests),
 * so it allocates freely; the hot path uses the generated flyweights instead.
 *
 * Schema evolution works as in generated decoders: the header's blockLength and version are the
 * acting ones, so fields newer than the acting version read as null, block bytes the schema does
 * not know are skipped, and each group entry advances by the group's own wire blockLength.
 *
 * Values: names exactly as in the schema; composites as objects; groups as arrays of objects;
 * enums as their validValue name (an unknown value as its number, the null value as null); sets
 * as arrays of choice names; char arrays as strings cut at the first NUL; var data as a string
 * when it has a character encoding (or char elements), else as lower-case hex; integers as
 * numbers when exact, else as decimal strings (64-bit values beyond 2^53); optional fields at
 * their null value as null; NaN and infinities as null (JSON has no such numbers); constants
 * included. Groups and var data newer than the acting version are null (absent), not [].
 *
 * Bounds: nothing is read outside [offset, offset + length). A truncated or corrupt message
 * throws `OtfDecodeError`, which names the byte offset and the field path
 * (`fuelFigures[2].usageDescription`).
 */
import type {
  CompositeMember,
  CompositeType,
  EncodedType,
  EnumType,
  Field,
  Group,
  Message,
  MessageBody,
  Presence,
  PrimitiveType,
  PrimitiveValue,
  Schema,
  SetType,
  Type,
  VarData,
} from './ir.js';
import { primitiveSize } from './ir.js';
import { decodeCharArray, decodeString } from './runtime/strings.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [name: string]: JsonValue };
export type JsonObject = { [name: string]: JsonValue };

/** The message header's four values, as the acting ones for the body. */
export interface MessageHeaderValues {
  blockLength: number;
  templateId: number;
  schemaId: number;
  version: number;
  /** Bytes of the header on the wire (the header composite's encoded length). */
  headerLength: number;
}

export interface DecodedMessage {
  templateId: number;
  name: string;
  schemaId: number;
  /** The acting version, from the header. */
  version: number;
  /** The acting block length, from the header. */
  blockLength: number;
  /** Bytes consumed from the message's first header byte to the end of its last var data. */
  encodedLength: number;
  fields: JsonObject;
}

/** A message that cannot be decoded: where (byte offset in the view) and in which field. */
export class OtfDecodeError extends Error {
  readonly byteOffset: number;
  /** `engine.booster`, `fuelFigures[2].usageDescription`; `messageHeader.templateId` for the header. */
  readonly fieldPath: string;
  readonly reason: string;

  constructor(reason: string, byteOffset: number, fieldPath: string) {
    super(`${fieldPath} at byte offset ${byteOffset}: ${reason}`);
    this.name = 'OtfDecodeError';
    this.byteOffset = byteOffset;
    this.fieldPath = fieldPath;
    this.reason = reason;
  }
}

const HEADER_MEMBER_NAMES = ['blockLength', 'templateId', 'schemaId', 'version'] as const;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

const messagesByIdCache = new WeakMap<Schema, Map<number, Message>>();

function messagesById(schema: Schema): Map<number, Message> {
  let byId = messagesByIdCache.get(schema);
  if (byId === undefined) {
    byId = new Map(schema.messages.map((message) => [message.id, message]));
    messagesByIdCache.set(schema, byId);
  }
  return byId;
}

/** Reads the message header at `offset`; throws OtfDecodeError if it does not fit in `length`. */
export function decodeMessageHeader(schema: Schema, view: DataView, offset: number, length: number): MessageHeaderValues {
  const header = schema.headerType;
  const reader: OtfReader = new OtfReader(schema, view, offset + length, 0);
  reader.enter(header.name);
  reader.need(offset, header.encodedLength);
  const values = { blockLength: 0, templateId: 0, schemaId: 0, version: 0, headerLength: header.encodedLength };
  for (const name of HEADER_MEMBER_NAMES) {
    const member = header.members.find((candidate) => candidate.name === name);
    if (member === undefined || member.type.kind !== 'encoded') reader.fail(`header type has no ${name} integer`, offset);
    reader.enter(name);
    values[name] = member.type.presence === 'constant'
      ? Number(member.type.constValue)
      : Number(reader.primitive(member.type.primitiveType, offset + member.offset));
    reader.leave();
  }
  return values;
}

/**
 * Decodes the message (header and body) at `offset`, reading nothing at or beyond
 * `offset + length`. Throws OtfDecodeError for an unknown template, a foreign schema id, or a
 * message that does not fit.
 */
export function decodeMessage(schema: Schema, view: DataView, offset: number, length: number): DecodedMessage {
  const header = decodeMessageHeader(schema, view, offset, length);
  const headerName = schema.headerType.name;
  if (header.schemaId !== schema.id) {
    throw new OtfDecodeError(`schema id ${header.schemaId} is not this schema's id ${schema.id}`, offset, `${headerName}.schemaId`);
  }
  const message = messagesById(schema).get(header.templateId);
  if (message === undefined) {
    throw new OtfDecodeError(`unknown template id ${header.templateId}`, offset, `${headerName}.templateId`);
  }
  const reader = new OtfReader(schema, view, offset + length, header.version);
  const fields: JsonObject = {};
  const end = reader.body(message, offset + header.headerLength, header.blockLength, fields);
  return {
    templateId: header.templateId,
    name: message.name,
    schemaId: header.schemaId,
    version: header.version,
    blockLength: header.blockLength,
    encodedLength: end - offset,
    fields,
  };
}

/**
 * One decode: the view, the end it must not pass, the acting version, and where in the message
 * it is. The position is a stack of names and group indexes, joined into `a.b[2].c` only when
 * an error needs it, so a successful decode builds no path strings.
 */
class OtfReader {
  private readonly littleEndian: boolean;
  private readonly path: Array<string | number> = [];

  constructor(
    schema: Schema,
    private readonly view: DataView,
    private readonly limit: number,
    private readonly actingVersion: number,
  ) {
    this.littleEndian = schema.byteOrder === 'littleEndian';
  }

  enter(segment: string | number): void {
    this.path.push(segment);
  }

  leave(): void {
    this.path.pop();
  }

  fail(reason: string, offset: number): never {
    throw new OtfDecodeError(reason, offset, this.pathText());
  }

  /** Throws unless `size` bytes at `offset` lie before the limit. */
  need(offset: number, size: number): void {
    if (offset + size > this.limit) {
      this.fail(`needs ${size} bytes, only ${Math.max(0, this.limit - offset)} left before the message ends at ${this.limit}`, offset);
    }
  }

  /**
   * Decodes a block of fields, then its groups, then its var data, into `out`; returns the
   * offset just past the last byte consumed.
   */
  body(body: MessageBody, blockOffset: number, blockLength: number, out: JsonObject): number {
    this.need(blockOffset, blockLength);
    for (const field of body.fields) {
      this.enter(field.name);
      out[field.name] = this.field(field, blockOffset, blockLength);
      this.leave();
    }
    let position = blockOffset + blockLength;
    for (const group of body.groups) {
      if (group.sinceVersion > this.actingVersion) {
        out[group.name] = null;
        continue;
      }
      const entries: JsonObject[] = [];
      this.enter(group.name);
      position = this.group(group, position, entries);
      this.leave();
      out[group.name] = entries;
    }
    for (const data of body.data) {
      if (data.sinceVersion > this.actingVersion) {
        out[data.name] = null;
        continue;
      }
      this.enter(data.name);
      position = this.varData(data, position, out);
      this.leave();
    }
    return position;
  }

  private field(field: Field, blockOffset: number, blockLength: number): JsonValue {
    if (field.sinceVersion > this.actingVersion) return null;
    if (field.presence === 'constant') return fieldConstant(field);
    const size = field.type.encodedLength;
    if (field.offset + size > blockLength) {
      this.fail(`field at block offset ${field.offset} needs ${size} bytes but the block is ${blockLength} bytes`, blockOffset + field.offset);
    }
    return this.value(field.type, field.presence, blockOffset + field.offset);
  }

  private value(type: Type, presence: Presence, offset: number): JsonValue {
    switch (type.kind) {
      case 'encoded':
        return this.encoded(type, presence, offset);
      case 'enum':
        return this.enumValue(type, offset);
      case 'set':
        return this.setValue(type, offset);
      case 'composite':
        return this.composite(type, offset);
    }
  }

  private encoded(type: EncodedType, presence: Presence, offset: number): JsonValue {
    if (presence === 'constant' || type.presence === 'constant') {
      return type.constValue === undefined ? null : constantJson(type.constValue);
    }
    this.need(offset, type.encodedLength);
    if (type.primitiveType === 'char') {
      if (type.length !== 1) return decodeCharArray(this.view, offset, type.length, type.characterEncoding ?? 'US-ASCII');
      const code = this.view.getUint8(offset);
      if (presence === 'optional' && code === Number(type.nullValue)) return null;
      return code === 0 ? '' : String.fromCharCode(code);
    }
    if (type.length !== 1) {
      const size = primitiveSize[type.primitiveType];
      const elements: JsonValue[] = [];
      for (let i = 0; i < type.length; i++) elements.push(numberJson(this.primitive(type.primitiveType, offset + i * size)));
      return elements;
    }
    const raw = this.primitive(type.primitiveType, offset);
    if (presence === 'optional' && isNullValue(raw, type.nullValue)) return null;
    return numberJson(raw);
  }

  private enumValue(type: EnumType, offset: number): JsonValue {
    if (type.presence === 'constant') return type.constValueName ?? null;
    const raw = Number(this.primitive(type.encodingType, offset));
    const match = type.values.find((candidate) => candidate.value === raw);
    if (match !== undefined) return match.name;
    return raw === type.nullValue ? null : raw;
  }

  private setValue(type: SetType, offset: number): JsonValue {
    const raw = this.primitive(type.encodingType, offset);
    const names: string[] = [];
    for (const choice of type.choices) if (bitIsSet(raw, choice.bit)) names.push(choice.name);
    return names;
  }

  private composite(type: CompositeType, offset: number): JsonValue {
    const out: JsonObject = {};
    for (const member of type.members) {
      this.enter(member.name);
      out[member.name] = member.sinceVersion > this.actingVersion
        ? null
        : this.value(member.type, memberPresence(member.type), offset + member.offset);
      this.leave();
    }
    return out;
  }

  /** Decodes a group's dimension header and entries into `entries`; returns the offset after them. */
  private group(group: Group, offset: number, entries: JsonObject[]): number {
    const dimension = group.dimensionType;
    this.need(offset, dimension.encodedLength);
    const entryBlockLength = this.dimensionValue(group.blockLengthMember, offset);
    const count = this.dimensionValue(group.numInGroupMember, offset);
    let position = offset + dimension.encodedLength;
    // A corrupt count must fail here, not after building millions of entries.
    const smallestEntry = Math.max(1, entryBlockLength + this.smallestTail(group));
    if (count * smallestEntry > this.limit - position) {
      this.fail(
        `numInGroup ${count} needs at least ${count * smallestEntry} bytes, only ${this.limit - position} left before the message ends at ${this.limit}`,
        offset,
      );
    }
    for (let index = 0; index < count; index++) {
      const entry: JsonObject = {};
      this.enter(index);
      position = this.body(group, position, entryBlockLength, entry);
      this.leave();
      entries.push(entry);
    }
    return position;
  }

  /** Fewest bytes a group entry can take after its block: empty nested groups and empty var data. */
  private smallestTail(body: MessageBody): number {
    let bytes = 0;
    for (const group of body.groups) if (group.sinceVersion <= this.actingVersion) bytes += group.dimensionType.encodedLength;
    for (const data of body.data) if (data.sinceVersion <= this.actingVersion) bytes += data.headerLength;
    return bytes;
  }

  private dimensionValue(member: CompositeMember, dimensionOffset: number): number {
    const type = member.type;
    this.enter(member.name);
    if (type.kind !== 'encoded') this.fail('group dimension member is not an integer', dimensionOffset + member.offset);
    const value = type.presence === 'constant'
      ? Number(type.constValue ?? 0)
      : Number(this.primitive(type.primitiveType, dimensionOffset + member.offset));
    this.leave();
    return value;
  }

  private varData(data: VarData, offset: number, out: JsonObject): number {
    this.need(offset, data.headerLength);
    const dataLength = Number(this.primitive(data.lengthType, offset + data.lengthOffset));
    const dataOffset = offset + data.headerLength;
    this.need(dataOffset, dataLength);
    out[data.name] = data.characterEncoding !== undefined || data.dataType === 'char'
      ? decodeString(this.view, dataOffset, dataLength, data.characterEncoding ?? 'UTF-8')
      : hex(this.view, dataOffset, dataLength);
    return dataOffset + dataLength;
  }

  /** One primitive at `offset`, bounds-checked: 64-bit integers as bigint, the rest as number. */
  primitive(type: PrimitiveType, offset: number): number | bigint {
    this.need(offset, primitiveSize[type]);
    const view = this.view;
    const littleEndian = this.littleEndian;
    switch (type) {
      case 'char':
      case 'uint8':
        return view.getUint8(offset);
      case 'int8':
        return view.getInt8(offset);
      case 'int16':
        return view.getInt16(offset, littleEndian);
      case 'uint16':
        return view.getUint16(offset, littleEndian);
      case 'int32':
        return view.getInt32(offset, littleEndian);
      case 'uint32':
        return view.getUint32(offset, littleEndian);
      case 'int64':
        return view.getBigInt64(offset, littleEndian);
      case 'uint64':
        return view.getBigUint64(offset, littleEndian);
      case 'float':
        return view.getFloat32(offset, littleEndian);
      case 'double':
        return view.getFloat64(offset, littleEndian);
    }
  }

  /** `fuelFigures[2].usageDescription`; `block` before the first field. */
  private pathText(): string {
    let text = '';
    for (const segment of this.path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
    return text === '' ? 'block' : text;
  }
}

function fieldConstant(field: Field): JsonValue {
  if (field.constValue !== undefined) return constantJson(field.constValue);
  const type = field.type;
  if (type.kind === 'encoded' && type.constValue !== undefined) return constantJson(type.constValue);
  if (type.kind === 'enum' && type.constValueName !== undefined) return type.constValueName;
  return null;
}

/** Bit `bit` (0 = least significant) of a set's raw value; uint64 sets come as bigint. */
function bitIsSet(raw: number | bigint, bit: number): boolean {
  if (typeof raw === 'bigint') return ((raw >> BigInt(bit)) & 1n) === 1n;
  return Math.floor(raw / 2 ** bit) % 2 === 1;
}

function memberPresence(type: Type): Presence {
  return type.kind === 'encoded' || type.kind === 'enum' ? type.presence : 'required';
}

function isNullValue(raw: number | bigint, nullValue: PrimitiveValue): boolean {
  if (typeof raw === 'bigint') return raw === BigInt(nullValue);
  if (Number.isNaN(raw)) return true; // float null is NaN, and NaN never equals itself
  return raw === Number(nullValue);
}

/** A number when JSON can carry it exactly, a decimal string for 64-bit values beyond 2^53, null for NaN/±Infinity. */
function numberJson(raw: number | bigint): JsonValue {
  if (typeof raw === 'bigint') return raw > MAX_SAFE || raw < MIN_SAFE ? raw.toString() : Number(raw);
  return Number.isFinite(raw) ? raw : null;
}

function constantJson(value: PrimitiveValue | string): JsonValue {
  return typeof value === 'string' ? value : numberJson(value);
}

function hex(view: DataView, offset: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += view.getUint8(offset + i).toString(16).padStart(2, '0');
  return text;
}
