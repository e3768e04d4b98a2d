/**
 * Rules a resolved schema must follow, checked on the IR (so each diagnostic points at the
 * element the IR recorded): unique message and field names and ids, no overlapping fields or
 * composite members, no sinceVersion beyond the schema's version, enum values inside their
 * encoding's range and apart from its null value, set choices inside their encoding's width.
 *
 * Problems that prevent building the IR at all (unknown types, cycles, blockLength too small,
 * malformed group/data composites) are reported by the parser (types.ts, messages.ts).
 */
import type { Diagnostic } from './diagnostics.js';
import type { CompositeType, EnumType, Field, MessageBody, Schema, SetType, SourceLocation, Type } from './ir.js';
import { primitiveLimits, toBigInt } from './primitive.js';

/** Anything the validator names in a message: it has a name and a place. */
interface Located {
  name: string;
  location: SourceLocation;
}

export function validateSchema(schema: Schema): Diagnostic[] {
  const validator = new SchemaValidator(schema.version);
  validator.messages(schema);
  validator.types(schema);
  return validator.diagnostics;
}

class SchemaValidator {
  readonly diagnostics: Diagnostic[] = [];
  private readonly visitedTypes = new Set<Type>();

  constructor(private readonly schemaVersion: number) {}

  messages(schema: Schema): void {
    this.unique(schema.messages, (message) => message.name, 'message name');
    this.unique(schema.messages, (message) => message.id, 'message id');
    for (const message of schema.messages) {
      this.sinceVersion(message, 0, `message '${message.name}'`);
      this.body(message, message.sinceVersion, `message '${message.name}'`);
    }
  }

  types(schema: Schema): void {
    this.type(schema.headerType, 0);
    for (const type of schema.types.values()) this.type(type, 0);
  }

  private body(body: MessageBody, sinceVersion: number, owner: string): void {
    const members = [...body.fields, ...body.groups, ...body.data];
    this.unique(members, (member) => member.name, `field name in ${owner}`);
    this.unique(members, (member) => member.id, `field id in ${owner}`);
    this.noOverlaps(body.fields, fieldLength, 'field', owner);
    for (const field of body.fields) {
      this.sinceVersion(field, sinceVersion, `field '${field.name}'`);
      this.semanticType(field);
      this.type(field.type, field.sinceVersion);
    }
    for (const data of body.data) this.sinceVersion(data, sinceVersion, `data '${data.name}'`);
    for (const group of body.groups) {
      this.sinceVersion(group, sinceVersion, `group '${group.name}'`);
      this.body(group, group.sinceVersion, `group '${group.name}'`);
    }
  }

  /** Each type once, wherever it is used; composites bring their members' types along. */
  private type(type: Type, enclosingSinceVersion: number): void {
    if (this.visitedTypes.has(type)) return;
    this.visitedTypes.add(type);
    this.sinceVersion(type, enclosingSinceVersion, `type '${type.name}'`);
    if (type.kind === 'enum') this.enumValues(type);
    else if (type.kind === 'set') this.setChoices(type);
    else if (type.kind === 'composite') this.composite(type);
  }

  private composite(composite: CompositeType): void {
    const owner = `composite '${composite.name}'`;
    this.unique(composite.members, (member) => member.name, `member name in ${owner}`);
    this.noOverlaps(composite.members, (member) => member.type.encodedLength, 'member', owner);
    for (const member of composite.members) {
      this.sinceVersion(member, composite.sinceVersion, `member '${member.name}' of ${owner}`);
      this.type(member.type, composite.sinceVersion);
    }
  }

  private enumValues(type: EnumType): void {
    const owner = `enum '${type.name}'`;
    this.unique(type.values, (value) => value.name, `validValue name in ${owner}`);
    this.unique(type.values, (value) => value.value, `validValue in ${owner}`, 'warning');
    for (const value of type.values) this.sinceVersion(value, type.sinceVersion, `validValue '${value.name}' of ${owner}`);
    // Like the reference tool, char enums are not range checked: any byte is a character.
    if (type.encodingType === 'char') return;
    const { minValue, maxValue } = primitiveLimits[type.encodingType];
    for (const value of type.values) {
      if (value.value === type.nullValue) {
        this.error(value.location, `validValue '${value.name}' of ${owner} is ${value.value}, the enum's null value`);
      } else if (BigInt(value.value) < toBigInt(minValue) || BigInt(value.value) > toBigInt(maxValue)) {
        this.error(
          value.location,
          `validValue '${value.name}' of ${owner} is ${value.value}, outside ${type.encodingType} range ${minValue}..${maxValue}`,
        );
      }
    }
  }

  private setChoices(type: SetType): void {
    const owner = `set '${type.name}'`;
    const width = type.encodedLength * 8;
    this.unique(type.choices, (choice) => choice.name, `choice name in ${owner}`);
    this.unique(type.choices, (choice) => choice.bit, `choice bit in ${owner}`, 'warning');
    for (const choice of type.choices) {
      this.sinceVersion(choice, type.sinceVersion, `choice '${choice.name}' of ${owner}`);
      if (choice.bit < 0 || choice.bit >= width) {
        this.error(choice.location, `choice '${choice.name}' of ${owner} is bit ${choice.bit}, outside the ${width} bits of ${type.encodingType}`);
      }
    }
  }

  /**
   * Reports an element whose sinceVersion is beyond the schema's version, but only where it
   * starts: elements that merely inherit it from their enclosing element are not reported again.
   */
  private sinceVersion(element: { sinceVersion: number; location: SourceLocation }, enclosingSinceVersion: number, what: string): void {
    if (element.sinceVersion > this.schemaVersion && element.sinceVersion > enclosingSinceVersion) {
      this.error(element.location, `${what} has sinceVersion ${element.sinceVersion}, greater than the schema version ${this.schemaVersion}`);
    }
  }

  /** A field may restate its type's semanticType, not contradict it (as the reference tool rules). */
  private semanticType(field: Field): void {
    const own = field.semanticType;
    const ofType = field.type.semanticType;
    if (own !== undefined && ofType !== undefined && own !== ofType) {
      this.error(field.location, `field '${field.name}' has semanticType '${own}' but its type '${field.type.name}' has '${ofType}'`);
    }
  }

  /** Members laid out in order must not start before the previous one ends. */
  private noOverlaps<T extends Located & { offset: number }>(
    members: readonly T[],
    length: (member: T) => number,
    kind: string,
    owner: string,
  ): void {
    let previous: T | undefined;
    let end = 0;
    for (const member of members) {
      if (previous !== undefined && member.offset < end) {
        this.error(
          member.location,
          `${kind} '${member.name}' of ${owner} at offset ${member.offset} overlaps '${previous.name}', which ends at ${end}`,
        );
      }
      if (member.offset + length(member) >= end) {
        end = member.offset + length(member);
        previous = member;
      }
    }
  }

  private unique<T extends { location: SourceLocation }>(
    elements: readonly T[],
    key: (element: T) => string | number,
    what: string,
    severity: 'error' | 'warning' = 'error',
  ): void {
    const first = new Map<string | number, T>();
    for (const element of elements) {
      const value = key(element);
      const earlier = first.get(value);
      if (earlier === undefined) {
        first.set(value, element);
        continue;
      }
      const { file, line, column } = earlier.location;
      this.diagnostics.push({
        severity,
        message: `duplicate ${what}: ${JSON.stringify(value)} (first at ${file}:${line}:${column})`,
        location: element.location,
      });
    }
  }

  private error(location: SourceLocation, message: string): void {
    this.diagnostics.push({ severity: 'error', message, location });
  }
}

/** Bytes a field takes in the block: none for a constant. */
function fieldLength(field: Field): number {
  return field.presence === 'constant' ? 0 : field.type.encodedLength;
}
