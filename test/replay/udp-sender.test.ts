import { afterEach, describe, expect, it } from 'vitest';
import { SyscallError } from '../../src/io/errors.js';
import { BufferPool } from '../../src/io/pool.js';
import { UdpReceiver } from '../../src/io/udp.js';
import { UdpSender, type UdpSenderOptions } from '../../src/io/udp-sender.js';
import { libc, nativeLibrary } from '../../src/io/native.js';
import { sharedLength } from '../../src/io/udp-send-layout.js';

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function receiver(): UdpReceiver {
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 256 });
  const opened = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', receiveBufferBytes: 1 << 22 });
  cleanups.push(() => pool.destroy(), () => opened.close());
  return opened;
}

/** A receiver joined to 239.255.70.9 on lo. */
function multicastMember(): UdpReceiver {
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 64 });
  const member = UdpReceiver.open(pool, { port: 0, multicast: { group: '239.255.70.9', interface: 'lo' } });
  cleanups.push(() => pool.destroy(), () => member.close());
  return member;
}

function sender(options: UdpSenderOptions): UdpSender {
  const opened = UdpSender.open(options);
  cleanups.push(() => opened.close());
  return opened;
}

/** Every datagram waiting on the receiver, copied out, in arrival order. */
function drain(from: UdpReceiver): number[][] {
  const datagrams: number[][] = [];
  for (let received = from.receive(200); received > 0; received = from.receive(50)) {
    for (let i = 0; i < received; i++) {
      const offset = from.offset(i);
      datagrams.push([...from.pool.bytes.subarray(offset, offset + from.length(i))]);
    }
  }
  return datagrams;
}

/** A region holding packets of these lengths, 3 bytes apart (as in a capture, not packed), packet i's byte j being (7i + j) & 255. */
function regionOfLengths(lengths: readonly number[]): { region: Uint8Array; offsets: number[]; packets: number[][] } {
  const offsets: number[] = [];
  let end = 5;
  for (const length of lengths) {
    offsets.push(end);
    end += length + 3;
  }
  const packets = lengths.map((length, i) => Array.from({ length }, (_, j) => (7 * i + j) & 255));
  const region = new Uint8Array(end);
  packets.forEach((bytes, i) => region.set(bytes, offsets[i]));
  return { region, offsets, packets };
}

/** A region holding `count` packets back to back, packet i being `length` bytes all equal to i. */
function regionOf(count: number, length: number): Uint8Array {
  const region = new Uint8Array(count * length + 7);
  for (let i = 0; i < count; i++) region.fill(i, 7 + i * length, 7 + (i + 1) * length);
  return region;
}

describe('send layout', () => {
  it('agrees with the C side on the shared length', () => {
    const cSharedLength: (capacity: number) => number = nativeLibrary.func('uint32_t zt_udp_tx_shared_length(uint32_t capacity)');
    for (const capacity of [1, 3, 64, 1000, 1024]) expect(sharedLength(capacity)).toBe(cSharedLength(capacity));
  });
});

describe('UdpSender (sendmmsg)', () => {
  it('sends a batch straight from the region, in order, byte for byte', () => {
    // given
    const target = receiver();
    const out = sender({ destinations: [{ host: '127.0.0.1', port: target.localPort }], batchSize: 16 });
    const region = regionOf(16, 100);
    // when
    for (let i = 0; i < 16; i++) out.setPacket(i, 7 + i * 100, 100);
    const sent = out.send(region, 16);
    // then
    expect(sent).toBe(16);
    expect(out.datagramsSent).toBe(16);
    const received = drain(target);
    expect(received).toEqual(Array.from({ length: 16 }, (_, i) => new Array(100).fill(i)));
  });

  it('duplicates each packet to every destination (A/B lines)', () => {
    // given
    const lineA = receiver();
    const lineB = receiver();
    const out = sender({
      destinations: [
        { host: '127.0.0.1', port: lineA.localPort },
        { host: '127.0.0.1', port: lineB.localPort },
      ],
      batchSize: 8,
    });
    const region = regionOf(20, 50);
    // when: 20 packets in batches of 8, 8, 4
    for (let first = 0; first < 20; first += 8) {
      const count = Math.min(8, 20 - first);
      for (let i = 0; i < count; i++) out.setPacket(i, 7 + (first + i) * 50, 50);
      expect(out.send(region, count)).toBe(count * 2);
    }
    // then
    const expected = Array.from({ length: 20 }, (_, i) => new Array(50).fill(i));
    expect(drain(lineA)).toEqual(expected);
    expect(drain(lineB)).toEqual(expected);
    expect(out.datagramsSent).toBe(40);
  });

  it('sends to a multicast group out of the named interface', () => {
    // given: a receiver joined to the group on lo
    const member = multicastMember();
    const out = sender({ destinations: [{ host: '239.255.70.9', port: member.localPort }], multicastInterface: 'lo' });
    // when
    out.setPacket(0, 7, 100);
    out.send(regionOf(1, 100), 1);
    // then
    expect(drain(member)).toEqual([new Array(100).fill(0)]);
  });

  it('names an interface that does not exist', () => {
    expect(() => UdpSender.open({ destinations: [{ host: '239.255.70.9', port: 9 }], multicastInterface: 'nosuchif0' })).toThrow(
      'if_nametoindex nosuchif0: ENODEV (No such device)',
    );
  });

  it('sends zero-length datagrams', () => {
    const target = receiver();
    const out = sender({ destinations: [{ host: '127.0.0.1', port: target.localPort }] });
    out.setPacket(0, 0, 0);
    expect(out.send(new Uint8Array(1), 1)).toBe(1);
    expect(drain(target)).toEqual([[]]);
  });

  it.each([
    ['send', 'sendmmsg'],
    ['sendSegmented', 'sendmsg'],
  ] as const)('%s refuses an entry outside the region with ERANGE and sends nothing', (method, call) => {
    const target = receiver();
    const out = sender({ destinations: [{ host: '127.0.0.1', port: target.localPort }] });
    out.setPacket(0, 0, 10);
    out.setPacket(1, 95, 10);
    expect(() => out[method](new Uint8Array(100), 2)).toThrow(new RegExp(`^${call} udp -> 127\\.0\\.0\\.1:\\d+: ERANGE`));
    expect(drain(target)).toEqual([]);
  });

  it('refuses a count beyond the batch size', () => {
    const out = sender({ destinations: [{ host: '127.0.0.1', port: 9 }], batchSize: 4 });
    expect(() => out.send(new Uint8Array(10), 5)).toThrow(SyscallError);
  });

  it('names a destination that is not an IPv4 address', () => {
    expect(() => UdpSender.open({ destinations: [{ host: 'not-an-address', port: 9 }] })).toThrow(/not-an-address:9.*EINVAL/);
  });

  it('checks the number of destinations and the batch size', () => {
    expect(() => UdpSender.open({ destinations: [] })).toThrow(/1\.\.8 destinations: got 0/);
    const nine = Array.from({ length: 9 }, () => ({ host: '127.0.0.1', port: 9 }));
    expect(() => UdpSender.open({ destinations: nine })).toThrow(/got 9/);
    expect(() => UdpSender.open({ destinations: [{ host: '127.0.0.1', port: 9 }], batchSize: 0 })).toThrow(/batchSize=0/);
  });
});

describe('UdpSender.sendSegmented (UDP GSO)', () => {
  const repeat = (count: number, length: number): number[] => new Array<number>(count).fill(length);
  // Runs within the kernel's limits, and packets in none: 70 x 100 is a run of 64 (the segment
  // limit) then one of 6 ended by a shorter 60; 30 and 0 are alone; 3 x 200 cannot end with an
  // empty packet; 50 x 1400 breaks at 65507 bytes into 46 + 4; then 2 x 1500.
  const lengths = [...repeat(70, 100), 60, 30, 0, ...repeat(3, 200), 0, ...repeat(50, 1400), ...repeat(2, 1500)];
  const packetsInRuns = lengths.length - 3;
  const runs = 6;

  function abSender(options: Partial<UdpSenderOptions> = {}): { lineA: UdpReceiver; lineB: UdpReceiver; out: UdpSender } {
    const lineA = receiver();
    const lineB = receiver();
    const destinations = [
      { host: '127.0.0.1', port: lineA.localPort },
      { host: '127.0.0.1', port: lineB.localPort },
    ];
    return { lineA, lineB, out: sender({ destinations, batchSize: 256, ...options }) };
  }

  function setPackets(out: UdpSender, offsets: readonly number[]): void {
    offsets.forEach((offset, i) => out.setPacket(i, offset, lengths[i]!));
  }

  it('sends each run as one sendmsg per destination, every datagram byte-exact and in order on each', () => {
    // given
    const { lineA, lineB, out } = abSender();
    const { region, offsets, packets } = regionOfLengths(lengths);
    setPackets(out, offsets);
    // when
    const sent = out.sendSegmented(region, lengths.length);
    // then
    expect(sent).toBe(lengths.length * 2);
    expect(drain(lineA)).toEqual(packets);
    expect(drain(lineB)).toEqual(packets);
    expect(out.gsoSends).toBe(runs * 2);
    expect(out.gsoDatagrams).toBe(packetsInRuns * 2);
    expect(out.datagramsSent).toBe(lengths.length * 2);
    expect(out.segmentationRefusal).toBeUndefined();
  });

  it('falls back to sendmmsg for good when the kernel refuses GSO, and says so once', () => {
    // given: a socket without UDP checksums, for which the kernel refuses GSO with EINVAL
    const told: string[] = [];
    const { lineA, lineB, out } = abSender({ onSegmentationRefused: (message) => told.push(message) });
    const setsockopt: (fd: number, level: number, name: number, value: Int32Array, length: number) => number = libc.func(
      'int setsockopt(int fd, int level, int name, void *value, uint32_t length)',
    );
    const SOL_SOCKET = 1;
    const SO_NO_CHECK = 11;
    expect(setsockopt(out.fd, SOL_SOCKET, SO_NO_CHECK, Int32Array.of(1), 4)).toBe(0);
    const { region, offsets, packets } = regionOfLengths(lengths);
    // when: twice
    for (let pass = 0; pass < 2; pass++) {
      setPackets(out, offsets);
      expect(out.sendSegmented(region, lengths.length)).toBe(lengths.length * 2);
    }
    // then
    expect(drain(lineA)).toEqual([...packets, ...packets]);
    expect(drain(lineB)).toEqual([...packets, ...packets]);
    expect(out.gsoSends).toBe(0);
    expect(out.segmentationRefusal).toBe('EINVAL');
    expect(told).toEqual([expect.stringMatching(/^udp -> 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+: the kernel refused UDP GSO \(EINVAL\): sending by sendmmsg from now on$/)]);
  });

  it('sends runs to a multicast group, looped back to a member', () => {
    // given
    const member = multicastMember();
    const out = sender({ destinations: [{ host: '239.255.70.9', port: member.localPort }], multicastInterface: 'lo', batchSize: 8 });
    const runOf = [100, 100, 100, 100, 100, 100, 100, 40];
    const { region, offsets, packets } = regionOfLengths(runOf);
    offsets.forEach((offset, i) => out.setPacket(i, offset, runOf[i]!));
    // when
    out.sendSegmented(region, runOf.length);
    // then
    expect(drain(member)).toEqual(packets);
    expect(out.gsoSends).toBe(1);
  });

  it('sends a batch with no runs by sendmmsg alone', () => {
    const { lineA, lineB, out } = abSender();
    const distinct = [10, 20, 30];
    const { region, offsets, packets } = regionOfLengths(distinct);
    offsets.forEach((offset, i) => out.setPacket(i, offset, distinct[i]!));
    expect(out.sendSegmented(region, 3)).toBe(6);
    expect(drain(lineA)).toEqual(packets);
    expect(drain(lineB)).toEqual(packets);
    expect(out.gsoSends).toBe(0);
  });
});
