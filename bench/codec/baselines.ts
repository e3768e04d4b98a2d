/** The formats zerotick is measured against, per message, in the order the tables list them. */
import type { Codec, MessageKind } from './codec.js';
import { createFlatbuffersBook46Codec, createFlatbuffersCarCodec } from './flatbuffers.js';
import { createJsonBufferCodec, createJsonStringCodec } from './json.js';
import { createMsgpackrCodec, createMsgpackrRecordsCodec } from './msgpackr.js';
import { createProtobufCodec } from './protobuf.js';

export function createBaselineCodecs(kind: MessageKind): Codec[] {
  return [
    kind === 'book46' ? createFlatbuffersBook46Codec() : createFlatbuffersCarCodec(),
    createProtobufCodec(kind),
    createMsgpackrCodec(kind),
    createMsgpackrRecordsCodec(kind),
    createJsonStringCodec(kind),
    createJsonBufferCodec(kind),
  ];
}
