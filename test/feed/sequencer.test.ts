/**
 * Sequencing of one channel: gap detection with a reorder window (N packets or T us), A/B
 * arbitration, duplicates and late copies. Every datagram is built in the same reused buffer,
 * as a receive slot would be: held packets must have been copied to survive.
 */
import { describe, expect, it } from 'vitest';
import { Mdp3Handler } from '../../src/feed/mdp3-handler.js';
import { Sequencer, type SequencerOptions } from '../../src/feed/sequencer.js';
import { Mdp3PacketBuilder } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';
import { ReceiveTime } from '../../src/feed/datagram.js';

const LINE_A = 0;
const LINE_B = 1;
const MICROS = 1000;

function channel(options: SequencerOptions = {}) {
  const listener = new RecordingListener();
  const handler = new Mdp3Handler({ listener, logger: { warn: () => {} } });
  const sequencer = new Sequencer(handler, handler.counters, { reorderWindowPackets: 3, reorderWindowMicros: 1000, ...options });
  const slot = new Mdp3PacketBuilder();
  /** One datagram per seqNum, its trade price = seqNum so the content proves which packet it was. */
  const send = (seqNum: number, line = LINE_A, receiveTimeNanos = 0): void => {
    slot.packet(seqNum).tradeSummary(7, seqNum, 1);
    sequencer.onDatagram(slot.view, 0, slot.length, ReceiveTime.of(receiveTimeNanos), line);
    slot.buffer.fill(0xee); // the slot is reused: nothing may keep pointing at it
  };
  const tradePrices: number[] = [];
  listener.onBook = (book) => void tradePrices.push(book.lastTradePrice);
  return { listener, handler, sequencer, send, counters: handler.counters, tradePrices };
}

describe('Sequencer', () => {
  it('hands on packets in order as they come', () => {
    const { listener, send, counters } = channel();
    for (const seqNum of [5, 6, 7]) send(seqNum);
    expect(listener.packetSeqNums()).toEqual([5, 6, 7]);
    expect(counters.gaps).toBe(0);
  });

  it('holds a packet that overtook another within the window: no gap, both handed on in order, content intact', () => {
    const { listener, send, counters, tradePrices } = channel();
    send(1);
    send(3);
    expect(listener.packetSeqNums()).toEqual([1]);
    send(2);
    send(4);
    expect(listener.packetSeqNums()).toEqual([1, 2, 3, 4]);
    expect(tradePrices).toEqual([1, 2, 3, 4]); // 3 was decoded from its copy, after its slot was overwritten
    expect(counters.reordered).toBe(1);
    expect(counters.gaps).toBe(0);
    expect(listener.gaps).toEqual([]);
  });

  it('declares a hole lost when a packet beyond the window arrives, then hands on what it held', () => {
    // given a window of 3 packets and packet 2 missing
    const { listener, send, counters } = channel({ reorderWindowPackets: 3 });
    send(1);
    send(3);
    send(4);
    send(5); // 3 past the hole: still within the window
    expect(listener.gaps).toEqual([]);
    // when the 4th packet past the hole arrives
    send(6);
    // then
    expect(listener.gaps).toEqual([{ fromSeqNum: 2, toSeqNum: 2, totalLost: 1 }]);
    expect(listener.packetSeqNums()).toEqual([1, 3, 4, 5, 6]);
    expect([counters.gaps, counters.lostPackets]).toEqual([1, 1]);
  });

  it('declares a hole lost when the packet held behind it has waited the reorder time', () => {
    const { listener, send } = channel({ reorderWindowPackets: 100, reorderWindowMicros: 500 });
    send(1, LINE_A, 0);
    send(3, LINE_A, 100 * MICROS);
    send(4, LINE_A, 400 * MICROS);
    expect(listener.gaps).toEqual([]);
    send(5, LINE_A, 600 * MICROS); // 3 has waited 500 us
    expect(listener.gaps).toEqual([{ fromSeqNum: 2, toSeqNum: 2, totalLost: 1 }]);
    expect(listener.packetSeqNums()).toEqual([1, 3, 4, 5]);
  });

  it('declares a hole lost on expire() when the lines go quiet', () => {
    const { listener, send, sequencer } = channel({ reorderWindowMicros: 500 });
    send(1, LINE_A, 0);
    send(3, LINE_A, 0);
    sequencer.expire(499 * MICROS);
    expect(listener.packetSeqNums()).toEqual([1]);
    sequencer.expire(500 * MICROS);
    expect(listener.gaps).toEqual([{ fromSeqNum: 2, toSeqNum: 2, totalLost: 1 }]);
    expect(listener.packetSeqNums()).toEqual([1, 3]);
  });

  it('reports a jump far past the window as one gap at once', () => {
    const { listener, send } = channel();
    send(1);
    send(100);
    expect(listener.gaps).toEqual([{ fromSeqNum: 2, toSeqNum: 99, totalLost: 98 }]);
    expect(listener.packetSeqNums()).toEqual([1, 100]);
  });

  it('keeps separate holes apart, with the running total of lost packets', () => {
    const { listener, send } = channel({ reorderWindowPackets: 2 });
    for (const seqNum of [1, 3, 5, 6, 7]) send(seqNum);
    expect(listener.gaps).toEqual([
      { fromSeqNum: 2, toSeqNum: 2, totalLost: 1 },
      { fromSeqNum: 4, toSeqNum: 4, totalLost: 2 },
    ]);
    expect(listener.packetSeqNums()).toEqual([1, 3, 5, 6, 7]);
  });

  it('arbitrates A and B: first copy wins, the other copy is dropped and counted', () => {
    // given line A lost packet 3 and line B lags behind A
    const { listener, send, counters } = channel();
    send(1, LINE_A);
    send(2, LINE_A);
    send(1, LINE_B);
    send(4, LINE_A);
    send(2, LINE_B);
    send(3, LINE_B); // recovered from B
    send(4, LINE_B);
    // then each packet went on once, in order, with the line that brought it first
    expect(listener.messages.map((message) => [message.seqNum, message.line])).toEqual([
      [1, LINE_A], [2, LINE_A], [3, LINE_B], [4, LINE_A],
    ]);
    expect(counters.duplicates).toBe(3);
    expect(counters.gaps).toBe(0);
    expect([counters.lineAPackets, counters.lineBPackets]).toEqual([3, 4]);
  });

  it('counts a repeat of a packet it is holding as a duplicate', () => {
    const { listener, send, counters } = channel();
    send(1);
    send(3, LINE_A);
    send(3, LINE_B);
    send(2);
    expect(listener.packetSeqNums()).toEqual([1, 2, 3]);
    expect(counters.duplicates).toBe(1);
  });

  it('counts a copy of a packet already declared lost as late, not as a duplicate', () => {
    const { send, counters } = channel();
    send(1);
    send(10);
    send(5, LINE_B);
    expect([counters.lateCopies, counters.duplicates]).toEqual([1, 0]);
  });

  it('passes a datagram too short for a MsgSeqNum on unsequenced, for the handler to count', () => {
    const { sequencer, counters } = channel();
    sequencer.onDatagram(new DataView(new ArrayBuffer(3)), 0, 3, ReceiveTime.of(0), LINE_A);
    expect([counters.unsequenced, counters.truncatedDatagram]).toEqual([1, 1]);
  });

  it('follows a channel that starts its MsgSeqNum over at 1', () => {
    const { listener, send, counters } = channel({ reorderWindowPackets: 3 });
    for (let seqNum = 1; seqNum <= 10; seqNum++) send(seqNum, LINE_A, seqNum * MICROS);
    send(1, LINE_A, 2_000_000 * MICROS);
    send(2, LINE_A, 2_000_001 * MICROS);
    expect(listener.packetSeqNums()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]);
    expect([counters.sequenceResets, counters.duplicates, counters.gaps]).toEqual([1, 0, 0]);
  });

  it("takes the other line's late copy of packet 1 for a duplicate, not a restart", () => {
    const { listener, send, counters } = channel({ reorderWindowPackets: 3 });
    for (let seqNum = 1; seqNum <= 10; seqNum++) send(seqNum, LINE_A, seqNum * MICROS);
    send(1, LINE_B, 20 * MICROS);
    expect(listener.packetSeqNums()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([counters.sequenceResets, counters.duplicates]).toEqual([0, 1]);
  });

  it('starts over after reset()', () => {
    const { listener, send, sequencer } = channel();
    send(50);
    sequencer.reset();
    send(1);
    expect(listener.packetSeqNums()).toEqual([50, 1]);
    expect(listener.gaps).toEqual([]);
  });

  it('refuses a window it cannot keep, naming the value', () => {
    expect(() => channel({ reorderWindowPackets: 0 })).toThrow('reorderWindowPackets=0');
  });
});
