/**
 * SBE message schemas written inline by tests. Each has its own types and messages; what they
 * all share is here: the XML declaration, the <sbe:messageSchema> element, and the standard
 * messageHeader composite (blockLength, templateId, schemaId, version: uint16 each) first in
 * <types>.
 */
export interface SchemaAttributes {
  package: string;
  id: number;
  version: number;
  byteOrder: 'littleEndian' | 'bigEndian';
}

/**
 * The schema's XML: `types` after the messageHeader inside <types>, `messages` after </types>.
 * Each starts and ends with a line break (its template literal opened at the end of a line and
 * closed at the start of one), which keeps one element a line: line 10 of the result is the
 * first line of `types`, for diagnostics that name lines.
 */
export function schemaXml(attributes: SchemaAttributes, types: string, messages: string): string {
  const { package: packageName, id, version, byteOrder } = attributes;
  return `<?xml version="1.0" encoding="UTF-8"?>
<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="${packageName}" id="${id}" version="${version}" byteOrder="${byteOrder}">
  <types>
    <composite name="messageHeader">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="templateId" primitiveType="uint16"/>
      <type name="schemaId" primitiveType="uint16"/>
      <type name="version" primitiveType="uint16"/>
    </composite>${types}  </types>${messages}</sbe:messageSchema>
`;
}
