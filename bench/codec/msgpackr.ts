/**
 * msgpackr: plain MessagePack maps (pack/unpack), and msgpackr's record extension, where the
 * object structures are shared once between packer and unpacker (as a feed would agree on them
 * out of band) and each message carries only a record id and the values.
 */
import { Packr, Unpackr } from 'msgpackr';
import { contentChecksums, contents } from './content.js';
import { codecOverEncodedValue, type Codec, type MessageKind } from './codec.js';
import { monomorphicCopy } from '../lib/monomorphic-copy.js';


export function createMsgpackrCodec(kind: MessageKind): Codec {
  const message = contents[kind];
  const checksum = monomorphicCopy(contentChecksums[kind] as (value: unknown) => number, `msgpackr maps ${kind}`);
  const packr = new Packr({ useRecords: false });
  return codecOverEncodedValue(
    'msgpackr',
    () => packr.pack(message),
    (bytes) => checksum(packr.unpack(bytes)),
  );
}

export function createMsgpackrRecordsCodec(kind: MessageKind): Codec {
  const message = contents[kind];
  const checksum = monomorphicCopy(contentChecksums[kind] as (value: unknown) => number, `msgpackr records ${kind}`);
  const structures: object[] = [];
  const packr = new Packr({ structures });
  const unpackr = new Unpackr({ structures });
  packr.pack(message); // defines the record structures: later messages only refer to them
  return codecOverEncodedValue(
    'msgpackr (records)',
    () => packr.pack(message),
    (bytes) => checksum(unpackr.unpack(bytes)),
  );
}
