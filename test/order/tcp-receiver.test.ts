import { once } from 'node:events';
import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferPool } from '../../src/io/pool.js';
import { RECEIVE_BUFFER_FULL, RECEIVE_PEER_CLOSED, TcpReceiver } from '../../src/io/tcp-receiver.js';
import { TcpSender } from '../../src/io/tcp-sender.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A connected TcpSender/TcpReceiver pair on one socket, and the server side's node:net socket. */
async function connection(bufferBytes?: number) {
  const server = net.createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const pool = BufferPool.create({ slotSize: 64, slotCount: 4 });
  const sender = await TcpSender.connect(pool, { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port });
  const [peer] = (await accepted) as [net.Socket];
  peer.on('error', () => {});
  const receiver = TcpReceiver.attach(sender.fd, { bufferBytes, description: 'exchange' });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)), () => pool.destroy(), () => sender.close(), () => receiver.destroy(), () => peer.destroy());
  return { peer, receiver };
}

/** Calls receive() until it returns something other than 0. */
async function receiveSome(receiver: TcpReceiver): Promise<number> {
  for (;;) {
    const result = receiver.receive();
    if (result !== 0) return result;
    await nextTurn();
  }
}

describe('TcpReceiver', () => {
  it('returns 0 when nothing is waiting, then appends what arrives', async () => {
    const { peer, receiver } = await connection();
    expect(receiver.receive()).toBe(0);

    peer.write(Buffer.from('hello'));
    const received = await receiveSome(receiver);

    expect(received).toBe(5);
    expect(Buffer.from(receiver.bytes.subarray(receiver.readOffset, receiver.writeOffset)).toString()).toBe('hello');
    expect([receiver.bytesReceived, receiver.receiveCalls]).toEqual([5, 1]);
  });

  it('keeps an unconsumed tail and moves it to the front once the free room runs low', async () => {
    // given a 64 KiB buffer holding 40000 bytes of which all but the last 10 are consumed
    const { peer, receiver } = await connection(1 << 16);
    const first = Buffer.alloc(40_000, 1);
    first.write('tail567890', 39_990);
    peer.write(first);
    while (receiver.writeOffset < 40_000) await receiveSome(receiver);
    receiver.consume(39_990);

    // when more arrives
    peer.write(Buffer.from('next'));
    await receiveSome(receiver);

    // then the tail and the new bytes sit together at the front
    expect([receiver.readOffset, receiver.writeOffset]).toEqual([0, 14]);
    expect(Buffer.from(receiver.bytes.subarray(0, 14)).toString()).toBe('tail567890next');
  });

  it('reports a buffer full of unconsumed bytes instead of reading over them', async () => {
    const { peer, receiver } = await connection(1 << 16);
    peer.write(Buffer.alloc(1 << 16, 7));
    while (receiver.writeOffset < 1 << 16) await receiveSome(receiver);

    expect(receiver.receive()).toBe(RECEIVE_BUFFER_FULL);
    expect(receiver.describeResult(RECEIVE_BUFFER_FULL)).toBe('recv exchange: 65536-byte buffer full of unconsumed bytes');
  });

  it('tells an orderly close from a reset', async () => {
    const closed = await connection();
    closed.peer.end();
    expect(await receiveSome(closed.receiver)).toBe(RECEIVE_PEER_CLOSED);
    expect(closed.receiver.describeResult(RECEIVE_PEER_CLOSED)).toBe('recv exchange: connection closed by the peer');

    const reset = await connection();
    reset.peer.resetAndDestroy();
    const result = await receiveSome(reset.receiver);
    expect(reset.receiver.describeResult(result)).toBe('recv exchange: ECONNRESET (Connection reset by peer)');
  });

  it('refuses to consume outside the received bytes, and a buffer too small for a frame', async () => {
    const { receiver } = await connection();
    expect(() => receiver.consume(1)).toThrow('consume outside the received bytes: offset=1 (readOffset=0, writeOffset=0)');
    expect(() => TcpReceiver.attach(0, { bufferBytes: 1000 })).toThrow('bufferBytes must be an integer >= 65536: bufferBytes=1000');
  });
});
