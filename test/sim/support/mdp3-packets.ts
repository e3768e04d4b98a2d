/** Splits captured MDP3 packets into messages and decodes them with the OTF decoder and the project schema. */
import { fileURLToPath } from 'node:url';
import { loadSchemaOrThrow } from '../../../src/sbe/parser.js';
import { decodeMessage } from '../../../src/sbe/otf.js';

export const mdp3Schema = loadSchemaOrThrow(fileURLToPath(new URL('../../../schemas/mdp3.xml', import.meta.url)));

export interface DecodedPacket {
  seqNum: number;
  sendingTime: bigint;
  /** Sum of the MsgSize fields. */
  msgSizeTotal: number;
  messages: Array<{ name: string; fields: Record<string, any> }>;
}

export function decodePacket(packet: Buffer): DecodedPacket {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const decoded: DecodedPacket = { seqNum: view.getUint32(0, true), sendingTime: view.getBigUint64(4, true), msgSizeTotal: 0, messages: [] };
  let position = 12;
  while (position < packet.length) {
    const msgSize = view.getUint16(position, true);
    const message = decodeMessage(mdp3Schema, view, position + 2, msgSize - 2);
    if (message.encodedLength !== msgSize - 2) throw new Error(`packet ${decoded.seqNum}: ${message.name} encodes ${message.encodedLength} bytes, MsgSize says ${msgSize - 2}`);
    decoded.messages.push({ name: message.name, fields: message.fields as Record<string, any> });
    decoded.msgSizeTotal += msgSize;
    position += msgSize;
  }
  return decoded;
}
