/**
 * Bad input: every reason a datagram or message is refused is counted under its name, logged at
 * most once per reason per second, and never reaches a book or the listener; the handler never
 * throws and never reads past the datagram (each datagram is handed over in a buffer of exactly
 * its own length, so a read past it would throw a RangeError out of onDatagram).
 */
import { describe, expect, it } from 'vitest';
import { BAD_INPUT_REASONS, type BadInputReason } from '../../src/feed/feed-counters.js';
import { Mdp3Handler } from '../../src/feed/mdp3-handler.js';
import {
  MDEntryTypeBook,
  MDIncrementalRefreshBook46Decoder,
  MDIncrementalRefreshBook46NoMDEntriesDecoder,
  MDIncrementalRefreshTradeSummary48Decoder,
  MDUpdateAction,
  SnapshotFullRefresh52Decoder,
} from '../../src/generated/mdp3/index.js';
import { MDEntryType, Mdp3PacketBuilder } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';
import { ReceiveTime } from '../../src/feed/datagram.js';

const ES = 1001;
const MSG_SIZE_LENGTH = 2;
const BLOCK_LENGTH_AT = MSG_SIZE_LENGTH + 0;
const TEMPLATE_ID_AT = MSG_SIZE_LENGTH + 2;
const SCHEMA_ID_AT = MSG_SIZE_LENGTH + 4;
/** Where numInGroup of a message's NoMDEntries sits: MsgSize, SBE header, the block, then the group header (blockLength u16, numInGroup u8). */
const numInGroupAt = (blockLength: number): number => MSG_SIZE_LENGTH + 8 + blockLength + MDIncrementalRefreshBook46NoMDEntriesDecoder.HEADER_SIZE - 1;

/** The packet, with the NoMDEntries of its message `index` (whose block is `blockLength` long) counting entries past the message's end. */
function entriesPastEnd(packet: Mdp3PacketBuilder, index: number, blockLength: number): Uint8Array {
  packet.view.setUint8(packet.messageOffset(index) + numInGroupAt(blockLength), 200);
  return packet.bytes();
}

/** A good packet: a trade, then a book update (message 1), each a whole matching event. */
function goodPacket(seqNum = 1): Mdp3PacketBuilder {
  return new Mdp3PacketBuilder()
    .packet(seqNum)
    .tradeSummary(ES, 100, 1)
    .bookRefresh([{ securityId: ES, action: MDUpdateAction.New, entryType: MDEntryTypeBook.Bid, level: 1, price: 99, quantity: 5 }]);
}

function exactly(bytes: Uint8Array): DataView {
  return new DataView(bytes.slice().buffer);
}

const CASES: Array<{ reason: BadInputReason; what: string; datagram: () => Uint8Array; logged: RegExp }> = [
  {
    reason: 'truncatedDatagram',
    what: 'a datagram shorter than the packet header',
    datagram: () => goodPacket().bytes().slice(0, 8),
    logged: /8 bytes is shorter than its 12-byte packet header/,
  },
  {
    reason: 'truncatedMessage',
    what: 'one trailing byte after the last message',
    datagram: () => goodPacket().raw([0x07]).bytes(),
    logged: /1 trailing bytes are too few/,
  },
  {
    reason: 'truncatedMessage',
    what: 'a MsgSize too small for the SBE header',
    datagram: () => goodPacket().raw([5, 0, 1, 2, 3]).bytes(),
    logged: /fewer bytes than the 8-byte SBE message header/,
  },
  {
    reason: 'msgSizePastEnd',
    what: 'a MsgSize running past the end of the datagram',
    datagram: () => {
      const packet = goodPacket();
      packet.view.setUint16(packet.messageOffset(1), 500, true);
      return packet.bytes();
    },
    logged: /MsgSize 500 runs past the end of the datagram/,
  },
  {
    reason: 'wrongSchemaId',
    what: 'an SBE header of another schema',
    datagram: () => {
      const packet = goodPacket();
      packet.view.setUint16(packet.messageOffset(1) + SCHEMA_ID_AT, 7, true);
      return packet.bytes();
    },
    logged: /schemaId 7.*has schemaId 1/,
  },
  {
    reason: 'shortBlockLength',
    what: "a blockLength smaller than the schema's",
    datagram: () => {
      const packet = goodPacket();
      packet.view.setUint16(packet.messageOffset(1) + BLOCK_LENGTH_AT, 9, true);
      return packet.bytes();
    },
    logged: /blockLength 9.*MDIncrementalRefreshBook46 has blockLength 11/,
  },
  {
    reason: 'decodeError',
    what: 'a group count whose entries run past the message (decoder bounds error)',
    datagram: () => entriesPastEnd(goodPacket(), 1, MDIncrementalRefreshBook46Decoder.BLOCK_LENGTH),
    logged: /MDIncrementalRefreshBook46\.NoMDEntries/,
  },
  // Every template's groups are checked, not only the first message's or the book update's.
  {
    reason: 'decodeError',
    what: 'a trade summary whose entries run past the message',
    datagram: () => entriesPastEnd(goodPacket(), 0, MDIncrementalRefreshTradeSummary48Decoder.BLOCK_LENGTH),
    logged: /MDIncrementalRefreshTradeSummary48\.NoMDEntries/,
  },
  {
    reason: 'decodeError',
    what: 'a snapshot, after good messages, whose entries run past the message',
    datagram: () => {
      const withSnapshot = goodPacket().snapshot(ES, [{ entryType: MDEntryType.Bid, level: 1, price: 100, quantity: 10 }]);
      return entriesPastEnd(withSnapshot, 2, SnapshotFullRefresh52Decoder.BLOCK_LENGTH);
    },
    logged: /SnapshotFullRefresh52\.NoMDEntries/,
  },
];

function newHandler(clock = { now: 0 }): { handler: Mdp3Handler; listener: RecordingListener; warnings: string[] } {
  const listener = new RecordingListener();
  const warnings: string[] = [];
  const handler = new Mdp3Handler({ listener, logger: { warn: (line) => warnings.push(line) }, clockMs: () => clock.now });
  return { handler, listener, warnings };
}

describe('bad input', () => {
  it.each(CASES)('$reason: $what is counted, logged and skipped whole', ({ reason, datagram, logged }) => {
    // given
    const { handler, listener, warnings } = newHandler();
    const bytes = datagram();
    // when
    handler.onDatagram(exactly(bytes), 0, bytes.length, ReceiveTime.of(0), 0);
    // then
    expect(handler.counters[reason]).toBe(1);
    expect(handler.counters.badInputTotal()).toBe(1);
    expect(listener.messages).toEqual([]); // not even the good trade before the bad message
    expect(handler.book(ES)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^${reason}: datagram skipped \\(line A`));
    expect(warnings[0]).toMatch(logged);
  });

  it('names every reason it counts', () => {
    expect(new Set(CASES.map((testCase) => testCase.reason))).toEqual(new Set(BAD_INPUT_REASONS.filter((reason) => reason !== 'unknownTemplate')));
  });

  it('unknownTemplate: skips that message alone and dispatches the others', () => {
    const { handler, listener, warnings } = newHandler();
    const packet = goodPacket();
    packet.view.setUint16(packet.messageOffset(0) + TEMPLATE_ID_AT, 99, true);
    handler.onDatagram(exactly(packet.bytes()), 0, packet.length, ReceiveTime.of(0), 0);
    expect(handler.counters.unknownTemplate).toBe(1);
    expect(listener.messages.map((message) => message.templateId)).toEqual([46]);
    expect(warnings).toEqual([expect.stringMatching(/^unknownTemplate: templateId 99 is not in schemas\/mdp3.xml; message skipped \(seq 1, SBE header at byte 14\)/)]);
  });

  it('logs at most one line per reason per second, then says how many it held back', () => {
    // given
    const clock = { now: 0 };
    const { handler, warnings } = newHandler(clock);
    const short = new Uint8Array(4);
    const send = (): void => handler.onDatagram(exactly(short), 0, short.length, ReceiveTime.of(0), 0);
    // when three arrive in the same second, then one more a second later
    send();
    clock.now = 500;
    send();
    send();
    clock.now = 1000;
    send();
    // then
    expect(handler.counters.truncatedDatagram).toBe(4);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/\(2 more since the last report\)$/);
  });

  it('checks the templates the listener does not handle all the same', () => {
    // given a listener that handles book updates only
    const listener = new RecordingListener();
    listener.handlesMessage = (templateId) => templateId === MDIncrementalRefreshBook46Decoder.TEMPLATE_ID;
    const handler = new Mdp3Handler({ listener, logger: { warn: () => {} } });
    // when the trade summary in front of the book update is bad
    const bad = CASES.find((testCase) => testCase.what.startsWith('a trade summary'))!.datagram();
    handler.onDatagram(exactly(bad), 0, bad.length, ReceiveTime.of(0), 0);
    // then the whole datagram is refused, the good book update with it
    expect(handler.counters.decodeError).toBe(1);
    expect(listener.messages).toEqual([]);
    expect(handler.book(ES)).toBeUndefined();
  });

  it('goes on with the next good datagram after a bad one', () => {
    const { handler, listener } = newHandler();
    const bad = CASES.find((testCase) => testCase.reason === 'decodeError')!.datagram();
    handler.onDatagram(exactly(bad), 0, bad.length, ReceiveTime.of(0), 0);
    const good = goodPacket(2).bytes();
    handler.onDatagram(exactly(good), 0, good.length, ReceiveTime.of(0), 0);
    expect(listener.messages.map((message) => [message.templateId, message.seqNum])).toEqual([[48, 2], [46, 2]]);
    expect(handler.book(ES)!.bids.price(0)).toBe(99);
  });

  it('counts a listener that throws, skips the rest of that datagram and goes on', () => {
    const { handler, listener, warnings } = newHandler();
    listener.onMessage = () => {
      throw new Error('strategy bug');
    };
    const good = goodPacket().bytes();
    expect(() => handler.onDatagram(exactly(good), 0, good.length, ReceiveTime.of(0), 0)).not.toThrow();
    expect(handler.counters.listenerError).toBe(1);
    expect(warnings[0]).toMatch(/^listenerError: .*strategy bug/);
  });
});
