/**
 * Resolution of the `<types>` blocks into IR types: encoded types, enums, sets and composites,
 * looked up by name (declared types first, then the built-in primitives, as the reference tool
 * does), each resolved once. Composites may `ref` other top-level types; a ref that leads back to
 * a composite still being resolved is a cycle and is reported at the ref.
 *
 * Problems that make a type impossible to build (unknown names, malformed values, cycles,
 * valueRefs to nothing) are reported here; rules about a well-built type (ranges, duplicates,
 * overlaps) are the validator's.
 */
import {
  attribute,
  attributeLocation,
  describe,
  elementInfo,
  integerAttribute,
  requiredAttribute,
  type Reporter,
} from './attributes.js';
import {
  primitiveSize,
  type CompositeMember,
  type CompositeType,
  type EncodedType,
  type EnumType,
  type EnumValue,
  type Presence,
  type PrimitiveType,
  type PrimitiveValue,
  type SetChoice,
  type SetType,
  type SourceLocation,
  type Type,
} from './ir.js';
import {
  isIntegral,
  isPrimitiveType,
  isUnsignedInteger,
  parseCharLiteral,
  parseIntegerLiteral,
  parsePrimitiveValue,
  primitiveLimits,
  type ParseResult,
} from './primitive.js';
import type { XmlElement } from './xml.js';

const TYPE_ELEMENTS: ReadonlySet<string> = new Set(['type', 'enum', 'set', 'composite']);
const PRESENCES: ReadonlySet<string> = new Set(['required', 'optional', 'constant']);
const DEFAULT_CHARACTER_ENCODING = 'US-ASCII';

/** An enum value found through a `valueRef="Enum.Value"`. */
export interface ResolvedValueRef {
  enumType: EnumType;
  value: EnumValue;
}

export class TypeResolver {
  private readonly declarations = new Map<string, XmlElement>();
  /** Resolved top-level types; undefined records a type that failed, so it is reported once. */
  private readonly resolved = new Map<string, Type | undefined>();
  /** Names of the top-level types being resolved, outermost first: a ref to one of them is a cycle. */
  private readonly resolving: string[] = [];
  private readonly builtins = new Map<PrimitiveType, EncodedType>();

  constructor(
    typesBlocks: readonly XmlElement[],
    private readonly reporter: Reporter,
    private readonly schemaLocation: SourceLocation,
  ) {
    for (const block of typesBlocks) {
      for (const element of block.children) this.declare(element);
    }
  }

  /** Every declared top-level type, by name, in declaration order. */
  resolveAll(): Map<string, Type> {
    const types = new Map<string, Type>();
    for (const name of this.declarations.keys()) {
      const type = this.resolveDeclared(name, undefined);
      if (type !== undefined) types.set(name, type);
    }
    return types;
  }

  /** The type named `name` (declared, else a primitive), or undefined after reporting `usage` at `usedAt`. */
  lookup(name: string, usedAt: SourceLocation, usage: string): Type | undefined {
    if (this.declarations.has(name)) return this.resolveDeclared(name, usedAt);
    if (isPrimitiveType(name)) return this.builtin(name);
    this.reporter.error(usedAt, `${usage} refers to unknown type '${name}'`);
    return undefined;
  }

  /** Resolves `Enum.Value`, reporting at `usedAt` what is missing. */
  resolveValueRef(valueRef: string, usedAt: SourceLocation): ResolvedValueRef | undefined {
    const dot = valueRef.indexOf('.');
    if (dot < 1 || dot === valueRef.length - 1) {
      this.reporter.error(usedAt, `valueRef="${valueRef}" is not of the form EnumName.ValueName`);
      return undefined;
    }
    const enumName = valueRef.slice(0, dot);
    const valueName = valueRef.slice(dot + 1);
    if (!this.declarations.has(enumName)) {
      this.reporter.error(usedAt, `valueRef="${valueRef}" refers to unknown enum '${enumName}'`);
      return undefined;
    }
    const enumType = this.resolveDeclared(enumName, usedAt);
    if (enumType === undefined) return undefined;
    if (enumType.kind !== 'enum') {
      this.reporter.error(usedAt, `valueRef="${valueRef}" refers to '${enumName}', which is a ${enumType.kind}, not an enum`);
      return undefined;
    }
    const value = enumType.values.find((candidate) => candidate.name === valueName);
    if (value === undefined) {
      this.reporter.error(usedAt, `valueRef="${valueRef}": enum '${enumName}' has no value '${valueName}'`);
      return undefined;
    }
    return { enumType, value };
  }

  private declare(element: XmlElement): void {
    if (!TYPE_ELEMENTS.has(element.name)) {
      this.reporter.error(element.location, `<${element.name}> is not a type: expected type, composite, enum or set`);
      return;
    }
    const name = requiredAttribute(element, 'name', this.reporter);
    if (name === undefined) return;
    const first = this.declarations.get(name);
    if (first !== undefined) {
      const { file, line, column } = first.location;
      this.reporter.error(element.location, `duplicate type name '${name}' (first declared at ${file}:${line}:${column})`);
      return;
    }
    this.declarations.set(name, element);
  }

  private resolveDeclared(name: string, usedAt: SourceLocation | undefined): Type | undefined {
    if (this.resolved.has(name)) return this.resolved.get(name);
    if (this.resolving.includes(name)) {
      const cycle = [...this.resolving.slice(this.resolving.indexOf(name)), name].join(' -> ');
      this.reporter.error(usedAt ?? this.schemaLocation, `cyclic type reference: ${cycle}`);
      return undefined;
    }
    this.resolving.push(name);
    const type = this.buildType(this.declarations.get(name)!, 0);
    this.resolving.pop();
    this.resolved.set(name, type);
    return type;
  }

  private builtin(primitiveType: PrimitiveType): EncodedType {
    let type = this.builtins.get(primitiveType);
    if (type === undefined) {
      type = {
        kind: 'encoded',
        name: primitiveType,
        sinceVersion: 0,
        location: this.schemaLocation,
        primitiveType,
        length: 1,
        encodedLength: primitiveSize[primitiveType],
        presence: 'required',
        ...primitiveLimits[primitiveType],
        ...(primitiveType === 'char' ? { characterEncoding: DEFAULT_CHARACTER_ENCODING } : {}),
      };
      this.builtins.set(primitiveType, type);
    }
    return type;
  }

  private buildType(element: XmlElement, enclosingSinceVersion: number): Type | undefined {
    switch (element.name) {
      case 'type':
        return this.buildEncoded(element, enclosingSinceVersion);
      case 'enum':
        return this.buildEnum(element, enclosingSinceVersion);
      case 'set':
        return this.buildSet(element, enclosingSinceVersion);
      case 'composite':
        return this.buildComposite(element, enclosingSinceVersion);
      default:
        this.reporter.error(element.location, `<${element.name}> is not a type`);
        return undefined;
    }
  }

  private buildEncoded(element: XmlElement, enclosingSinceVersion: number): EncodedType | undefined {
    const info = elementInfo(element, this.reporter, enclosingSinceVersion);
    const primitiveName = requiredAttribute(element, 'primitiveType', this.reporter);
    if (primitiveName === undefined) return undefined;
    if (!isPrimitiveType(primitiveName)) {
      this.reporter.error(attributeLocation(element, 'primitiveType'), `unknown primitive type '${primitiveName}' for type '${info.name}'`);
      return undefined;
    }
    const presence = this.presence(element);
    const declaredLength = integerAttribute(element, 'length', this.reporter);
    const defaults = primitiveLimits[primitiveName];
    const type: EncodedType = {
      kind: 'encoded',
      ...info,
      primitiveType: primitiveName,
      length: declaredLength ?? 1,
      encodedLength: 0,
      presence,
      nullValue: this.literalAttribute(element, 'nullValue', primitiveName) ?? defaults.nullValue,
      minValue: this.literalAttribute(element, 'minValue', primitiveName) ?? defaults.minValue,
      maxValue: this.literalAttribute(element, 'maxValue', primitiveName) ?? defaults.maxValue,
    };
    const characterEncoding = attribute(element, 'characterEncoding')?.trim();
    if (characterEncoding !== undefined) type.characterEncoding = characterEncoding;
    else if (primitiveName === 'char') type.characterEncoding = DEFAULT_CHARACTER_ENCODING;
    if (attribute(element, 'nullValue') !== undefined && presence !== 'optional') {
      this.reporter.warning(element.location, `type '${info.name}' sets nullValue but its presence is not optional`);
    }
    this.applyConstant(element, type, declaredLength);
    type.encodedLength = presence === 'constant' ? 0 : primitiveSize[primitiveName] * type.length;
    return type;
  }

  /** Fills `constValue` (and for a char string without `length`, the length) of a constant type. */
  private applyConstant(element: XmlElement, type: EncodedType, declaredLength: number | undefined): void {
    const valueRef = attribute(element, 'valueRef');
    if (valueRef !== undefined) {
      type.valueRef = valueRef;
      if (type.presence !== 'constant') {
        this.reporter.error(element.location, `type '${type.name}' has valueRef="${valueRef}" but its presence is not constant`);
        return;
      }
      const resolved = this.resolveValueRef(valueRef, attributeLocation(element, 'valueRef'));
      if (resolved === undefined) return;
      if (resolved.enumType.encodingType !== type.primitiveType) {
        this.reporter.error(
          attributeLocation(element, 'valueRef'),
          `valueRef="${valueRef}" is a ${resolved.enumType.encodingType} value but type '${type.name}' is ${type.primitiveType}`,
        );
        return;
      }
      type.constValue = resolved.value.value;
      return;
    }
    if (type.presence !== 'constant') return;
    const text = type.primitiveType === 'char' ? element.text : element.text.trim();
    if (text === '') {
      this.reporter.error(element.location, `constant type '${type.name}' has no value`);
      return;
    }
    if (type.primitiveType !== 'char') {
      const value = this.checked(parsePrimitiveValue(text, type.primitiveType), element.location, `constant of type '${type.name}'`);
      if (value !== undefined) type.constValue = value;
      return;
    }
    if (declaredLength === undefined) type.length = text.length;
    else if (text.length > declaredLength) {
      this.reporter.error(element.location, `constant '${text}' of type '${type.name}' is longer than its length ${declaredLength}`);
    }
    type.constValue = text;
  }

  private buildEnum(element: XmlElement, enclosingSinceVersion: number): EnumType | undefined {
    const info = elementInfo(element, this.reporter, enclosingSinceVersion);
    const encoding = this.encodingType(element, isIntegral, 'char or an integer type');
    if (encoding === undefined) return undefined;
    const presence = this.presence(element);
    const explicitNull = this.literalAttribute(element, 'nullValue', encoding.primitiveType);
    const nullValue = explicitNull ?? encoding.named?.nullValue ?? primitiveLimits[encoding.primitiveType].nullValue;
    const type: EnumType = {
      kind: 'enum',
      ...info,
      encodingType: encoding.primitiveType,
      encodedLength: presence === 'constant' ? 0 : primitiveSize[encoding.primitiveType],
      presence,
      nullValue: Number(nullValue),
      values: this.children(element, 'validValue').flatMap((child) => this.enumValue(child, encoding.primitiveType) ?? []),
    };
    const constValueName = element.text.trim();
    if (presence === 'constant' && constValueName !== '') type.constValueName = constValueName;
    return type;
  }

  private enumValue(element: XmlElement, encodingType: PrimitiveType): EnumValue | undefined {
    const name = requiredAttribute(element, 'name', this.reporter);
    const text = element.text;
    let value: number | undefined;
    if (encodingType === 'char') {
      value = this.checked(parseCharLiteral(text), element.location, `validValue '${name}'`) as number | undefined;
    } else {
      const parsed = parseIntegerLiteral(text);
      if (parsed === undefined) this.reporter.error(element.location, `validValue '${name}' has value '${text.trim()}', which is not an integer`);
      else value = Number(parsed);
    }
    if (name === undefined || value === undefined) return undefined;
    return { name, value, ...this.memberInfo(element) };
  }

  private buildSet(element: XmlElement, enclosingSinceVersion: number): SetType | undefined {
    const info = elementInfo(element, this.reporter, enclosingSinceVersion);
    const encoding = this.encodingType(element, isUnsignedInteger, 'an unsigned integer type');
    if (encoding === undefined) return undefined;
    return {
      kind: 'set',
      ...info,
      encodingType: encoding.primitiveType,
      encodedLength: primitiveSize[encoding.primitiveType],
      choices: this.children(element, 'choice').flatMap((child) => this.setChoice(child) ?? []),
    };
  }

  private setChoice(element: XmlElement): SetChoice | undefined {
    const name = requiredAttribute(element, 'name', this.reporter);
    const bit = parseIntegerLiteral(element.text);
    if (bit === undefined) {
      this.reporter.error(element.location, `choice '${name}' has bit '${element.text.trim()}', which is not an integer`);
    }
    if (name === undefined || bit === undefined) return undefined;
    return { name, bit: Number(bit), ...this.memberInfo(element) };
  }

  /** description, sinceVersion and deprecated of an enum value or set choice. */
  private memberInfo(element: XmlElement): Pick<EnumValue, 'sinceVersion' | 'location'> & Partial<EnumValue> {
    const info: Pick<EnumValue, 'sinceVersion' | 'location'> & Partial<EnumValue> = {
      sinceVersion: integerAttribute(element, 'sinceVersion', this.reporter, 0),
      location: element.location,
    };
    const description = attribute(element, 'description');
    if (description !== undefined) info.description = description;
    const deprecated = integerAttribute(element, 'deprecated', this.reporter);
    if (deprecated !== undefined) info.deprecated = deprecated;
    return info;
  }

  private buildComposite(element: XmlElement, enclosingSinceVersion: number): CompositeType | undefined {
    const info = elementInfo(element, this.reporter, enclosingSinceVersion);
    const members: CompositeMember[] = [];
    let end = 0;
    for (const child of element.children) {
      const member = this.compositeMember(child, info.sinceVersion);
      if (member === undefined) continue;
      member.offset = integerAttribute(child, 'offset', this.reporter) ?? end;
      end = member.offset + member.type.encodedLength;
      members.push(member);
    }
    return { kind: 'composite', ...info, members, encodedLength: end };
  }

  /** A member without its offset (the composite lays members out). */
  private compositeMember(element: XmlElement, compositeSinceVersion: number): CompositeMember | undefined {
    if (element.name === 'ref') return this.refMember(element, compositeSinceVersion);
    if (element.name === 'data' || element.name === 'group') {
      this.reporter.error(element.location, `<${element.name}> is not allowed in a composite`);
      return undefined;
    }
    const type = this.buildType(element, compositeSinceVersion);
    if (type === undefined) return undefined;
    const member: CompositeMember = {
      name: type.name,
      offset: 0,
      type,
      sinceVersion: type.sinceVersion,
      location: type.location,
    };
    if (type.deprecated !== undefined) member.deprecated = type.deprecated;
    if (type.description !== undefined) member.description = type.description;
    return member;
  }

  private refMember(element: XmlElement, compositeSinceVersion: number): CompositeMember | undefined {
    const name = requiredAttribute(element, 'name', this.reporter);
    const typeName = requiredAttribute(element, 'type', this.reporter);
    if (name === undefined || typeName === undefined) return undefined;
    const type = this.lookup(typeName, attributeLocation(element, 'type'), `ref '${name}'`);
    if (type === undefined) return undefined;
    const ownSinceVersion = integerAttribute(element, 'sinceVersion', this.reporter) ?? type.sinceVersion;
    const member: CompositeMember = {
      name,
      offset: 0,
      type,
      sinceVersion: Math.max(ownSinceVersion, compositeSinceVersion),
      location: element.location,
    };
    const deprecated = integerAttribute(element, 'deprecated', this.reporter) ?? type.deprecated;
    if (deprecated !== undefined) member.deprecated = deprecated;
    const description = attribute(element, 'description') ?? type.description;
    if (description !== undefined) member.description = description;
    return member;
  }

  /**
   * The primitive an enum or set is encoded as: a primitive name, or a named `<type>` of length 1
   * (whose null value an enum inherits).
   */
  private encodingType(
    element: XmlElement,
    allowed: (type: PrimitiveType) => boolean,
    allowedDescription: string,
  ): { primitiveType: PrimitiveType; named?: EncodedType } | undefined {
    const name = requiredAttribute(element, 'encodingType', this.reporter);
    if (name === undefined) return undefined;
    const location = attributeLocation(element, 'encodingType');
    const isDeclared = this.declarations.has(name);
    if (!isDeclared && !isPrimitiveType(name)) {
      this.reporter.error(location, `encodingType '${name}' of ${describe(element)} is neither ${allowedDescription} nor a declared type`);
      return undefined;
    }
    const type = this.lookup(name, location, describe(element));
    if (type === undefined) return undefined; // reported where that type failed
    if (type.kind !== 'encoded' || type.length !== 1 || !allowed(type.primitiveType)) {
      this.reporter.error(location, `encodingType '${name}' of ${describe(element)} must be ${allowedDescription} (or a type of one, length 1)`);
      return undefined;
    }
    return isDeclared ? { primitiveType: type.primitiveType, named: type } : { primitiveType: type.primitiveType };
  }

  private presence(element: XmlElement): Presence {
    const presence = attribute(element, 'presence')?.trim() ?? 'required';
    if (PRESENCES.has(presence)) return presence as Presence;
    this.reporter.error(attributeLocation(element, 'presence'), `presence="${presence}" must be required, optional or constant`);
    return 'required';
  }

  private literalAttribute(element: XmlElement, name: string, type: PrimitiveType): PrimitiveValue | undefined {
    const text = attribute(element, name);
    if (text === undefined) return undefined;
    return this.checked(parsePrimitiveValue(text, type), attributeLocation(element, name), `${name} of ${describe(element)}`);
  }

  private checked(result: ParseResult, location: SourceLocation, what: string): PrimitiveValue | undefined {
    if (result.ok) return result.value;
    this.reporter.error(location, `${what}: ${result.reason}`);
    return undefined;
  }

  private children(element: XmlElement, name: string): XmlElement[] {
    return element.children.filter((child) => child.name === name);
  }
}
