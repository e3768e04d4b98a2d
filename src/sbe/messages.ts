/**
 * Messages and groups: fields laid out in the block (explicit `offset` or right after the previous
 * field; constants take no space), then repeating groups, then var data, as the reference tool
 * lays them out. The block length is the larger of the schema's `blockLength` and the end of the
 * last field; a `blockLength` smaller than the fields is reported.
 */
import {
  attribute,
  attributeLocation,
  describe,
  elementInfo,
  integerAttribute,
  requiredAttribute,
  requiredIntegerAttribute,
  type Reporter,
} from './attributes.js';
import type {
  CompositeMember,
  CompositeType,
  EncodedType,
  Field,
  Group,
  Message,
  MessageBody,
  Presence,
  PrimitiveValue,
  Type,
  VarData,
} from './ir.js';
import { isInteger, isUnsignedInteger, toBigInt } from './primitive.js';
import type { TypeResolver } from './types.js';
import type { XmlElement } from './xml.js';

const DEFAULT_DIMENSION_TYPE = 'groupSizeEncoding';

interface GroupDimension {
  blockLengthMember: CompositeMember;
  numInGroupMember: CompositeMember;
}

interface VarDataEncoding {
  /** The composite as var data sees it: `varData` has length 0 and the composite ends where the data starts. */
  composite: CompositeType;
  lengthMember: CompositeMember & { type: EncodedType };
  varDataMember: CompositeMember & { type: EncodedType };
}

export class MessageBuilder {
  /** Each dimension / var data composite is checked once, however many groups or data use it. */
  private readonly dimensions = new Map<CompositeType, GroupDimension | undefined>();
  private readonly varDataEncodings = new Map<CompositeType, VarDataEncoding | undefined>();

  constructor(
    private readonly resolver: TypeResolver,
    private readonly reporter: Reporter,
  ) {}

  message(element: XmlElement): Message | undefined {
    const info = elementInfo(element, this.reporter, 0);
    const id = requiredIntegerAttribute(element, 'id', this.reporter);
    const body = this.body(element, info.sinceVersion);
    if (id === undefined) return undefined;
    return { ...info, id, ...body };
  }

  private body(element: XmlElement, sinceVersion: number): MessageBody {
    const body: MessageBody = { blockLength: 0, fields: [], groups: [], data: [] };
    let fieldsEnd = 0;
    for (const child of element.children) {
      switch (child.name) {
        case 'field': {
          if (body.groups.length + body.data.length > 0) {
            this.reporter.error(child.location, `${describe(child)} comes after a group or data in ${describe(element)}: fields come first`);
          }
          const field = this.field(child, sinceVersion);
          if (field === undefined) break;
          field.offset = integerAttribute(child, 'offset', this.reporter) ?? fieldsEnd;
          fieldsEnd = field.offset + (field.presence === 'constant' ? 0 : field.type.encodedLength);
          body.fields.push(field);
          break;
        }
        case 'group': {
          if (body.data.length > 0) {
            this.reporter.error(child.location, `${describe(child)} comes after data in ${describe(element)}: groups come before data`);
          }
          const group = this.group(child, sinceVersion);
          if (group !== undefined) body.groups.push(group);
          break;
        }
        case 'data': {
          const data = this.data(child, sinceVersion);
          if (data !== undefined) body.data.push(data);
          break;
        }
        default:
          this.reporter.error(child.location, `<${child.name}> is not allowed in ${describe(element)}: expected field, group or data`);
      }
    }
    body.blockLength = this.blockLength(element, fieldsEnd);
    return body;
  }

  private blockLength(element: XmlElement, fieldsEnd: number): number {
    const declared = integerAttribute(element, 'blockLength', this.reporter, 0);
    // blockLength="0" means "not set", as in the reference tool.
    if (declared !== 0 && declared < fieldsEnd) {
      this.reporter.error(
        attributeLocation(element, 'blockLength'),
        `blockLength ${declared} of ${describe(element)} is smaller than its fields, which end at ${fieldsEnd}`,
      );
    }
    return Math.max(declared, fieldsEnd);
  }

  /** A field without its offset (the body lays fields out). */
  private field(element: XmlElement, sinceVersion: number): Field | undefined {
    const info = elementInfo(element, this.reporter, sinceVersion);
    const id = requiredIntegerAttribute(element, 'id', this.reporter);
    const typeName = requiredAttribute(element, 'type', this.reporter);
    const type = typeName === undefined ? undefined : this.resolver.lookup(typeName, attributeLocation(element, 'type'), `field '${info.name}'`);
    if (id === undefined || type === undefined) return undefined;
    const field: Field = { ...info, id, offset: 0, type, presence: this.fieldPresence(element, type) };
    const valueRef = attribute(element, 'valueRef');
    if (valueRef !== undefined) field.valueRef = valueRef;
    const epoch = attribute(element, 'epoch');
    if (epoch !== undefined) field.epoch = epoch;
    const timeUnit = attribute(element, 'timeUnit');
    if (timeUnit !== undefined) field.timeUnit = timeUnit;
    if (valueRef !== undefined && field.presence !== 'constant') {
      this.reporter.error(element.location, `field '${field.name}' has valueRef="${valueRef}" but its presence is not constant`);
    } else if (field.presence === 'constant') {
      const constValue = this.constantValue(element, field);
      if (constValue !== undefined) field.constValue = constValue;
    }
    return field;
  }

  /** The field's own presence, else its type's. */
  private fieldPresence(element: XmlElement, type: Type): Presence {
    const own = attribute(element, 'presence')?.trim();
    if (own === 'required' || own === 'optional' || own === 'constant') return own;
    if (own !== undefined) {
      this.reporter.error(attributeLocation(element, 'presence'), `presence="${own}" must be required, optional or constant`);
    }
    return type.kind === 'encoded' || type.kind === 'enum' ? type.presence : 'required';
  }

  /** A constant field's value: from its valueRef, else from its constant type. */
  private constantValue(element: XmlElement, field: Field): PrimitiveValue | string | undefined {
    const { type, valueRef } = field;
    if (valueRef === undefined) {
      if (type.kind === 'encoded' && type.constValue !== undefined) return type.constValue;
      if (type.kind === 'encoded' && type.presence === 'constant') return undefined; // its own error was reported
      const hint = type.kind === 'enum' ? 'a constant enum field needs valueRef="Enum.Value"' : `give it a valueRef or a constant type`;
      this.reporter.error(element.location, `constant field '${field.name}' has no value: ${hint}`);
      return undefined;
    }
    const location = attributeLocation(element, 'valueRef');
    const resolved = this.resolver.resolveValueRef(valueRef, location);
    if (resolved === undefined) return undefined;
    if (type.kind === 'enum') {
      if (resolved.enumType === type) return resolved.value.name;
      this.reporter.error(location, `valueRef="${valueRef}" is not a value of the field's enum '${type.name}'`);
      return undefined;
    }
    if (type.kind === 'encoded' && type.primitiveType === resolved.enumType.encodingType) return resolved.value.value;
    const fieldType = type.kind === 'encoded' ? type.primitiveType : type.kind;
    this.reporter.error(location, `valueRef="${valueRef}" is a ${resolved.enumType.encodingType} value but field '${field.name}' is ${fieldType}`);
    return undefined;
  }

  private group(element: XmlElement, sinceVersion: number): Group | undefined {
    const info = elementInfo(element, this.reporter, sinceVersion);
    const id = requiredIntegerAttribute(element, 'id', this.reporter);
    const dimensionName = attribute(element, 'dimensionType')?.trim() ?? DEFAULT_DIMENSION_TYPE;
    const dimensionType = this.resolver.lookup(
      dimensionName,
      attributeLocation(element, 'dimensionType'),
      `dimensionType of group '${info.name}'`,
    );
    const body = this.body(element, info.sinceVersion);
    if (dimensionType === undefined) return undefined;
    if (dimensionType.kind !== 'composite') {
      this.reporter.error(attributeLocation(element, 'dimensionType'), `dimensionType '${dimensionName}' of group '${info.name}' is not a composite`);
      return undefined;
    }
    const dimension = this.groupDimension(dimensionType);
    if (id === undefined || dimension === undefined) return undefined;
    return { ...info, ...body, id, dimensionType, ...dimension };
  }

  private groupDimension(composite: CompositeType): GroupDimension | undefined {
    if (!this.dimensions.has(composite)) this.dimensions.set(composite, this.checkGroupDimension(composite));
    return this.dimensions.get(composite);
  }

  /** The reference tool's rules: unsigned counts, ideally uint8/uint16; a signed numInGroup needs a minValue >= 0. */
  private checkGroupDimension(composite: CompositeType): GroupDimension | undefined {
    const what = `group dimension type '${composite.name}'`;
    const blockLengthMember = this.encodedMember(composite, 'blockLength', what, isUnsignedInteger, 'an unsigned integer');
    const numInGroupMember = this.encodedMember(composite, 'numInGroup', what, isInteger, 'an integer');
    for (const member of [blockLengthMember, numInGroupMember]) {
      if (member === undefined) continue;
      const { primitiveType, minValue } = member.type;
      if (!isUnsignedInteger(primitiveType)) {
        this.reporter.warning(member.location, `'${member.name}' of ${what} should be an unsigned integer`);
        if (toBigInt(minValue) < 0n) this.reporter.error(member.location, `'${member.name}' of ${what} is signed: it needs a minValue of 0 or more`);
      } else if (primitiveType !== 'uint8' && primitiveType !== 'uint16') {
        this.reporter.warning(member.location, `'${member.name}' of ${what} should be uint8 or uint16`);
      }
    }
    if (blockLengthMember === undefined || numInGroupMember === undefined) return undefined;
    return { blockLengthMember, numInGroupMember };
  }

  private data(element: XmlElement, sinceVersion: number): VarData | undefined {
    const info = elementInfo(element, this.reporter, sinceVersion);
    const id = requiredIntegerAttribute(element, 'id', this.reporter);
    const typeName = requiredAttribute(element, 'type', this.reporter);
    if (typeName === undefined) return undefined;
    const type = this.resolver.lookup(typeName, attributeLocation(element, 'type'), `data '${info.name}'`);
    if (type === undefined) return undefined;
    if (type.kind !== 'composite') {
      this.reporter.error(attributeLocation(element, 'type'), `type '${typeName}' of data '${info.name}' is not a composite with length and varData`);
      return undefined;
    }
    const encoding = this.varDataEncoding(type);
    if (id === undefined || encoding === undefined) return undefined;
    const { composite, lengthMember, varDataMember } = encoding;
    const data: VarData = {
      ...info,
      id,
      type: composite,
      lengthType: lengthMember.type.primitiveType,
      lengthOffset: lengthMember.offset,
      dataType: varDataMember.type.primitiveType,
      headerLength: composite.encodedLength,
      maxLength: Number(lengthMember.type.maxValue),
    };
    if (varDataMember.type.characterEncoding !== undefined) data.characterEncoding = varDataMember.type.characterEncoding;
    return data;
  }

  private varDataEncoding(composite: CompositeType): VarDataEncoding | undefined {
    if (!this.varDataEncodings.has(composite)) {
      const what = `var data type '${composite.name}'`;
      const lengthMember = this.encodedMember(composite, 'length', what, isUnsignedInteger, 'an unsigned integer');
      const varDataMember = this.encodedMember(composite, 'varData', what, () => true, 'a primitive');
      const encoding = lengthMember && varDataMember ? withVariableLengthData(composite, lengthMember, varDataMember) : undefined;
      this.varDataEncodings.set(composite, encoding);
    }
    return this.varDataEncodings.get(composite);
  }

  /** The composite's member `name`, which must be an encoded type whose primitive `allowed` accepts. */
  private encodedMember(
    composite: CompositeType,
    name: string,
    what: string,
    allowed: (type: EncodedType['primitiveType']) => boolean,
    allowedDescription: string,
  ): (CompositeMember & { type: EncodedType }) | undefined {
    const member = composite.members.find((candidate) => candidate.name === name);
    if (member === undefined) {
      this.reporter.error(composite.location, `${what} has no '${name}' member`);
      return undefined;
    }
    if (member.type.kind !== 'encoded' || !allowed(member.type.primitiveType)) {
      this.reporter.error(member.location, `'${name}' of ${what} must be ${allowedDescription}`);
      return undefined;
    }
    return member as CompositeMember & { type: EncodedType };
  }
}

/**
 * Schemas may declare `varData` with the default length 1 (embedded-length-and-count-schema.xml);
 * the reference tool then marks it variable length. Here the composite is copied with `varData`
 * of length 0, so the header always ends where the data starts.
 */
function withVariableLengthData(
  composite: CompositeType,
  lengthMember: CompositeMember & { type: EncodedType },
  varDataMember: CompositeMember & { type: EncodedType },
): VarDataEncoding {
  if (varDataMember.type.length === 0) return { composite, lengthMember, varDataMember };
  const variableMember = { ...varDataMember, type: { ...varDataMember.type, length: 0, encodedLength: 0 } };
  return {
    composite: {
      ...composite,
      members: composite.members.map((member) => (member === varDataMember ? variableMember : member)),
      encodedLength: varDataMember.offset,
    },
    lengthMember,
    varDataMember: variableMember,
  };
}
