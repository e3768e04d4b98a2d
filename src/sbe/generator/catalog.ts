/**
 * The generated names of a schema's types, messages and groups, claimed in declaration order.
 *
 * Enums become a const object (`Model`) plus a name lookup (`ModelNames`); sets, composites,
 * messages and groups become a `<Name>Decoder` and a `<Name>Encoder` class. Group classes are
 * prefixed with their enclosing path (`CarFuelFiguresDecoder`), so two messages may both have a
 * group called `entries`. A type defined inline in two composites under the same name with a
 * different shape gets a numbered name (`BoostType_2`).
 */
import type { CompositeType, EnumType, Group, Message, MessageBody, Schema, SetType, Type } from '../ir.js';
import { NameRegistry, pascalCase } from './names.js';

export type NamedType = EnumType | SetType | CompositeType;

export const CODEC_SUFFIXES = ['Decoder', 'Encoder'] as const;
const ENUM_SUFFIXES = ['', 'Names'] as const;

/** A group with the class base name and the dotted path used in error messages (`Car.fuelFigures`). */
export interface GroupEntry {
  group: Group;
  className: string;
  path: string;
}

export interface MessageEntry {
  message: Message;
  className: string;
  /** Every group of the message, depth first, in schema order. */
  groups: GroupEntry[];
}

/** Fields that do not change the generated code of a type: compared when two types share a name. */
const IGNORED_IN_SHAPE = new Set(['location', 'description', 'sinceVersion', 'deprecated', 'semanticType']);

function shapeOf(type: Type): string {
  return JSON.stringify(type, (key, value: unknown) =>
    IGNORED_IN_SHAPE.has(key) ? undefined : typeof value === 'bigint' ? `${value}n` : value,
  );
}

export class TypeCatalog {
  readonly types: NamedType[] = [];
  readonly messages: MessageEntry[] = [];
  readonly #nameByType = new Map<Type, string>();
  readonly #nameByShape = new Map<string, string>();
  readonly #registry: NameRegistry;

  constructor(schema: Schema, runtimeNames: Iterable<string>) {
    this.#registry = new NameRegistry(runtimeNames);
    this.#visitType(schema.headerType);
    for (const type of schema.types.values()) this.#visitType(type);
    for (const message of schema.messages) this.#visitBodyTypes(message);
    for (const message of schema.messages) {
      const className = this.#registry.claim(pascalCase(message.name), CODEC_SUFFIXES);
      const groups: GroupEntry[] = [];
      this.#collectGroups(message, className, message.name, groups);
      this.messages.push({ message, className, groups });
    }
  }

  /** The base name of an enum, set or composite (`Engine`, to which `Decoder`/`Encoder` is added). */
  nameOf(type: NamedType): string {
    const name = this.#nameByType.get(type) ?? this.#nameByShape.get(shapeOf(type));
    if (name === undefined) throw new Error(`internal: type ${type.name} was not catalogued`);
    return name;
  }

  #visitType(type: Type): void {
    if (type.kind === 'encoded' || this.#nameByType.has(type)) return;
    if (type.kind === 'composite') {
      for (const member of type.members) this.#visitType(member.type);
    }
    const shape = shapeOf(type);
    const sameShape = this.#nameByShape.get(shape);
    if (sameShape !== undefined) {
      this.#nameByType.set(type, sameShape);
      return;
    }
    const base = pascalCase(type.name);
    const name = this.#registry.claim(base, type.kind === 'enum' ? ENUM_SUFFIXES : CODEC_SUFFIXES);
    this.#nameByType.set(type, name);
    this.#nameByShape.set(shape, name);
    this.types.push(type);
  }

  #visitBodyTypes(body: MessageBody): void {
    for (const field of body.fields) this.#visitType(field.type);
    for (const group of body.groups) {
      this.#visitType(group.dimensionType);
      this.#visitBodyTypes(group);
    }
    for (const data of body.data) this.#visitType(data.type);
  }

  #collectGroups(body: MessageBody, prefix: string, path: string, out: GroupEntry[]): void {
    for (const group of body.groups) {
      const className = this.#registry.claim(prefix + pascalCase(group.name), CODEC_SUFFIXES);
      const groupPath = `${path}.${group.name}`;
      out.push({ group, className, path: groupPath });
      this.#collectGroups(group, className, groupPath, out);
    }
  }
}
