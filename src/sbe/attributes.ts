/**
 * Reading schema attributes with diagnostics: a missing required attribute or a malformed number
 * is reported at the attribute (or its element) and the caller gets undefined or the default,
 * so one bad attribute never stops the rest of the schema from being checked.
 */
import type { Diagnostic } from './diagnostics.js';
import type { ElementInfo, SourceLocation } from './ir.js';
import type { XmlElement } from './xml.js';

export class Reporter {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: Diagnostic[] = []) {
    this.diagnostics = diagnostics;
  }

  error(location: SourceLocation, message: string): void {
    this.diagnostics.push({ severity: 'error', message, location });
  }

  warning(location: SourceLocation, message: string): void {
    this.diagnostics.push({ severity: 'warning', message, location });
  }
}

export function attribute(element: XmlElement, name: string): string | undefined {
  return element.attributes.get(name)?.value;
}

export function attributeLocation(element: XmlElement, name: string): SourceLocation {
  return element.attributes.get(name)?.location ?? element.location;
}

/** `<message name="X">` style label for messages. */
export function describe(element: XmlElement): string {
  const name = attribute(element, 'name');
  return name === undefined ? `<${element.name}>` : `${element.name} '${name}'`;
}

export function requiredAttribute(element: XmlElement, name: string, reporter: Reporter): string | undefined {
  const value = attribute(element, name);
  if (value === undefined || value.trim() === '') {
    reporter.error(element.location, `${describe(element)} has no '${name}' attribute`);
    return undefined;
  }
  return value.trim();
}

const NON_NEGATIVE_INTEGER = /^\s*\+?\d+\s*$/;

/** A non-negative integer attribute (ids, versions, offsets, lengths): `fallback` when absent or bad. */
export function integerAttribute(element: XmlElement, name: string, reporter: Reporter, fallback: number): number;
export function integerAttribute(element: XmlElement, name: string, reporter: Reporter): number | undefined;
export function integerAttribute(
  element: XmlElement,
  name: string,
  reporter: Reporter,
  fallback?: number,
): number | undefined {
  const value = attribute(element, name);
  if (value === undefined) return fallback;
  if (!NON_NEGATIVE_INTEGER.test(value) || !Number.isSafeInteger(Number(value))) {
    reporter.error(attributeLocation(element, name), `${name}="${value}" of ${describe(element)} is not a non-negative integer`);
    return fallback;
  }
  return Number(value);
}

export function requiredIntegerAttribute(element: XmlElement, name: string, reporter: Reporter): number | undefined {
  if (attribute(element, name) === undefined) {
    reporter.error(element.location, `${describe(element)} has no '${name}' attribute`);
    return undefined;
  }
  return integerAttribute(element, name, reporter);
}

/**
 * The attributes every named element carries. `enclosingSinceVersion` is the sinceVersion of the
 * element this one sits in: the effective sinceVersion is the larger of the two.
 */
export function elementInfo(element: XmlElement, reporter: Reporter, enclosingSinceVersion: number): ElementInfo {
  const info: ElementInfo = {
    name: requiredAttribute(element, 'name', reporter) ?? '',
    sinceVersion: Math.max(integerAttribute(element, 'sinceVersion', reporter, 0), enclosingSinceVersion),
    location: element.location,
  };
  const description = attribute(element, 'description');
  if (description !== undefined) info.description = description;
  const deprecated = integerAttribute(element, 'deprecated', reporter);
  if (deprecated !== undefined) info.deprecated = deprecated;
  const semanticType = attribute(element, 'semanticType');
  if (semanticType !== undefined) info.semanticType = semanticType;
  return info;
}
