/**
 * Feed sources opened by URL hand datagrams in place, with their receive time, to a handler;
 * a capture file ends with -1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatagramHandler, FeedSource, ReceiveTime } from '../../src/feed/datagram.js';
import { openFeedSource } from '../../src/feed/sources/open-feed-source.js';
import type { UdpSource } from '../../src/feed/sources/udp-source.js';
import { realtimeNanos } from '../../src/io/native.js';
import { MissingCapabilityError, PacketRing } from '../../src/io/packet-ring.js';
import { ShmRing, shmRingPath } from '../../src/io/shm-ring.js';
import { openSender } from '../io/fixtures/datagrams.js';

const peerDir = fileURLToPath(new URL('../../../shared/peer/mdp3/', import.meta.url));

/** AF_PACKET needs CAP_NET_RAW: without it the packet:// case is skipped, with the reason printed. */
function packetRingUnavailable(): boolean {
  try {
    PacketRing.open({ interfaceName: 'lo', udpPort: 9 }).close();
    return false;
  } catch (error) {
    if (!(error instanceof MissingCapabilityError)) throw error;
    console.warn(`packet:// source test skipped: ${error.message}`);
    return true;
  }
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function opened(url: string, line = 0): FeedSource {
  const source = openFeedSource(url, { line });
  cleanups.push(() => source.close());
  return source;
}

/** Copies what it is handed (the bytes are only valid during the call). */
class CopyingHandler implements DatagramHandler {
  readonly datagrams: Array<{ bytes: number[]; receiveTimeNanos: number; line: number }> = [];
  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    const bytes = Array.from({ length }, (_, index) => view.getUint8(offset + index));
    this.datagrams.push({ bytes, receiveTimeNanos: received.nanos, line });
  }
}

describe('feed sources', () => {
  it('pcap: hands out every UDP payload with its capture time, then -1', () => {
    const source = opened(`pcap:${path.join(peerDir, 'v1.9-MdIncrementalRefreshTradeSummary.pcap')}`, 1);
    const handler = new CopyingHandler();
    expect(source.poll(handler, 10, 0)).toBe(1);
    expect(source.poll(handler, 10, 0)).toBe(-1);
    expect(source.poll(handler, 10, 0)).toBe(-1);
    const [datagram] = handler.datagrams;
    // MsgSeqNum 884140 in the packet header; captured on 2018-09-12
    expect(new DataView(Uint8Array.from(datagram!.bytes).buffer).getUint32(0, true)).toBe(884140);
    expect(datagram!.receiveTimeNanos).toBeGreaterThan(Date.UTC(2018, 8, 12) * 1e6);
    expect(datagram!.receiveTimeNanos).toBeLessThan(Date.UTC(2018, 8, 13) * 1e6);
    expect(datagram!.line).toBe(1);
  });

  it('pcap: a missing file is an error naming the URL', () => {
    expect(() => openFeedSource('pcap:/nonexistent/feed.pcap')).toThrow(/^feed pcap:\/nonexistent\/feed.pcap: cannot open: .*ENOENT/);
  });

  it('udp: hands out datagrams in place with the kernel receive time', async () => {
    // given
    const source = opened('udp://127.0.0.1:0') as UdpSource;
    const sender = await openSender();
    cleanups.push(() => sender.close());
    const before = realtimeNanos();
    // when
    await sender.sendAll([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)], source.localPort);
    const handler = new CopyingHandler();
    let delivered = 0;
    for (let attempt = 0; attempt < 100 && delivered < 2; attempt++) delivered += source.poll(handler, 1, 10);
    // then: one at a time, as asked, the rest of the batch kept for the next poll
    expect(handler.datagrams.map((datagram) => datagram.bytes)).toEqual([[1, 2, 3], [4, 5]]);
    for (const { receiveTimeNanos } of handler.datagrams) {
      expect(receiveTimeNanos).toBeGreaterThanOrEqual(before - 1e6);
      expect(receiveTimeNanos).toBeLessThanOrEqual(realtimeNanos());
    }
    expect(source.droppedCount).toBe(0);
  });

  it('udp: joins the multicast group of the URL on its iface, source-specific with source=', async () => {
    // given a source-specific join on lo, and two senders
    const group = '239.255.70.2';
    const source = opened(`udp://${group}:0?iface=lo&source=127.0.0.1`) as UdpSource;
    const multicastSender = async (bindAddress: string) => {
      const sender = await openSender(bindAddress, (socket) => {
        socket.setMulticastInterface(bindAddress);
        socket.setMulticastLoopback(true);
      });
      cleanups.push(() => sender.close());
      return sender;
    };
    const other = await multicastSender('127.0.0.2');
    const wanted = await multicastSender('127.0.0.1');
    // when both send to the group
    await other.send(Uint8Array.of(9), source.localPort, group);
    await wanted.send(Uint8Array.of(1), source.localPort, group);
    // then only the named source's datagram arrives
    const handler = new CopyingHandler();
    for (let attempt = 0; attempt < 10; attempt++) source.poll(handler, 10, 10);
    expect(handler.datagrams.map((datagram) => datagram.bytes)).toEqual([[1]]);
  });

  it('udp: skips a datagram larger than its slot and counts it as dropped', async () => {
    const source = openFeedSource('udp://127.0.0.1:0', { slotSize: 64 }) as UdpSource;
    cleanups.push(() => source.close());
    const sender = await openSender();
    cleanups.push(() => sender.close());
    await sender.sendAll([new Uint8Array(100).fill(1), Uint8Array.of(2)], source.localPort);
    const handler = new CopyingHandler();
    for (let attempt = 0; attempt < 100 && handler.datagrams.length < 1; attempt++) source.poll(handler, 10, 10);
    expect(handler.datagrams.map((datagram) => datagram.bytes)).toEqual([[2]]);
    expect([source.truncatedCount, source.droppedCount]).toEqual([1, 1]);
  });

  it('udp: an address that is not this host\'s is an error naming the URL and the call', () => {
    expect(() => openFeedSource('udp://192.0.2.1:0')).toThrow(/^feed udp:\/\/192.0.2.1:0: cannot open: bind .*EADDRNOTAVAIL/);
  });

  it.skipIf(packetRingUnavailable())('packet: hands out UDP payloads from the AF_PACKET ring with the kernel receive time', async () => {
    // given a socket that takes the datagrams (no ICMP errors), and the ring watching its port
    const receiver = await openSender();
    cleanups.push(() => receiver.close());
    receiver.socket.on('message', () => {});
    const source = opened(`packet://lo:${receiver.port}`);
    const sender = await openSender();
    cleanups.push(() => sender.close());
    const before = realtimeNanos();
    // when
    await sender.sendAll([Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5)], receiver.port);
    const handler = new CopyingHandler();
    for (let attempt = 0; attempt < 100 && handler.datagrams.length < 2; attempt++) source.poll(handler, 10, 10);
    // then
    expect(handler.datagrams.map((datagram) => datagram.bytes)).toEqual([[1, 2, 3, 4], [5]]);
    expect(handler.datagrams[0]!.receiveTimeNanos).toBeGreaterThanOrEqual(before - 1e6);
    expect(source.droppedCount).toBe(0);
  });

  it('shm: hands out the records a producer wrote into /dev/shm/zerotick-<name>', () => {
    const name = `feed-test-${process.pid}`;
    const producer = ShmRing.create(shmRingPath(name), 64 * 1024);
    cleanups.push(() => {
      producer.close();
      rmSync(shmRingPath(name)); // close() unmaps; the file would stay in /dev/shm
    });
    const source = opened(`shm://${name}`, 1);
    expect(producer.tryWrite(1, Uint8Array.of(9, 8, 7), 0, 3)).toBe(true);
    expect(producer.tryWrite(1, Uint8Array.of(6), 0, 1)).toBe(true);
    const handler = new CopyingHandler();
    expect(source.poll(handler, 10, 0)).toBe(2);
    expect(source.poll(handler, 10, 5)).toBe(0);
    expect(handler.datagrams.map(({ bytes, line }) => [bytes, line])).toEqual([[[9, 8, 7], 1], [[6], 1]]);
  });

  it('shm: a ring nobody created is an error naming the URL', () => {
    expect(() => openFeedSource('shm://no-such-ring-here')).toThrow(/^feed shm:\/\/no-such-ring-here: cannot open: /);
  });
});
