/**
 * The copy baseline's feed source (`--io copy`): node:dgram 'message' events, each datagram
 * copied into a buffer of its own and pushed to the handler as it arrives, on a real loopback
 * socket.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DatagramHandler, ReceiveTime } from '../../src/feed/datagram.js';
import { FeedCounters } from '../../src/feed/feed-counters.js';
import { Mdp3Handler } from '../../src/feed/mdp3-handler.js';
import { DgramSource } from '../../src/feed/sources/dgram-source.js';
import { MDEntryTypeBook, MDUpdateAction } from '../../src/generated/mdp3/index.js';
import { realtimeNanos } from '../../src/io/native.js';
import { openSender, patternedPayload } from '../io/fixtures/datagrams.js';
import { Mdp3PacketBuilder } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function opened(url: string, line = 0): Promise<DgramSource> {
  const source = await DgramSource.open(url, { line });
  cleanups.push(() => source.close());
  return source;
}

async function sender(bindAddress?: string, setup?: Parameters<typeof openSender>[1]) {
  const opened = await openSender(bindAddress, setup);
  cleanups.push(() => opened.close());
  return opened;
}

/** Keeps each view it is handed, as it was handed. */
class KeepingHandler implements DatagramHandler {
  readonly datagrams: Array<{ view: DataView; offset: number; length: number; receiveTimeNanos: number; line: number }> = [];
  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    this.datagrams.push({ view, offset, length, receiveTimeNanos: received.nanos, line });
  }

  bytes(): number[][] {
    return this.datagrams.map(({ view, offset, length }) => Array.from({ length }, (_, index) => view.getUint8(offset + index)));
  }
}

/** Lets the event loop turn until `condition` holds (a hang guard, not a timing assertion). */
async function until(what: string, condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('DgramSource', () => {
  it('pushes each datagram, in arrival order, in a buffer of its own, with the time of its event and its line', async () => {
    // given a source for line B, delivering
    const source = await opened('udp://127.0.0.1:0', 1);
    const handler = new KeepingHandler();
    source.deliverTo(handler);
    const payloads = [patternedPayload(1, 3), patternedPayload(2, 1400), patternedPayload(3, 1)];
    const before = realtimeNanos();

    // when three datagrams arrive
    await (await sender()).sendAll(payloads, source.localPort);
    await until('three datagrams', () => handler.datagrams.length === 3);

    // then each arrived whole and in order, and the views kept from the first ones still hold
    // their bytes after the later ones came: every datagram has a copy of its own, exactly its size
    expect(handler.bytes()).toEqual(payloads.map((payload) => Array.from(payload)));
    for (const { view, offset, length, receiveTimeNanos, line } of handler.datagrams) {
      expect([offset, view.byteLength, line]).toEqual([0, length, 1]);
      expect(receiveTimeNanos).toBeGreaterThanOrEqual(before);
      expect(receiveTimeNanos).toBeLessThanOrEqual(realtimeNanos());
    }
    expect(new Set(handler.datagrams.map(({ view }) => view.buffer)).size).toBe(3);
    expect([source.receivedCount, source.droppedCount]).toEqual([3, 0]);
  });

  it('keeps the datagrams that arrive before deliverTo() and hands them over first, in order', async () => {
    const source = await opened('udp://127.0.0.1:0');
    const udp = await sender();
    await udp.sendAll([Uint8Array.of(1), Uint8Array.of(2)], source.localPort);
    await until('the early datagrams', () => source.receivedCount === 2);

    const handler = new KeepingHandler();
    source.deliverTo(handler);
    await udp.send(Uint8Array.of(3), source.localPort);
    await until('the third datagram', () => handler.datagrams.length === 3);

    expect(handler.bytes()).toEqual([[1], [2], [3]]);
  });

  it('hands a bad datagram on like any other: the MDP 3.0 handler counts it and the packets around it still arrive', async () => {
    // given the source feeding the MDP 3.0 handler
    const source = await opened('udp://127.0.0.1:0');
    const counters = new FeedCounters();
    const listener = new RecordingListener();
    const warnings: string[] = [];
    source.deliverTo(new Mdp3Handler({ listener, counters, logger: { warn: (line) => warnings.push(line) } }));
    const packet = (seqNum: number): Uint8Array =>
      new Mdp3PacketBuilder()
        .packet(seqNum)
        .bookRefresh([{ securityId: 1001, action: MDUpdateAction.New, entryType: MDEntryTypeBook.Bid, level: 1, price: 99, quantity: seqNum }])
        .bytes();

    // when a datagram too short for the packet header comes between two good packets
    await (await sender()).sendAll([packet(1), packet(2).slice(0, 8), packet(3)], source.localPort);
    await until('the last packet', () => listener.packetSeqNums().includes(3));

    // then it was counted under its reason and logged, and both good packets were decoded
    expect(counters.truncatedDatagram).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/8 bytes is shorter than its 12-byte packet header/)]);
    expect(listener.packetSeqNums()).toEqual([1, 3]);
  });

  it('joins the multicast group of the URL on its iface, source-specific with source=', async () => {
    // given a source-specific join on lo, and two senders
    const group = '239.255.70.3';
    const source = await opened(`udp://${group}:0?iface=lo&source=127.0.0.1`);
    const handler = new KeepingHandler();
    source.deliverTo(handler);
    const multicastSender = (bindAddress: string) =>
      sender(bindAddress, (socket) => {
        socket.setMulticastInterface(bindAddress);
        socket.setMulticastLoopback(true);
      });
    const other = await multicastSender('127.0.0.2');
    const wanted = await multicastSender('127.0.0.1');

    // when both send to the group, the other first
    await other.send(Uint8Array.of(9), source.localPort, group);
    await wanted.send(Uint8Array.of(1), source.localPort, group);
    await until("the named source's datagram", () => handler.datagrams.length > 0);

    // then only the named source's datagram arrived (the other's, sent first, would have come first)
    expect(handler.bytes()).toEqual([[1]]);
  });

  it('an address that is not this host\'s is an error naming the URL; a URL that is not udp:// is refused', async () => {
    await expect(DgramSource.open('udp://192.0.2.1:0', { line: 0 })).rejects.toThrow(/^feed udp:\/\/192\.0\.2\.1:0: cannot open: .*EADDRNOTAVAIL/);
    await expect(DgramSource.open('shm://ring', { line: 0 })).rejects.toThrow('feed shm://ring: node:dgram reads udp:// feeds only');
  });
});
