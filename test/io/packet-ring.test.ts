import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realtimeNanos } from '../../src/io/native.js';
import { PacketRing, type PacketRingOptions, type TpacketVersion } from '../../src/io/packet-ring.js';
import { missingPacketRingCapability } from './fixtures/packet-ring-capability.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const packetRingModule = fileURLToPath(new URL('../../src/io/packet-ring.ts', import.meta.url));

const skipReason = missingPacketRingCapability();
if (skipReason !== undefined) console.warn(`packet ring tests on lo skipped: ${skipReason}`);

/** A UDP socket on 127.0.0.1 that receives (and ignores) what is sent to it, so sends get no ICMP errors. */
async function boundSocket(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

function send(socket: dgram.Socket, payload: Uint8Array, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(payload, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
}

/** Payload i: `length` bytes that say which datagram they are. */
function payload(index: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (index * 31 + i) & 0xff;
  return bytes;
}

interface Received {
  payloads: Buffer[];
  timestampsNanos: number[];
}

/** A handler that copies what it gets (a test may allocate; the ring must not). */
function collector(): { received: Received; handler: (view: DataView, offset: number, length: number, seconds: number, nanoseconds: number) => void } {
  const received: Received = { payloads: [], timestampsNanos: [] };
  return {
    received,
    handler: (view, offset, length, seconds, nanoseconds) => {
      received.payloads.push(Buffer.from(new Uint8Array(view.buffer, offset, length)));
      received.timestampsNanos.push(seconds * 1e9 + nanoseconds);
    },
  };
}

/** Polls (waiting up to 50 ms at a time) until `count` datagrams arrived, then once more, so a duplicate would show. */
function pollUntil(ring: PacketRing, handler: Parameters<PacketRing['poll']>[0], received: Received, count: number, maxPerPoll = 64): void {
  const deadline = Date.now() + 5_000;
  while (received.payloads.length < count && Date.now() < deadline) {
    ring.wait(50);
    ring.poll(handler, maxPerPoll);
  }
  ring.wait(20);
  ring.poll(handler, maxPerPoll);
}

const versions: TpacketVersion[] = [2, 3];

describe.skipIf(skipReason !== undefined).each(versions)('PacketRing TPACKET_V%i on lo', (version) => {
  let filtered: dgram.Socket;
  let other: dgram.Socket;
  let sender: dgram.Socket;
  const rings: PacketRing[] = [];
  function openRing(options: Partial<PacketRingOptions> = {}): PacketRing {
    const ring = PacketRing.open({ interfaceName: 'lo', udpPort: filtered.address().port, version, ...options });
    rings.push(ring);
    return ring;
  }
  beforeAll(async () => {
    [filtered, other, sender] = await Promise.all([boundSocket(), boundSocket(), boundSocket()]);
  });
  afterEach(() => {
    for (const ring of rings.splice(0)) ring.close();
  });
  afterAll(() => {
    for (const socket of [filtered, other, sender]) socket.close();
  });

  it('sees each datagram to the filtered port exactly once, none to another port, with exact bytes and kernel timestamps', async () => {
    // given
    const ring = openRing();
    const lengths = [0, 1, 7, 64, 100, 512, 1000, 1472];
    const { received, handler } = collector();
    const before = realtimeNanos();

    // when datagrams go to the filtered port and, between them, to another port
    for (let i = 0; i < lengths.length; i++) {
      await send(sender, payload(i, lengths[i]!), filtered.address().port);
      await send(sender, payload(100 + i, 50), other.address().port);
    }
    const after = realtimeNanos();
    pollUntil(ring, handler, received, lengths.length);

    // then
    expect(received.payloads.map((bytes) => bytes.length)).toEqual(lengths);
    received.payloads.forEach((bytes, i) => expect(bytes.equals(payload(i, lengths[i]!))).toBe(true));
    for (const timestamp of received.timestampsNanos) {
      // within the sending window (the clock reads are rounded to ~0.25 us as doubles)
      expect(timestamp).toBeGreaterThanOrEqual(before - 1_000);
      expect(timestamp).toBeLessThanOrEqual(after + 1_000);
    }
    expect([...received.timestampsNanos].sort((a, b) => a - b)).toEqual(received.timestampsNanos);
    expect(ring.statistics()).toEqual({ packets: lengths.length, drops: 0, freezeQueueCount: 0 });
    expect([ring.malformedCount, ring.truncatedCount]).toEqual([0, 0]);
  });

  it('gives frames back to the kernel: far more datagrams than the ring holds all arrive, over many small polls', async () => {
    // given a ring of 8 blocks of 4 KiB: 16 frames of 2 KiB (V2), or room for about 24 of these datagrams (V3)
    const ring = openRing({ blockSize: 4096, blockCount: 8, frameSize: 2048 });
    const { received, handler } = collector();
    const rounds = 25;
    const perRound = 3;

    // when each round sends 3 datagrams and polls them one at a time (a V3 block goes back
    // only once all its packets are read, so at most two blocks are ever ours: none is dropped)
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < perRound; i++) await send(sender, payload(round * perRound + i, 1000), filtered.address().port);
      pollUntil(ring, handler, received, (round + 1) * perRound, 1);
    }

    // then
    expect(received.payloads.length).toBe(rounds * perRound);
    received.payloads.forEach((bytes, i) => expect(bytes.equals(payload(i, 1000))).toBe(true));
    expect(ring.statistics()).toEqual({ packets: rounds * perRound, drops: 0, freezeQueueCount: 0 });
  });

  it('counts what a full ring drops (PACKET_STATISTICS), and the counters add up across reads', async () => {
    // given a V2 ring of 4 frames, or a V3 ring of 2 blocks that hold 2 of these datagrams each
    // and are handed over only when full (a 60 s block timeout never fires during the test)
    const ring = openRing({ blockSize: 4096, blockCount: 2, frameSize: 2048, blockTimeoutMs: 60_000 });
    const { received, handler } = collector();
    const sent = 10;
    const firstRead = ring.statistics();

    // when 10 large datagrams arrive while nobody polls
    for (let i = 0; i < sent; i++) await send(sender, payload(i, 1400), filtered.address().port);
    pollUntil(ring, handler, received, 4);

    // then the ring kept the first 4 and the kernel counted the 6 others as dropped
    expect(firstRead).toEqual({ packets: 0, drops: 0, freezeQueueCount: 0 });
    expect(received.payloads.map((bytes) => bytes[0])).toEqual([0, 1, 2, 3].map((i) => payload(i, 1)[0]));
    const statistics = ring.statistics();
    expect(statistics.packets).toBe(sent);
    expect(statistics.drops).toBe(sent - 4);
    if (version === 3) expect(statistics.freezeQueueCount).toBeGreaterThan(0);
  });

  it('counts a datagram larger than a frame as truncated instead of delivering part of it', async () => {
    // given 256-byte frames (V3: packets larger than a block's frame limit are cut the same way)
    const ring = openRing({ blockSize: 4096, blockCount: 2, frameSize: 256 });
    const { received, handler } = collector();

    // when
    await send(sender, payload(0, 1000), filtered.address().port);
    await send(sender, payload(1, 100), filtered.address().port);
    pollUntil(ring, handler, received, 1);

    // then
    expect(received.payloads.map((bytes) => bytes.length)).toEqual(version === 2 ? [100] : [1000, 100]);
    expect(ring.truncatedCount).toBe(version === 2 ? 1 : 0);
  });

  it('gives a frame back even when its handler throws, and goes on with the next datagram', async () => {
    // given two datagrams in the ring
    const ring = openRing();
    await send(sender, payload(0, 10), filtered.address().port);
    await send(sender, payload(1, 10), filtered.address().port);
    const { received, handler } = collector();
    let calls = 0;
    const failFirst: typeof handler = (...args) => {
      if (calls++ === 0) throw new Error('handler failed on the first datagram');
      handler(...args);
    };

    // when / then
    ring.wait(1_000);
    expect(() => ring.poll(failFirst, 10)).toThrow('handler failed on the first datagram');
    pollUntil(ring, failFirst, received, 1);
    expect(received.payloads).toEqual([payload(1, 10)]);
  });

  it('names the call and the interface when the interface does not exist', () => {
    expect(() => openRing({ interfaceName: 'zt-missing0' })).toThrow(
      `if_nametoindex zt-missing0, UDP port ${filtered.address().port}, TPACKET_V${version}: ENODEV (No such device)`,
    );
  });

  it('throws a RangeError, not a crash, when polled after close()', () => {
    const ring = openRing();
    ring.close();
    expect(() => ring.poll(() => {}, 1)).toThrow(RangeError);
  });

  it('says the ring is closed, and touches no freed memory, when its counters are read after close()', () => {
    const ring = openRing();
    ring.close();
    expect(() => ring.statistics()).toThrow(/: the ring is closed$/);
    expect(() => ring.dropCount).toThrow(/: the ring is closed$/);
  });
});

describe('PacketRing without CAP_NET_RAW', () => {
  function shellQuote(arg: string): string {
    return `'${arg.replaceAll("'", "'\\''")}'`;
  }

  /** Runs `script` in a node process without CAP_NET_RAW; undefined when no tool here can drop it. */
  function runWithoutNetRaw(script: string): { stdout: string; stderr: string } | undefined {
    const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
    const candidates: string[][] = [];
    if (skipReason !== undefined) candidates.push(node); // this process lacks it already
    if (existsSync('/usr/sbin/capsh') || existsSync('/sbin/capsh')) {
      candidates.push(['capsh', '--drop=cap_net_raw', '--', '-c', node.map(shellQuote).join(' ')]);
    }
    candidates.push(['setpriv', '--inh-caps=-net_raw', '--bounding-set=-net_raw', ...node]);
    for (const [command, ...args] of candidates) {
      const result = spawnSync(command!, args, { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
      if (result.status === 0 && result.stdout.includes('RESULT')) return { stdout: result.stdout, stderr: result.stderr };
    }
    return undefined;
  }

  it('fails with a message that names CAP_NET_RAW and how to grant it', (context) => {
    // given a process without the capability
    const script =
      `import { PacketRing } from ${JSON.stringify(packetRingModule)};` +
      `try { PacketRing.open({ interfaceName: 'lo', udpPort: 9 }); console.log('RESULT opened'); }` +
      `catch (error) { console.log('RESULT ' + error.name + ': ' + error.message); }`;

    // when it opens a ring
    const result = runWithoutNetRaw(script);
    if (result === undefined) {
      console.warn('skipped: neither capsh nor setpriv could drop CAP_NET_RAW here');
      context.skip();
      return;
    }

    // then
    expect(result.stdout).toContain(
      'RESULT MissingCapabilityError: AF_PACKET needs CAP_NET_RAW: run as root or `setcap cap_net_raw+ep $(which node)` ' +
        '(socket AF_PACKET lo, UDP port 9, TPACKET_V2: EPERM (Operation not permitted))',
    );
  });
});

describe('PacketRing options', () => {
  it('rejects a geometry the kernel would refuse, naming the value, before any socket is made', () => {
    const lo = { interfaceName: 'lo', udpPort: 9 };
    expect(() => PacketRing.open({ ...lo, frameSize: 100 })).toThrow('frameSize must be a multiple of 16 of at least 48: frameSize=100');
    expect(() => PacketRing.open({ ...lo, blockSize: 6000 })).toThrow('blockSize must be a multiple of the page size (4096) and of frameSize (2048): blockSize=6000');
    expect(() => PacketRing.open({ ...lo, udpPort: 70000 })).toThrow('udpPort must be in 1..65535: udpPort=70000');
    expect(() => PacketRing.open({ ...lo, version: 3, blockTimeoutMs: 70_000 })).toThrow('blockTimeoutMs must be an integer in 0..65535: blockTimeoutMs=70000');
  });
});
