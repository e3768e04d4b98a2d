/**
 * A generated class as three lists of lines (statics, instance fields, methods) that emitters
 * fill independently and `renderClass` assembles, so a member's field and its accessor can be
 * produced together yet land in their sections.
 */

/** Members of generated code: instance fields first, then methods; statics separately. */
export interface ClassParts {
  statics: string[];
  fields: string[];
  methods: string[];
}

export function emptyParts(): ClassParts {
  return { statics: [], fields: [], methods: [] };
}

export function mergeParts(target: ClassParts, source: ClassParts): void {
  target.statics.push(...source.statics);
  target.fields.push(...source.fields);
  target.methods.push(...source.methods);
}

/** The class source: its doc, then statics, instance fields and methods, each section once. */
export function renderClass(doc: string[], name: string, parts: ClassParts): string[] {
  return [
    ...doc.map((line) => line.replace(/^ {2}/, '')),
    `export class ${name} {`,
    ...parts.statics,
    ...(parts.statics.length > 0 ? [''] : []),
    ...parts.fields,
    ...(parts.fields.length > 0 ? [''] : []),
    ...parts.methods,
    `}`,
  ];
}
