import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeLibrary, realtimeNanos } from '../../src/io/native.js';
import { BufferPool, type BufferPoolOptions } from '../../src/io/pool.js';
import { formatIpv4 } from '../../src/io/ipv4.js';
import { UdpReceiver, type UdpReceiverOptions } from '../../src/io/udp.js';
import { messagesOffset, sharedLength } from '../../src/io/udp-batch-layout.js';
import { openSender, patternedPayload, type Sender } from './fixtures/datagrams.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createPool(options: Partial<BufferPoolOptions> = {}): BufferPool {
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 256, ...options });
  cleanups.push(() => pool.destroy());
  return pool;
}

function openReceiver(pool: BufferPool, options: Partial<UdpReceiverOptions> = {}): UdpReceiver {
  const receiver = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', ...options });
  cleanups.push(() => receiver.close());
  return receiver;
}

async function sender(bindAddress?: string, setup?: (socket: dgram.Socket) => void): Promise<Sender> {
  const opened = await openSender(bindAddress, setup);
  cleanups.push(() => opened.close());
  return opened;
}

interface Received {
  bytes: Uint8Array;
  length: number;
  datagramLength: number;
  truncated: boolean;
  timestampNanos: number;
  source: string;
  sourcePort: number;
}

/** Collects what the receiver reports until `count` datagrams arrived or a wait finds nothing. */
function receiveUpTo(receiver: UdpReceiver, count: number, waitMs = 1000): { datagrams: Received[]; batches: number } {
  const datagrams: Received[] = [];
  let batches = 0;
  while (datagrams.length < count) {
    const received = receiver.receive(waitMs);
    if (received === 0) break;
    batches++;
    for (let i = 0; i < received; i++) {
      const offset = receiver.offset(i);
      datagrams.push({
        bytes: receiver.pool.bytes.slice(offset, offset + receiver.length(i)),
        length: receiver.length(i),
        datagramLength: receiver.datagramLength(i),
        truncated: receiver.isTruncated(i),
        timestampNanos: receiver.timestampNanos(i),
        source: formatIpv4(receiver.sourceAddress(i)),
        sourcePort: receiver.sourcePort(i),
      });
    }
  }
  return { datagrams, batches };
}

describe('udp batch layout', () => {
  it('agrees with the C side on every offset', () => {
    const cMessagesOffset: (capacity: number) => number = nativeLibrary.func('uint32_t zt_udp_messages_offset(uint32_t capacity)');
    const cSharedLength: (capacity: number) => number = nativeLibrary.func('uint32_t zt_udp_shared_length(uint32_t capacity)');
    for (const capacity of [1, 7, 16, 64, 1000, 1024]) {
      expect(messagesOffset(capacity)).toBe(cMessagesOffset(capacity));
      expect(sharedLength(capacity)).toBe(cSharedLength(capacity));
    }
  });
});

describe('UdpReceiver (recvmmsg)', () => {
  it('receives a batch with the right bytes, lengths, source and kernel timestamps', async () => {
    // given
    const receiver = openReceiver(createPool(), { batchSize: 16 });
    const peer = await sender();
    const payloads = Array.from({ length: 40 }, (_, sequence) => patternedPayload(sequence, 20 + sequence * 13));
    const sentAfter = realtimeNanos();

    // when
    await peer.sendAll(payloads, receiver.localPort);
    const { datagrams, batches } = receiveUpTo(receiver, payloads.length);
    const receivedBefore = realtimeNanos();

    // then: all of them, in order, in batches of at most 16
    expect(datagrams.map((d) => d.bytes)).toEqual(payloads);
    expect(batches).toBeGreaterThanOrEqual(3);
    for (const [sequence, datagram] of datagrams.entries()) {
      expect(datagram.length).toBe(payloads[sequence]!.length);
      expect(datagram.datagramLength).toBe(payloads[sequence]!.length);
      expect(datagram.truncated).toBe(false);
      expect(datagram.source).toBe('127.0.0.1');
      expect(datagram.sourcePort).toBe(peer.port);
      // kernel time of arrival: between the first send and the end of the receive, and in order
      expect(datagram.timestampNanos).toBeGreaterThanOrEqual(sentAfter - 1e6);
      expect(datagram.timestampNanos).toBeLessThanOrEqual(receivedBefore + 1e6);
      if (sequence > 0) expect(datagram.timestampNanos).toBeGreaterThanOrEqual(datagrams[sequence - 1]!.timestampNanos);
    }
  });

  it('asks the kernel only for what it was opened for: no receive time with timestamps: false, no source with sourceAddress: false', async () => {
    // given
    const receiver = openReceiver(createPool(), { batchSize: 8, timestamps: false, sourceAddress: false });
    const peer = await sender();
    const payloads = Array.from({ length: 5 }, (_, sequence) => patternedPayload(sequence, 64));

    // when
    await peer.sendAll(payloads, receiver.localPort);
    const received = receiver.receive(1000);

    // then the datagrams arrive as usual, without what was left out
    expect(received).toBe(payloads.length);
    for (let i = 0; i < received; i++) {
      const offset = receiver.offset(i);
      expect(receiver.pool.bytes.slice(offset, offset + receiver.length(i))).toEqual(payloads[i]);
      expect(receiver.timestampNanos(i)).toBe(0);
    }
    expect(receiver.timestamps).toBe(false);
    expect(() => receiver.sourceAddress(0)).toThrow(/sourceAddress: udp 127\.0\.0\.1:\d+ was opened with sourceAddress: false/);
    expect(() => receiver.sourcePort(0)).toThrow(/sourcePort: .* was opened with sourceAddress: false/);
  });

  it('puts each datagram of a batch in its own pool slot, never reused within the batch', async () => {
    const pool = createPool({ slotCount: 64 });
    const receiver = openReceiver(pool, { batchSize: 32 });
    const peer = await sender();
    await peer.sendAll(Array.from({ length: 32 }, (_, i) => patternedPayload(i, 100)), receiver.localPort);

    const received = receiver.receive(1000);
    const slots = Array.from({ length: received }, (_, i) => receiver.slot(i));

    expect(new Set(slots).size).toBe(received);
    expect(slots.every((slot) => pool.isInUse(slot))).toBe(true);
  });

  it('flags a datagram longer than the slot as truncated and keeps the first slotSize bytes', async () => {
    // given slots of 64 bytes
    const receiver = openReceiver(createPool({ slotSize: 64, slotCount: 8 }), { batchSize: 4 });
    const peer = await sender();
    const oversized = patternedPayload(7, 100);

    // when
    await peer.send(oversized, receiver.localPort);
    const [datagram] = receiveUpTo(receiver, 1).datagrams;

    // then
    expect(datagram!.truncated).toBe(true);
    expect(datagram!.length).toBe(64);
    expect(datagram!.datagramLength).toBe(100);
    expect(datagram!.bytes).toEqual(oversized.subarray(0, 64));
  });

  it('returns 0 in busy-poll mode and after the timeout in blocking mode when nothing arrives', () => {
    const receiver = openReceiver(createPool());

    expect(receiver.receive()).toBe(0);
    const waitStarted = performance.now();
    expect(receiver.receive(50)).toBe(0);
    // poll(2) never returns early on a timeout; allow for the two clocks' rounding
    expect(performance.now() - waitStarted).toBeGreaterThanOrEqual(49);
  });

  it('names the call, address and errno when the port is taken', async () => {
    // given a node:dgram socket holding a port without SO_REUSEADDR
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => holder.close());
    const port = holder.address().port;
    const pool = createPool();

    // then
    expect(() => UdpReceiver.open(pool, { port, bindAddress: '127.0.0.1' })).toThrow(
      `bind 127.0.0.1:${port}: EADDRINUSE (Address already in use)`,
    );
    expect(pool.inUseCount).toBe(0);
  });

  it('lets two receivers share a port with SO_REUSEPORT, each datagram going to one of them', async () => {
    // given
    const pool = createPool();
    const first = openReceiver(pool, { reusePort: true, batchSize: 8 });
    const second = openReceiver(pool, { port: first.localPort, reusePort: true, batchSize: 8 });
    const peers = await Promise.all(Array.from({ length: 8 }, () => sender()));

    // when: several flows, which the kernel spreads by their source port
    for (const [i, peer] of peers.entries()) await peer.sendAll([patternedPayload(i, 32), patternedPayload(i, 32)], first.localPort);
    const sources = [...receiveUpTo(first, 16, 100).datagrams, ...receiveUpTo(second, 16, 100).datagrams].map((d) => d.sourcePort);

    // then
    expect(second.localPort).toBe(first.localPort);
    expect(sources.sort()).toEqual(peers.flatMap((peer) => [peer.port, peer.port]).sort());
  });

  it('counts datagrams the kernel dropped when the socket buffer overflowed, as soon as asked', async () => {
    // given a tiny receive buffer that nobody reads
    const receiver = openReceiver(createPool({ slotCount: 2048 }), { receiveBufferBytes: 4096, batchSize: 256 });
    const peer = await sender();
    const sent = 500;

    // when the burst overflows it, and the count is read before and after the socket is drained
    await peer.sendAll(Array.from({ length: sent }, (_, i) => patternedPayload(i, 512)), receiver.localPort);
    const dropsBeforeReading = receiver.kernelDropCount;
    const { datagrams } = receiveUpTo(receiver, sent, 100);

    // then both readings count every datagram that did not fit, and the closed receiver keeps the count
    expect(receiver.receiveBufferBytes).toBe(8192);
    expect(datagrams.length).toBeGreaterThan(0);
    expect(dropsBeforeReading).toBe(sent - datagrams.length);
    expect(receiver.kernelDropCount).toBe(sent - datagrams.length);
    receiver.close();
    expect(receiver.kernelDropCount).toBe(sent - datagrams.length);
  });

  it('counts the drops of each burst, not only the first', async () => {
    // given a socket that has already dropped datagrams
    const receiver = openReceiver(createPool({ slotCount: 2048 }), { receiveBufferBytes: 4096, batchSize: 256 });
    const peer = await sender();
    await peer.sendAll(Array.from({ length: 500 }, (_, i) => patternedPayload(i, 512)), receiver.localPort);
    const first = receiveUpTo(receiver, 500, 100).datagrams.length;
    const dropsAfterFirstBurst = receiver.kernelDropCount;

    // when a second burst overflows it again
    await peer.sendAll(Array.from({ length: 500 }, (_, i) => patternedPayload(i, 512)), receiver.localPort);
    const second = receiveUpTo(receiver, 500, 100).datagrams.length;

    // then
    expect(dropsAfterFirstBurst).toBe(500 - first);
    expect(receiver.kernelDropCount).toBe(1000 - first - second);
  });
});

describe('UdpReceiver receive buffer above net.core.rmem_max', () => {
  const CAP_NET_ADMIN = 12;
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const udpModule = new URL('../../src/io/udp.js', import.meta.url).pathname.replace(/\.js$/, '.ts');
  const poolModule = new URL('../../src/io/pool.js', import.meta.url).pathname.replace(/\.js$/, '.ts');

  function holdsNetAdmin(): boolean {
    const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]!;
    return (BigInt(`0x${effective}`) & (1n << BigInt(CAP_NET_ADMIN))) !== 0n;
  }

  /** What a receiver opened with `receiveBufferBytes` and `forceReceiveBuffer: true` got, in a process without CAP_NET_ADMIN. */
  function openForcedWithoutNetAdmin(receiveBufferBytes: number): { granted: number; forced: boolean } | undefined {
    const script =
      `import { BufferPool } from ${JSON.stringify(poolModule)}; import { UdpReceiver } from ${JSON.stringify(udpModule)};` +
      `const pool = BufferPool.create({ slotSize: 2048, slotCount: 4 });` +
      `const r = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', batchSize: 2, receiveBufferBytes: ${receiveBufferBytes}, forceReceiveBuffer: true });` +
      `console.log('RESULT ' + JSON.stringify({ granted: r.receiveBufferBytes, forced: r.receiveBufferForced })); r.close(); pool.destroy();`;
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
    const command = holdsNetAdmin() ? ['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin', ...node] : node;
    const result = spawnSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout: 30_000 });
    const line = result.stdout?.split('\n').find((output) => output.startsWith('RESULT '));
    return line === undefined ? undefined : JSON.parse(line.slice('RESULT '.length));
  }

  it('is granted by SO_RCVBUFFORCE to a process with CAP_NET_ADMIN (twice the request, as SO_RCVBUF would be)', (context) => {
    if (!holdsNetAdmin()) {
      console.warn('skipped: this process lacks CAP_NET_ADMIN, which SO_RCVBUFFORCE needs');
      context.skip();
      return;
    }
    // given a request above the cap
    const request = rmemMax + 65536;

    // when
    const receiver = openReceiver(createPool({ slotCount: 4 }), { batchSize: 2, receiveBufferBytes: request, forceReceiveBuffer: true });

    // then
    expect(receiver.receiveBufferForced).toBe(true);
    expect(receiver.receiveBufferBytes).toBe(2 * request);
  });

  it('falls back to SO_RCVBUF, capped by net.core.rmem_max, without CAP_NET_ADMIN', (context) => {
    // when a process without the capability forces a request above the cap
    const got = openForcedWithoutNetAdmin(rmemMax + 65536);
    if (got === undefined) {
      console.warn('skipped: setpriv could not drop CAP_NET_ADMIN here');
      context.skip();
      return;
    }

    // then
    expect(got).toEqual({ granted: 2 * rmemMax, forced: false });
  });

  it('is not forced unless asked', () => {
    const receiver = openReceiver(createPool({ slotCount: 4 }), { batchSize: 2, receiveBufferBytes: rmemMax + 65536 });
    expect(receiver.receiveBufferForced).toBe(false);
    expect(receiver.receiveBufferBytes).toBe(2 * rmemMax);
  });
});

describe('UdpReceiver slot ownership', () => {
  it('reuses its slots for the next batch unless a slot is taken', async () => {
    // given
    const pool = createPool({ slotCount: 8 });
    const receiver = openReceiver(pool, { batchSize: 4 });
    const peer = await sender();
    await peer.sendAll([patternedPayload(1, 10), patternedPayload(2, 10)], receiver.localPort);
    expect(receiver.receive(1000)).toBe(2);
    const firstSlots = [receiver.slot(0), receiver.slot(1)];

    // when the caller keeps datagram 0
    const kept = receiver.takeSlot(0);
    await peer.sendAll([patternedPayload(3, 10), patternedPayload(4, 10)], receiver.localPort);
    expect(receiver.receive(1000)).toBe(2);

    // then the kept bytes are untouched, position 0 got a fresh slot, position 1 its old one
    expect(kept).toBe(firstSlots[0]);
    expect(pool.bytes.slice(pool.slotOffset(kept), pool.slotOffset(kept) + 10)).toEqual(patternedPayload(1, 10));
    expect(receiver.slot(0)).not.toBe(kept);
    expect(receiver.slot(1)).toBe(firstSlots[1]);
    expect(() => receiver.takeSlot(2)).toThrow('position=2 (received 2)');
    pool.release(kept);
  });

  it("stops receiving when the pool is empty under 'backpressure' and resumes after a release", async () => {
    // given a pool of 4 slots all handed out by a batch of 4 datagrams that the caller keeps
    const pool = createPool({ slotCount: 4, exhaustionPolicy: 'backpressure' });
    const receiver = openReceiver(pool, { batchSize: 4 });
    const peer = await sender();
    await peer.sendAll(Array.from({ length: 6 }, (_, i) => patternedPayload(i, 16)), receiver.localPort);
    expect(receiver.receive(1000)).toBe(4);
    const kept = [0, 1, 2, 3].map((i) => receiver.takeSlot(i));

    // when
    const whileExhausted = receiver.receive(0);
    pool.release(kept[0]!);
    const afterRelease = receiver.receive(1000);

    // then: nothing was read from the socket while exhausted, one datagram per freed slot after
    expect(whileExhausted).toBe(0);
    expect(pool.exhaustedCount).toBeGreaterThan(0);
    expect(afterRelease).toBe(1);
    expect(pool.bytes.slice(receiver.offset(0), receiver.offset(0) + 16)).toEqual(patternedPayload(4, 16));
    for (const slot of kept.slice(1)) pool.release(slot);
  });

  it("keeps draining the socket and counts what it discards under 'drop'", async () => {
    // given 3 slots: one scratch slot for the receiver, then a batch of 2 the caller keeps
    const pool = createPool({ slotCount: 3, exhaustionPolicy: 'drop' });
    const receiver = openReceiver(pool, { batchSize: 2 });
    const peer = await sender();
    await peer.sendAll([patternedPayload(0, 16), patternedPayload(1, 16)], receiver.localPort);
    expect(receiver.receive(1000)).toBe(2);
    const kept = [receiver.takeSlot(0), receiver.takeSlot(1)];

    // when 2 more arrive while no slot is free
    await peer.sendAll([patternedPayload(2, 16), patternedPayload(3, 16)], receiver.localPort);
    const whileExhausted = receiver.receive(1000);

    // then they were read and discarded, and the socket is empty
    expect(whileExhausted).toBe(0);
    expect(receiver.discardedCount).toBe(2);
    for (const slot of kept) pool.release(slot);
    expect(receiver.receive(0)).toBe(0);
  });

  it('returns its slots to the pool when closed', () => {
    const pool = createPool({ slotCount: 16 });
    const receiver = UdpReceiver.open(pool, { port: 0, batchSize: 8 });
    receiver.receive();
    expect(pool.inUseCount).toBe(8);
    receiver.close();
    expect(pool.inUseCount).toBe(0);
  });
});

describe('UdpReceiver multicast on lo', () => {
  const group = '239.255.70.1';

  /** node:dgram sender that sends multicast out of lo from `bindAddress`. */
  async function multicastSender(bindAddress: string): Promise<Sender> {
    return sender(bindAddress, (socket) => {
      socket.setMulticastInterface(bindAddress);
      socket.setMulticastLoopback(true);
    });
  }

  it('joins a group on a named interface and receives what is sent to it', async () => {
    // given
    const receiver = openReceiver(createPool(), { bindAddress: undefined, multicast: { group, interface: 'lo' } });
    const peer = await multicastSender('127.0.0.1');

    // when
    await peer.sendAll([patternedPayload(1, 50), patternedPayload(2, 60)], receiver.localPort, group);

    // then
    const { datagrams } = receiveUpTo(receiver, 2);
    expect(datagrams.map((d) => d.bytes)).toEqual([patternedPayload(1, 50), patternedPayload(2, 60)]);
    expect(datagrams[0]!.source).toBe('127.0.0.1');
  });

  it('receives only from the named source after a source-specific join', async () => {
    // given one source-specific receiver and one any-source receiver on the same port
    const pool = createPool();
    const specific = openReceiver(pool, { bindAddress: undefined, multicast: { group, interface: 'lo', source: '127.0.0.1' } });
    const anySource = openReceiver(pool, { bindAddress: undefined, port: specific.localPort, multicast: { group, interface: 'lo' } });
    const wanted = await multicastSender('127.0.0.1');
    const other = await multicastSender('127.0.0.2');

    // when both sources send
    await other.send(patternedPayload(9, 40), specific.localPort, group);
    await wanted.send(patternedPayload(1, 40), specific.localPort, group);

    // then
    expect(receiveUpTo(anySource, 2).datagrams.map((d) => d.source).sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(receiveUpTo(specific, 2, 100).datagrams.map((d) => d.source)).toEqual(['127.0.0.1']);
  });

  it('names the interface when it does not exist', () => {
    expect(() => UdpReceiver.open(createPool(), { port: 0, multicast: { group, interface: 'nosuchif0' } })).toThrow(
      'if_nametoindex nosuchif0: ENODEV (No such device)',
    );
  });
});
