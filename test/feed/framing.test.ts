import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gcRunsDuring } from '../support/gc-runs.js';
import {
  B3_PACKET_HEADER_LENGTH,
  b3ChannelNumber,
  b3SendingTimeBigInt,
  b3SequenceNumber,
  b3SequenceVersion,
  createB3Cursor,
} from '../../src/feed/framing/b3.js';
import {
  FRAME_END,
  FRAME_ERR_ENCODING_TYPE,
  FRAME_ERR_SHORT_FRAME_HEADER,
  FRAME_ERR_SHORT_PACKET,
  FRAME_ERR_SIZE_OVERRUN,
  FRAME_ERR_SIZE_TOO_SMALL,
  FRAME_MESSAGE,
  type FrameCursor,
  describeFrameError,
} from '../../src/feed/framing/framing.js';
import {
  MDP3_PACKET_HEADER_LENGTH,
  createMdp3Cursor,
  mdp3MsgSeqNum,
  mdp3MsgSize,
  mdp3SendingTime,
  mdp3SendingTimeBigInt,
} from '../../src/feed/framing/mdp3.js';
import { SOFH_ENCODING_CME_SBE, SOFH_ENCODING_SBE_LITTLE_ENDIAN, createSofhCursor } from '../../src/feed/framing/sofh.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';

const mdp3Directory = new URL('../../../shared/peer/mdp3/', import.meta.url);
const captures = readdirSync(mdp3Directory).filter((name) => name.endsWith('.pcap'));

/** Every message a cursor finds in one datagram, then the result that stopped it. */
function messagesOf(cursor: FrameCursor, bytes: Uint8Array, offset = 0, length = bytes.byteLength - offset) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: Array<{ offset: number; length: number }> = [];
  let result = cursor.wrap(view, offset, length);
  if (result !== FRAME_END) return { messages, result };
  while ((result = cursor.next()) === FRAME_MESSAGE) {
    messages.push({ offset: cursor.messageOffset, length: cursor.messageLength });
  }
  return { messages, result };
}

/** Little-endian bytes from [value, width] pairs. */
function le(...fields: Array<[number | bigint, 1 | 2 | 4 | 8]>): number[] {
  return fields.flatMap(([value, width]) => {
    const bytes = new Uint8Array(width);
    const view = new DataView(bytes.buffer);
    if (width === 1) view.setUint8(0, Number(value));
    if (width === 2) view.setUint16(0, Number(value), true);
    if (width === 4) view.setUint32(0, Number(value), true);
    if (width === 8) view.setBigUint64(0, BigInt(value), true);
    return [...bytes];
  });
}

const sbeMessage = (fill: number, length: number) => new Array<number>(length).fill(fill);

describe('mdp3 framing', () => {
  it.each(captures)('splits every datagram of %s into messages whose MsgSizes add up to it exactly', (name) => {
    // given a real CME capture
    const reader = CaptureReader.open(new URL(name, mdp3Directory).pathname);
    const datagram = new UdpDatagram();
    const cursor = createMdp3Cursor();
    let datagrams = 0;

    while (reader.next(datagram)) {
      datagrams++;
      // when
      expect(cursor.wrap(reader.view, datagram.payloadOffset, datagram.payloadLength)).toBe(FRAME_END);
      let sizes = 0;
      let result;
      while ((result = cursor.next()) === FRAME_MESSAGE) {
        // then each message is MsgSize - 2 bytes behind its MsgSize, and starts with an SBE header for schema 1 v9
        expect(cursor.messageLength).toBe(mdp3MsgSize(reader.view, cursor.frameOffset) - 2);
        expect(reader.view.getUint16(cursor.messageOffset + 4, true)).toBe(1); // schemaId
        expect(reader.view.getUint16(cursor.messageOffset + 6, true)).toBe(9); // version
        sizes += cursor.messageLength + 2;
      }
      expect(result).toBe(FRAME_END);
      expect(MDP3_PACKET_HEADER_LENGTH + sizes).toBe(datagram.payloadLength);
    }
    expect(datagrams).toBeGreaterThan(0);
  });

  it('reads the packet header of a real capture', () => {
    const reader = CaptureReader.open(new URL('v1.9-MdIncrementalRefreshBook.pcap', mdp3Directory).pathname);
    const datagram = new UdpDatagram();
    reader.next(datagram);
    const packet = datagram.payloadOffset;

    expect(mdp3MsgSeqNum(reader.view, packet)).toBe(1_028_095);
    expect(mdp3SendingTimeBigInt(reader.view, packet)).toBe(0x1553ab90aa5dbc80n);
    // the number form is the nearest double: exact to the microsecond here
    expect(Math.abs(mdp3SendingTime(reader.view, packet) - Number(0x1553ab90aa5dbc80n))).toBeLessThan(1000);
  });

  it('reports a MsgSize running past the datagram with its offset, after handing out the good messages', () => {
    // given a packet at offset 100 of a larger buffer: one 10-byte message, then a MsgSize of 500
    const packet = [...le([7, 4], [1n, 8]), ...le([10, 2]), ...sbeMessage(0xaa, 8), ...le([500, 2]), ...sbeMessage(0xbb, 8)];
    const buffer = Uint8Array.from([...new Array<number>(100).fill(0), ...packet]);
    const cursor = createMdp3Cursor();

    // when
    const { messages, result } = messagesOf(cursor, buffer, 100);

    // then
    expect(messages).toEqual([{ offset: 114, length: 8 }]);
    expect(result).toBe(FRAME_ERR_SIZE_OVERRUN);
    expect(cursor.errorOffset).toBe(122);
    expect(describeFrameError(cursor)).toBe('mdp3: MsgSize 500 runs past the end of the datagram (10 bytes left) at byte offset 122');
    expect(cursor.next()).toBe(FRAME_END); // the datagram is abandoned: nothing further can be located
  });

  it('reports a packet shorter than its header, a MsgSize smaller than itself and a dangling byte', () => {
    const cursor = createMdp3Cursor();

    expect(messagesOf(cursor, Uint8Array.from(le([1, 4], [2, 4]))).result).toBe(FRAME_ERR_SHORT_PACKET);
    expect(describeFrameError(cursor)).toBe('mdp3 packet of 8 bytes is shorter than its 12-byte packet header at byte offset 0');

    expect(messagesOf(cursor, Uint8Array.from([...le([1, 4], [2n, 8]), ...le([1, 2])])).result).toBe(FRAME_ERR_SIZE_TOO_SMALL);
    expect(describeFrameError(cursor)).toBe('mdp3: MsgSize 1 is smaller than its own 2-byte header at byte offset 12');

    const dangling = messagesOf(cursor, Uint8Array.from([...le([1, 4], [2n, 8]), ...le([4, 2]), 9, 9, 0]));
    expect(dangling.messages).toEqual([{ offset: 14, length: 2 }]);
    expect(dangling.result).toBe(FRAME_ERR_SHORT_FRAME_HEADER);
    expect(cursor.errorOffset).toBe(16);
  });

  it('allocates nothing per packet: no garbage collection over 1M framed packets', async () => {
    // given a 3-message packet
    const packet = Uint8Array.from([
      ...le([1, 4], [2n, 8]),
      ...le([20, 2]), ...sbeMessage(1, 18),
      ...le([30, 2]), ...sbeMessage(2, 28),
      ...le([12, 2]), ...sbeMessage(3, 10),
    ]);
    const view = new DataView(packet.buffer);
    const cursor = createMdp3Cursor();
    const frameAll = () => {
      let total = 0;
      for (let i = 0; i < 1_000_000; i++) {
        cursor.wrap(view, 0, packet.byteLength);
        total += mdp3MsgSeqNum(view, cursor.packetOffset) + mdp3SendingTime(view, cursor.packetOffset);
        while (cursor.next() === FRAME_MESSAGE) total += cursor.messageLength;
      }
      return total;
    };
    frameAll();

    // when / then
    expect((await gcRunsDuring(() => {
      frameAll();
    })).gcRuns).toBe(0);
  });
});

describe('sofh framing', () => {
  it('splits frames of either little-endian SBE encoding type', () => {
    // given a CME iLink 3 frame and a FIX SBE-LE frame, back to back
    const bytes = Uint8Array.from([
      ...le([4 + 12, 2], [SOFH_ENCODING_CME_SBE, 2]), ...sbeMessage(1, 12),
      ...le([4 + 9, 2], [SOFH_ENCODING_SBE_LITTLE_ENDIAN, 2]), ...sbeMessage(2, 9),
    ]);

    // when / then
    expect(messagesOf(createSofhCursor(), bytes)).toEqual({
      messages: [{ offset: 4, length: 12 }, { offset: 20, length: 9 }],
      result: FRAME_END,
    });
  });

  it('rejects a big-endian or foreign encoding type, and a length below the header, with the offset', () => {
    const cursor = createSofhCursor();
    const bigEndianSbe = Uint8Array.from([...le([4 + 8, 2], [SOFH_ENCODING_CME_SBE, 2]), ...sbeMessage(1, 8), ...le([12, 2], [0x5be0, 2]), ...sbeMessage(2, 8)]);

    const first = messagesOf(cursor, bigEndianSbe);
    expect(first.messages).toEqual([{ offset: 4, length: 8 }]);
    expect(first.result).toBe(FRAME_ERR_ENCODING_TYPE);
    expect(describeFrameError(cursor)).toBe('sofh: encoding type 0x5be0 is not little-endian SBE at byte offset 12');

    expect(messagesOf(cursor, Uint8Array.from(le([3, 2], [SOFH_ENCODING_CME_SBE, 2]))).result).toBe(FRAME_ERR_SIZE_TOO_SMALL);
    expect(describeFrameError(cursor)).toBe('sofh: Message_Length 3 is smaller than its own 4-byte header at byte offset 0');
  });
});

describe('b3 framing', () => {
  const header = le([7, 1], [0, 1], [3, 2], [123_456, 4], [1_700_000_000_123_456_789n, 8]);

  it('reads the packet header and splits the framed messages', () => {
    // given
    const bytes = Uint8Array.from([
      ...header,
      ...le([4 + 10, 2], [0xeb50, 2]), ...sbeMessage(1, 10),
      ...le([4 + 16, 2], [0xeb50, 2]), ...sbeMessage(2, 16),
    ]);
    const view = new DataView(bytes.buffer);
    const cursor = createB3Cursor();

    // when
    const { messages, result } = messagesOf(cursor, bytes);

    // then
    expect([b3ChannelNumber(view, 0), b3SequenceVersion(view, 0), b3SequenceNumber(view, 0)]).toEqual([7, 3, 123_456]);
    expect(b3SendingTimeBigInt(view, 0)).toBe(1_700_000_000_123_456_789n);
    expect(messages).toEqual([
      { offset: B3_PACKET_HEADER_LENGTH + 4, length: 10 },
      { offset: B3_PACKET_HEADER_LENGTH + 18, length: 16 },
    ]);
    expect(result).toBe(FRAME_END);
  });

  it('reports a messageLength past the datagram and a foreign encoding type with their offsets', () => {
    const cursor = createB3Cursor();

    const overrun = Uint8Array.from([...header, ...le([4 + 10, 2], [0xeb50, 2]), ...sbeMessage(1, 9)]);
    expect(messagesOf(cursor, overrun).result).toBe(FRAME_ERR_SIZE_OVERRUN);
    expect(describeFrameError(cursor)).toBe('b3: messageLength 14 runs past the end of the datagram (13 bytes left) at byte offset 16');

    const cme = Uint8Array.from([...header, ...le([4 + 10, 2], [SOFH_ENCODING_CME_SBE, 2]), ...sbeMessage(1, 10)]);
    expect(messagesOf(cursor, cme).result).toBe(FRAME_ERR_ENCODING_TYPE);
    expect(cursor.errorOffset).toBe(16);
  });
});

