import { afterEach, describe, expect, it } from 'vitest';
import { SyscallError } from '../../src/io/errors.js';
import { BufferPool } from '../../src/io/pool.js';
import { UdpReceiver } from '../../src/io/udp.js';
import { UdpSender, type UdpSenderOptions } from '../../src/io/udp-sender.js';
import { nativeLibrary } from '../../src/io/native.js';
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
    const pool = BufferPool.create({ slotSize: 2048, slotCount: 64 });
    const member = UdpReceiver.open(pool, { port: 0, multicast: { group: '239.255.70.9', interface: 'lo' } });
    cleanups.push(() => pool.destroy(), () => member.close());
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

  it('refuses an entry outside the region with ERANGE and sends nothing', () => {
    const target = receiver();
    const out = sender({ destinations: [{ host: '127.0.0.1', port: target.localPort }] });
    out.setPacket(0, 0, 10);
    out.setPacket(1, 95, 10);
    expect(() => out.send(new Uint8Array(100), 2)).toThrow(/sendmmsg udp -> 127\.0\.0\.1:\d+: ERANGE/);
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
