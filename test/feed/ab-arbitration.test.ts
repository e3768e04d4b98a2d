/**
 * A/B line arbitration through real sockets: two udp:// sources on loopback feeding one channel.
 * Line A loses packet 3 and repeats packet 4; line B carries everything. The strategy side must
 * see each packet once, in order, with no gap.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FeedChannel } from '../../src/feed/feed-channel.js';
import type { UdpSource } from '../../src/feed/sources/udp-source.js';
import { openSender, type Sender } from '../io/fixtures/datagrams.js';
import { Mdp3PacketBuilder } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function datagram(seqNum: number): Uint8Array {
  return new Mdp3PacketBuilder().packet(seqNum).tradeSummary(7, seqNum, 1).bytes();
}

async function pollUntil(channel: FeedChannel, done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !done(); attempt++) {
    channel.poll(16, 10);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('A/B arbitration over two loopback UDP sources', () => {
  it('recovers a packet lost on A from B and drops the duplicates', async () => {
    // given a channel on two loopback ports
    const listener = new RecordingListener();
    const channel = FeedChannel.open({
      urls: ['udp://127.0.0.1:0', 'udp://127.0.0.1:0'],
      listener,
      logger: { warn: (line) => expect.unreachable(line) },
      // Generous: the test is about arbitration, not about how long the sender takes.
      sequencing: { reorderWindowMicros: 30_000_000 },
    });
    cleanups.push(() => channel.close());
    const [lineA, lineB] = channel.sources as UdpSource[];
    const sender: Sender = await openSender();
    cleanups.push(() => sender.close());

    // when A brings 1, 2, 4, 4, 5 (3 lost, 4 twice) and B brings 1..5
    await sender.sendAll([1, 2, 4, 4, 5].map(datagram), lineA!.localPort);
    await sender.sendAll([1, 2, 3, 4, 5].map(datagram), lineB!.localPort);
    await pollUntil(channel, () => listener.packetSeqNums().length === 5 && channel.counters.lineBPackets === 5);

    // then each packet reached the listener once, in order; 3 came from B
    expect(listener.messages.map((message) => [message.seqNum, message.line])).toEqual([
      [1, 0], [2, 0], [3, 1], [4, 0], [5, 0],
    ]);
    expect(listener.gaps).toEqual([]);
    const counters = channel.counters;
    expect([counters.lineAPackets, counters.lineBPackets]).toEqual([5, 5]);
    // A's second 4, and B's copies of 1, 2, 4, 5
    expect(counters.duplicates).toBe(5);
    expect(counters.gaps).toBe(0);
    expect(counters.packets).toBe(5);
    expect(lineA!.droppedCount + lineB!.droppedCount).toBe(0);
  });

  it('reports a gap when both lines lost the packet', async () => {
    const listener = new RecordingListener();
    const channel = FeedChannel.open({
      urls: ['udp://127.0.0.1:0', 'udp://127.0.0.1:0'],
      listener,
      logger: { warn: () => {} },
      sequencing: { reorderWindowPackets: 2, reorderWindowMicros: 30_000_000 },
    });
    cleanups.push(() => channel.close());
    const [lineA, lineB] = channel.sources as UdpSource[];
    const sender = await openSender();
    cleanups.push(() => sender.close());

    await sender.sendAll([1, 2, 4, 5, 6].map(datagram), lineA!.localPort);
    await sender.sendAll([1, 2, 4, 5, 6].map(datagram), lineB!.localPort);
    await pollUntil(channel, () => channel.counters.lineBPackets === 5);

    expect(listener.gaps).toEqual([{ fromSeqNum: 3, toSeqNum: 3, totalLost: 1 }]);
    expect(listener.packetSeqNums()).toEqual([1, 2, 4, 5, 6]);
    // B's 4 and 5 came after 3 was given up: they are plain duplicates of delivered packets
    expect(channel.counters.duplicates).toBe(5);
  });
});
