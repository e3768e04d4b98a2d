/**
 * The intermediate representation of an SBE schema: what the parser (parser.ts) produces, the
 * validator (validator.ts) checks, and the code generator (generator.ts) and the on-the-fly
 * decoder (otf.ts) consume.
 *
 * It is a resolved tree, not the reference tool's token stream: every `ref` points at its type,
 * every offset, block length and encoded length is computed, every inherited attribute (byte
 * order, sinceVersion from an enclosing composite, presence from a field) is already applied.
 * Consumers never look at XML again. Everything is plain data: the IR of a schema can be
 * printed, compared and serialised.
 */

export type PrimitiveType =
  | 'char'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float'
  | 'double';

export type ByteOrder = 'littleEndian' | 'bigEndian';

export type Presence = 'required' | 'optional' | 'constant';

/** Where an element was declared: the file (after XInclude, the included file) and its 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A primitive value as the schema wrote it, converted: integers that fit in a double exactly are
 * numbers, 64-bit values beyond 2^53 are bigints, float/double values are numbers (NaN allowed).
 */
export type PrimitiveValue = number | bigint;

/** Attributes every named element may carry. */
export interface ElementInfo {
  name: string;
  description?: string;
  /** Effective sinceVersion: the element's own, or that of the enclosing element if larger. */
  sinceVersion: number;
  /** Schema version in which the element was deprecated, when it was. */
  deprecated?: number;
  semanticType?: string;
  location: SourceLocation;
}

/** A `<type>`: a primitive, or a fixed array of one (`length` > 1, or a char string). */
export interface EncodedType extends ElementInfo {
  kind: 'encoded';
  primitiveType: PrimitiveType;
  /** Number of elements; 1 for a scalar. A `length="0"` type (var data in a composite) has 0. */
  length: number;
  /** Bytes on the wire: primitive size * length, 0 for a constant. */
  encodedLength: number;
  presence: Presence;
  /** The null value: the schema's `nullValue` or the SBE default for the primitive (NaN for floats). */
  nullValue: PrimitiveValue;
  minValue: PrimitiveValue;
  maxValue: PrimitiveValue;
  /** For char arrays and char scalars: e.g. 'US-ASCII', 'UTF-8'. */
  characterEncoding?: string;
  /**
   * For presence="constant": the constant. A number/bigint for numeric scalars, a string for
   * char/char arrays, and for a constant given by `valueRef` the resolved numeric value.
   */
  constValue?: PrimitiveValue | string;
  /** `valueRef` as written (`EnumName.ValueName`), when the constant came from an enum. */
  valueRef?: string;
}

export interface EnumValue {
  name: string;
  /** The numeric value; for a char-encoded enum, the character's code. */
  value: number;
  description?: string;
  sinceVersion: number;
  deprecated?: number;
  location: SourceLocation;
}

/** An `<enum>`: encoded as `encodingType` (char or an integer primitive, directly or through a named `<type>`). */
export interface EnumType extends ElementInfo {
  kind: 'enum';
  encodingType: PrimitiveType;
  encodedLength: number;
  presence: Presence;
  /** The value that means "no value" (the encoding type's null value, or its own nullValue). */
  nullValue: number;
  values: EnumValue[];
  /** For presence="constant": the value name, resolved below. */
  constValueName?: string;
}

export interface SetChoice {
  name: string;
  /** Bit position, 0 = least significant. */
  bit: number;
  description?: string;
  sinceVersion: number;
  deprecated?: number;
  location: SourceLocation;
}

/** A `<set>`: a bit set over an unsigned integer up to uint64. */
export interface SetType extends ElementInfo {
  kind: 'set';
  encodingType: PrimitiveType;
  encodedLength: number;
  choices: SetChoice[];
}

/** A member of a composite: an inline type or a `ref`, at a resolved offset within the composite. */
export interface CompositeMember {
  /** The member's name in the composite (for a ref, the ref's name, not the referenced type's). */
  name: string;
  /** Byte offset within the composite (explicit `offset`, or the end of the previous member). */
  offset: number;
  type: Type;
  sinceVersion: number;
  deprecated?: number;
  description?: string;
  location: SourceLocation;
}

export interface CompositeType extends ElementInfo {
  kind: 'composite';
  members: CompositeMember[];
  /** Bytes on the wire: the end of the last non-constant member. */
  encodedLength: number;
}

export type Type = EncodedType | EnumType | SetType | CompositeType;

/** A `<field>` of a message or group: fixed-size, in the block. */
export interface Field extends ElementInfo {
  id: number;
  /** Byte offset in the block. */
  offset: number;
  type: Type;
  /** Effective presence: the field's own, else its type's. */
  presence: Presence;
  /** For a constant field: the value (an enum value name for an enum type, a number or a string). */
  constValue?: PrimitiveValue | string;
  valueRef?: string;
  epoch?: string;
  timeUnit?: string;
}

/** A `<data>` element: a length-prefixed var-length field after the block and the groups. */
export interface VarData extends ElementInfo {
  id: number;
  /** The composite with a `length` member and a `varData` member (length 0). */
  type: CompositeType;
  /** The `length` member's primitive type. */
  lengthType: PrimitiveType;
  lengthOffset: number;
  /** The `varData` member's primitive type (`char` or `uint8`) and its character encoding, if any. */
  dataType: PrimitiveType;
  characterEncoding?: string;
  /** Bytes of the header before the data (the composite's encoded length). */
  headerLength: number;
  /** Largest length the length type can carry (its maxValue). */
  maxLength: number;
}

/** Fields, then groups, then var data: the order they appear on the wire. */
export interface MessageBody {
  blockLength: number;
  fields: Field[];
  groups: Group[];
  data: VarData[];
}

export interface Group extends ElementInfo, MessageBody {
  id: number;
  /** The dimension composite (`groupSizeEncoding` by default), with blockLength and numInGroup. */
  dimensionType: CompositeType;
  blockLengthMember: CompositeMember;
  numInGroupMember: CompositeMember;
}

export interface Message extends ElementInfo, MessageBody {
  id: number;
}

export interface Schema {
  package: string;
  id: number;
  version: number;
  semanticVersion?: string;
  description?: string;
  byteOrder: ByteOrder;
  /** The message header composite (`headerType`, default `messageHeader`). */
  headerType: CompositeType;
  /** Every named top-level type, by name, in declaration order. */
  types: Map<string, Type>;
  messages: Message[];
  /** The schema's root file. */
  location: SourceLocation;
}

export const primitiveSize: Readonly<Record<PrimitiveType, number>> = {
  char: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float: 4,
  double: 8,
};
