/**
 * SBE schema loading: XML (with XInclude) -> resolved IR (types.ts, messages.ts) -> validation
 * (validator.ts). Every problem becomes a Diagnostic; nothing here throws for bad input, except
 * loadSchemaOrThrow, which exists for callers that need a valid schema or nothing.
 */
import {
  attribute,
  attributeLocation,
  integerAttribute,
  requiredAttribute,
  requiredIntegerAttribute,
  Reporter,
} from './attributes.js';
import { hasErrors, SchemaError, type Diagnostic } from './diagnostics.js';
import type { ByteOrder, CompositeType, Schema, SourceLocation } from './ir.js';
import { MessageBuilder } from './messages.js';
import { TypeResolver } from './types.js';
import { validateSchema } from './validator.js';
import { loadXmlFile, parseXmlText, type XmlElement } from './xml.js';

export interface LoadedSchema {
  /** The schema, or undefined when there is any error. */
  schema: Schema | undefined;
  /** Errors and warnings, in file order. */
  diagnostics: Diagnostic[];
}

const DEFAULT_HEADER_TYPE = 'messageHeader';
const HEADER_MEMBERS = ['blockLength', 'templateId', 'schemaId', 'version'] as const;
const BYTE_ORDERS: ReadonlySet<string> = new Set(['littleEndian', 'bigEndian']);

/** Reads `path`, resolves XIncludes relative to it, parses, resolves and validates. */
export function loadSchema(path: string): LoadedSchema {
  const diagnostics: Diagnostic[] = [];
  return buildSchema(loadXmlFile(path, diagnostics), diagnostics);
}

/** As loadSchema, from text; `file` names it in diagnostics and anchors relative XIncludes. */
export function parseSchemaText(xml: string, file: string): LoadedSchema {
  const diagnostics: Diagnostic[] = [];
  return buildSchema(parseXmlText(xml, file, diagnostics), diagnostics);
}

/** The schema at `path`, or a SchemaError carrying every diagnostic. */
export function loadSchemaOrThrow(path: string): Schema {
  const { schema, diagnostics } = loadSchema(path);
  if (schema === undefined) throw new SchemaError(diagnostics);
  return schema;
}

function buildSchema(root: XmlElement | undefined, diagnostics: Diagnostic[]): LoadedSchema {
  if (root === undefined) return { schema: undefined, diagnostics };
  const reporter = new Reporter(diagnostics);
  if (root.name !== 'messageSchema') {
    reporter.error(root.location, `root element is <${root.name}>, not <messageSchema>: not an SBE schema`);
    return { schema: undefined, diagnostics };
  }
  const schema = resolveSchema(root, reporter);
  diagnostics.push(...validateSchema(schema));
  sortByLocation(diagnostics);
  return { schema: hasErrors(diagnostics) ? undefined : schema, diagnostics };
}

function resolveSchema(root: XmlElement, reporter: Reporter): Schema {
  const typesBlocks: XmlElement[] = [];
  const messageElements: XmlElement[] = [];
  for (const child of root.children) {
    if (child.name === 'types') typesBlocks.push(child);
    else if (child.name === 'message') messageElements.push(child);
    else reporter.error(child.location, `<${child.name}> is not allowed in messageSchema: expected types or message`);
  }
  const resolver = new TypeResolver(typesBlocks, reporter, root.location);
  const types = resolver.resolveAll();
  const headerType = resolveHeaderType(root, resolver, reporter);
  const messageBuilder = new MessageBuilder(resolver, reporter);
  const schema: Schema = {
    package: requiredAttribute(root, 'package', reporter) ?? '',
    id: requiredIntegerAttribute(root, 'id', reporter) ?? 0,
    version: integerAttribute(root, 'version', reporter, 0),
    byteOrder: byteOrder(root, reporter),
    headerType,
    types,
    messages: messageElements.flatMap((element) => messageBuilder.message(element) ?? []),
    location: root.location,
  };
  const semanticVersion = attribute(root, 'semanticVersion');
  if (semanticVersion !== undefined) schema.semanticVersion = semanticVersion;
  const description = attribute(root, 'description');
  if (description !== undefined) schema.description = description;
  return schema;
}

function byteOrder(root: XmlElement, reporter: Reporter): ByteOrder {
  const value = attribute(root, 'byteOrder')?.trim() ?? 'littleEndian';
  if (BYTE_ORDERS.has(value)) return value as ByteOrder;
  reporter.error(attributeLocation(root, 'byteOrder'), `byteOrder="${value}" must be littleEndian or bigEndian`);
  return 'littleEndian';
}

/** The message header composite; it must have the four members every SBE header carries. */
function resolveHeaderType(root: XmlElement, resolver: TypeResolver, reporter: Reporter): CompositeType {
  const name = attribute(root, 'headerType')?.trim() ?? DEFAULT_HEADER_TYPE;
  const usedAt = attributeLocation(root, 'headerType');
  const type = resolver.lookup(name, usedAt, 'headerType');
  if (type === undefined) return emptyComposite(name, usedAt);
  if (type.kind !== 'composite') {
    reporter.error(usedAt, `headerType '${name}' is a ${type.kind}, not a composite`);
    return emptyComposite(name, usedAt);
  }
  for (const memberName of HEADER_MEMBERS) {
    const member = type.members.find((candidate) => candidate.name === memberName);
    if (member === undefined) {
      reporter.error(type.location, `message header type '${name}' has no '${memberName}' member`);
    } else if (member.type.kind !== 'encoded' || !member.type.primitiveType.startsWith('uint')) {
      reporter.error(member.location, `'${memberName}' of message header type '${name}' must be an unsigned integer`);
    } else if (member.type.primitiveType !== 'uint16') {
      reporter.warning(member.location, `'${memberName}' of message header type '${name}' should be uint16`);
    }
  }
  return type;
}

/** Stands in for a header type that could not be resolved, so validation can still run. */
function emptyComposite(name: string, location: SourceLocation): CompositeType {
  return { kind: 'composite', name, sinceVersion: 0, location, members: [], encodedLength: 0 };
}

function sortByLocation(diagnostics: Diagnostic[]): void {
  const fileOrder = new Map<string, number>();
  for (const { location } of diagnostics) if (!fileOrder.has(location.file)) fileOrder.set(location.file, fileOrder.size);
  diagnostics.sort(
    (a, b) =>
      fileOrder.get(a.location.file)! - fileOrder.get(b.location.file)! ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column,
  );
}
