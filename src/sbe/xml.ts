/**
 * XML loading for SBE schemas: a DOM (xmldom) turned into a small element tree where every
 * element and attribute knows its file, line and column, with XInclude (`<xi:include href>`)
 * already replaced by the included document's root element. The schema parser never sees the
 * DOM, namespaces or includes: only local names, attributes and text.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import type { Diagnostic } from './diagnostics.js';
import type { SourceLocation } from './ir.js';

const XINCLUDE_NAMESPACE = 'http://www.w3.org/2001/XInclude';
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;

export interface XmlAttribute {
  value: string;
  location: SourceLocation;
}

export interface XmlElement {
  /** The local name: `sbe:message`, `ns2:message` and `message` are all `message`. */
  name: string;
  /** Attributes by name as written (namespace declarations left out). */
  attributes: Map<string, XmlAttribute>;
  children: XmlElement[];
  /** The element's own text (text and CDATA children joined), untrimmed. */
  text: string;
  location: SourceLocation;
}

/** The subset of the xmldom node API this module reads. */
interface DomNode {
  nodeType: number;
  nodeName: string;
  localName?: string | null;
  namespaceURI?: string | null;
  nodeValue: string | null;
  lineNumber?: number;
  columnNumber?: number;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<DomNode & { name: string; value: string }>;
}

/** Reads and parses `file`, resolving XIncludes; undefined (with a diagnostic) when it cannot. */
export function loadXmlFile(file: string, diagnostics: Diagnostic[]): XmlElement | undefined {
  return new XmlLoader(diagnostics).loadFile(file, fileStart(file), []);
}

/** Parses `text` as if read from `file` (XIncludes resolve relative to it). */
export function parseXmlText(text: string, file: string, diagnostics: Diagnostic[]): XmlElement | undefined {
  return new XmlLoader(diagnostics).parse(text, file, [file]);
}

function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1 };
}

class XmlLoader {
  constructor(private readonly diagnostics: Diagnostic[]) {}

  /** `includeChain` holds the files being loaded, outermost first, to stop include cycles. */
  loadFile(file: string, requestedAt: SourceLocation, includeChain: readonly string[]): XmlElement | undefined {
    if (includeChain.includes(file)) {
      this.error(requestedAt, `XInclude cycle: ${[...includeChain, file].join(' -> ')}`);
      return undefined;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      this.error(requestedAt, `cannot read ${file}: ${reason}`);
      return undefined;
    }
    // Editors on Windows save a byte order mark, which xmldom would take for content before the root.
    return this.parse(text.replace(/^\uFEFF/, ''), file, [...includeChain, file]);
  }

  parse(text: string, file: string, includeChain: readonly string[]): XmlElement | undefined {
    if (text.includes('\u0000')) {
      this.error(fileStart(file), 'not an XML document: the file is binary');
      return undefined;
    }
    // An error leaves a DOM that is not the document: stop at the first one. xmldom throws a
    // ParseError for fatal errors itself and wraps what onError throws; the first message is kept here.
    let firstError: string | undefined;
    const parser = new DOMParser({
      onError: (level, message, context: { locator?: Locator }) => {
        if (level === 'warning') {
          this.diagnostics.push({ severity: 'warning', message: `XML: ${readable(message)}`, location: locatorToLocation(file, context.locator) });
          return;
        }
        firstError ??= message;
        if (level === 'error') throw new Error(message);
      },
    });
    let root: DomNode | null;
    try {
      root = parser.parseFromString(text, 'text/xml').documentElement as unknown as DomNode | null;
    } catch (error) {
      const { message, locator } = error as { message?: string; locator?: Locator };
      this.error(locatorToLocation(file, locator), `not well-formed XML: ${readable(firstError ?? message ?? String(error))}`);
      return undefined;
    }
    if (root === null) {
      this.error(fileStart(file), 'not an XML document: no root element');
      return undefined;
    }
    return this.convert(root, file, includeChain);
  }

  private convert(node: DomNode, file: string, includeChain: readonly string[]): XmlElement {
    const element: XmlElement = {
      name: node.localName ?? node.nodeName,
      attributes: convertAttributes(node, file),
      children: [],
      text: '',
      location: nodeLocation(node, file),
    };
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) {
        element.text += child.nodeValue ?? '';
      } else if (child.nodeType === ELEMENT_NODE) {
        const converted = isXInclude(child)
          ? this.include(child, file, includeChain)
          : this.convert(child, file, includeChain);
        if (converted !== undefined) element.children.push(converted);
      }
    }
    return element;
  }

  private include(node: DomNode, file: string, includeChain: readonly string[]): XmlElement | undefined {
    const location = nodeLocation(node, file);
    const attributes = convertAttributes(node, file);
    const href = attributes.get('href')?.value;
    if (href === undefined || href === '') {
      this.error(location, 'xi:include without an href');
      return undefined;
    }
    const parse = attributes.get('parse')?.value ?? 'xml';
    if (parse !== 'xml') {
      this.error(location, `xi:include parse="${parse}" is not supported, only parse="xml"`);
      return undefined;
    }
    return this.loadFile(join(dirname(file), href), location, includeChain);
  }

  private error(location: SourceLocation, message: string): void {
    this.diagnostics.push({ severity: 'error', message, location });
  }
}

function isXInclude(node: DomNode): boolean {
  return node.namespaceURI === XINCLUDE_NAMESPACE && node.localName === 'include';
}

function convertAttributes(node: DomNode, file: string): Map<string, XmlAttribute> {
  const attributes = new Map<string, XmlAttribute>();
  for (const attribute of Array.from(node.attributes ?? [])) {
    if (attribute.name === 'xmlns' || attribute.name.startsWith('xmlns:')) continue;
    attributes.set(attribute.name, { value: attribute.value, location: nodeLocation(attribute, file) });
  }
  return attributes;
}

function nodeLocation(node: DomNode, file: string): SourceLocation {
  return { file, line: node.lineNumber ?? 1, column: node.columnNumber ?? 1 };
}

interface Locator {
  lineNumber?: number;
  columnNumber?: number;
}

function locatorToLocation(file: string, locator?: Locator): SourceLocation {
  return { file, line: Math.max(locator?.lineNumber ?? 1, 1), column: Math.max(locator?.columnNumber ?? 1, 1) };
}

const MAX_MESSAGE_LENGTH = 160;

/** xmldom quotes the offending input: keep it printable and short. */
function readable(message: string): string {
  const printable = message.replace(/^(\[xmldom [a-zA-Z]+\]\s*)/, '').replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_MESSAGE_LENGTH ? `${printable.slice(0, MAX_MESSAGE_LENGTH)}...` : printable;
}
