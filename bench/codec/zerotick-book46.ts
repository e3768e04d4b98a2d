/**
 * zerotick's codec of MDIncrementalRefreshBook46: the generated flyweights over one DataView,
 * made once. Decode wraps the header and message, walks NoMDEntries with the reused group
 * flyweight and reads every field; encode writes header, block and both groups (NoOrderIDEntries
 * empty, as a book update without order detail is sent).
 */
import {
  MDIncrementalRefreshBook46Decoder,
  MDIncrementalRefreshBook46Encoder,
  MessageHeaderDecoder,
  MessageHeaderEncoder,
} from '../build/generated/mdp3/mdp3.js';
import { book46, TRANSACT_TIME_BASE_NS } from './content.js';
import type { Codec } from './codec.js';

const BUFFER_BYTES = 512;

export function createZerotickBook46Codec(): Codec {
  const view = new DataView(new ArrayBuffer(BUFFER_BYTES));
  const headerEncoder = new MessageHeaderEncoder();
  const encoder = new MDIncrementalRefreshBook46Encoder();
  const headerDecoder = new MessageHeaderDecoder();
  const decoder = new MDIncrementalRefreshBook46Decoder();

  const encode = (): number => {
    encoder.wrapAndApplyHeader(view, 0, headerEncoder);
    encoder.transactTime(book46.transactTime);
    encoder.matchEventIndicator().rawValue(book46.matchEventIndicator);
    const entries = book46.noMDEntries;
    const group = encoder.noMDEntriesCount(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      group.next();
      group.mDEntryPx().mantissa(entry.mdEntryPx);
      group
        .mDEntrySize(entry.mdEntrySize)
        .securityID(entry.securityId)
        .rptSeq(entry.rptSeq)
        .numberOfOrders(entry.numberOfOrders)
        .mDPriceLevel(entry.mdPriceLevel)
        .mDUpdateAction(entry.mdUpdateAction)
        .mDEntryType(entry.mdEntryType);
    }
    encoder.noOrderIDEntriesCount(0);
    return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
  };

  const encodedLength = encode();
  const bytes = new DataView(view.buffer.slice(0, encodedLength));

  const decode = (): number => {
    decoder.wrapAndApplyHeader(bytes, 0, headerDecoder);
    let sum = decoder.transactTime() - TRANSACT_TIME_BASE_NS + decoder.matchEventIndicator().rawValue();
    for (const entry = decoder.noMDEntries(); entry.hasNext(); ) {
      entry.next();
      sum += entry.mDEntryPx().mantissa() + entry.mDEntrySize() + entry.securityID() + entry.rptSeq();
      sum += entry.numberOfOrders() + entry.mDPriceLevel() + entry.mDUpdateAction() + entry.mDEntryType();
    }
    return (sum * 1024) | 0; // the checksum fold: see content.ts
  };

  return { name: 'zerotick', encodedLength, encoded: new Uint8Array(bytes.buffer), encode, decode };
}
