/** JSON: JSON.stringify/JSON.parse of a string, and the same through a UTF-8 Buffer (what a socket carries). */
import { contentChecksums, contents, type Book46, type Car } from './content.js';
import { codecOverEncodedValue, type Codec, type MessageKind } from './codec.js';
import { monomorphicCopy } from '../lib/monomorphic-copy.js';


export function createJsonStringCodec(kind: MessageKind): Codec {
  const message: Book46 | Car = contents[kind];
  const checksum = monomorphicCopy(contentChecksums[kind] as (value: unknown) => number, `json string ${kind}`);
  return codecOverEncodedValue(
    'JSON (string)',
    () => JSON.stringify(message),
    (text) => checksum(JSON.parse(text)),
  );
}

export function createJsonBufferCodec(kind: MessageKind): Codec {
  const message: Book46 | Car = contents[kind];
  const checksum = monomorphicCopy(contentChecksums[kind] as (value: unknown) => number, `json buffer ${kind}`);
  return codecOverEncodedValue(
    'JSON (Buffer)',
    () => Buffer.from(JSON.stringify(message)),
    (bytes) => checksum(JSON.parse(bytes.toString('utf8'))),
  );
}
