/**
 * The copy baseline's exchange connection (socketTransport): each message copied out of its pool
 * slot into a new Buffer and written with net.Socket.write; 'data' chunks copied into the buffer
 * the session decodes from. Real TCP on loopback.
 */
import { once } from 'node:events';
import net from 'node:net';
import { constants } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BufferPool } from '../../src/io/pool.js';
import { RECEIVE_PEER_CLOSED } from '../../src/io/tcp-receiver.js';
import { OrderSide } from '../../src/order/order-request.js';
import type { OrderConnection, OrderReceiver } from '../../src/order/order-transport.js';
import { socketTransport } from '../../src/order/socket-transport.js';
import { patternedPayload } from '../io/fixtures/datagrams.js';
import { ExchangeFixture } from './fixtures/exchange.js';
import { RecordingListener, pumpUntil, routerFor } from './fixtures/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SLOT_SIZE = 64;

/** A connection through socketTransport, the server side's socket, and the pool it sends from. */
async function connected(slotCount = 8) {
  const server = net.createServer();
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const pool = BufferPool.create({ slotSize: SLOT_SIZE, slotCount });
  const port = (server.address() as net.AddressInfo).port;
  const connection: OrderConnection = await socketTransport(pool, { host: '127.0.0.1', port, connectTimeoutMs: 1000, sendBufferBytes: undefined, receiveBufferBytes: 1 << 16 });
  const [peer] = (await accepted) as [net.Socket];
  peer.on('error', () => {});
  cleanups.push(
    () => new Promise((resolve) => server.close(resolve)),
    () => pool.destroy(),
    () => connection.sender.close(),
    () => connection.receiver.destroy(),
    () => peer.destroy(),
  );
  return { ...connection, peer, pool };
}

/**
 * Counts how Node hands the sending socket's chunks to the kernel: Socket._writev (one writev
 * syscall for all its chunks; how many each carried) and Socket._write (one write each).
 */
function countSocketWrites(peer: net.Socket): { readonly writev: number[]; readonly write: number } {
  const socketMethods = net.Socket.prototype as unknown as Required<Pick<net.Socket, '_write' | '_writev'>>;
  const write = vi.spyOn(socketMethods, '_write');
  const writev = vi.spyOn(socketMethods, '_writev');
  cleanups.push(() => vi.restoreAllMocks());
  return {
    get writev() {
      return writev.mock.calls.filter((_, call) => writev.mock.contexts[call] !== peer).map(([chunks]) => chunks.length);
    },
    get write() {
      return write.mock.contexts.filter((context) => context !== peer).length;
    },
  };
}

/** Calls receive() until it returns something other than 0. */
async function receiveSome(receiver: OrderReceiver): Promise<number> {
  for (let turn = 0; ; turn++) {
    const result = receiver.receive();
    if (result !== 0) return result;
    if (turn > 100_000) throw new Error('nothing received');
    await nextTurn();
  }
}

function unconsumed(receiver: OrderReceiver): string {
  return Buffer.from(receiver.view.buffer, receiver.readOffset, receiver.unconsumedBytes).toString();
}

describe('socketTransport', () => {
  it('delivers every message byte-exact, in order, none twice, and gives each slot back as soon as it is copied', async () => {
    // given a connection whose pool has 8 slots
    const { sender, peer, pool } = await connected(8);
    const arrived: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => arrived.push(chunk));

    // when 200 messages of varying lengths are sent, 7 per flush (more than the pool holds at once)
    const messages = Array.from({ length: 200 }, (_, index) => patternedPayload(index, 1 + (index % SLOT_SIZE)));
    for (const [index, message] of messages.entries()) {
      const slot = pool.acquire();
      pool.bytes.set(message, pool.slotOffset(slot));
      expect(sender.enqueue(slot, 0, message.length)).toBe(true);
      if (index % 7 === 6) sender.flush();
    }
    sender.flush();
    const total = messages.reduce((sum, message) => sum + message.length, 0);
    while (Buffer.concat(arrived).length < total) await nextTurn();

    // then the peer read exactly the messages, back to back, written once per flush (29 flushes)
    expect(Buffer.concat(arrived).equals(Buffer.concat(messages))).toBe(true);
    expect(pool.inUseCount).toBe(0);
    expect([sender.bytesSent, sender.writevCalls, sender.pendingSegments]).toEqual([total, 29, 0]);
  });

  it('hands the messages of one flush to the kernel together (corked into one writev), not a write each', async () => {
    // given a connection, and the writes its socket makes counted
    const { sender, peer, pool } = await connected();
    const socketWrites = countSocketWrites(peer);
    const arrived: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => arrived.push(chunk));

    // when three messages are flushed together, then one alone
    for (const length of [5, 6, 7, 8]) {
      const slot = pool.acquire();
      pool.bytes.set(patternedPayload(length, length), pool.slotOffset(slot));
      sender.enqueue(slot, 0, length);
      if (length === 7 || length === 8) sender.flush();
    }
    while (Buffer.concat(arrived).length < 26) await nextTurn();

    // then the three went in one writev and the one alone in a write
    expect(socketWrites).toEqual({ writev: [3], write: 1 });
  });

  it('copies what arrives behind the unconsumed tail, which moves to the front', async () => {
    const { receiver, peer } = await connected();
    expect(receiver.receive()).toBe(0);

    peer.write('hello');
    expect(await receiveSome(receiver)).toBe(5);
    receiver.consume(receiver.readOffset + 3);
    peer.write('abc');
    expect(await receiveSome(receiver)).toBe(3);

    expect([receiver.readOffset, unconsumed(receiver), receiver.bytesReceived]).toEqual([0, 'loabc', 8]);
  });

  it('after a reset by the peer: what came before is received, then -ECONNRESET, named; a send throws', async () => {
    // given a byte on its way, then a reset
    const { sender, receiver, peer, pool } = await connected();
    peer.write('x');
    expect(await receiveSome(receiver)).toBe(1);
    peer.resetAndDestroy();

    // when
    const result = await receiveSome(receiver);

    // then
    expect(result).toBe(-constants.errno.ECONNRESET);
    expect(receiver.describeResult(result)).toMatch(/^recv exchange 127\.0\.0\.1:\d+: ECONNRESET \(Connection reset by peer\)$/);
    const slot = pool.acquire();
    expect(() => {
      if (sender.enqueue(slot, 0, 1)) sender.flush();
    }).toThrow(/^write exchange 127\.0\.0\.1:\d+: ECONNRESET/);
  });

  it('after the peer closes: what came before is received, then RECEIVE_PEER_CLOSED', async () => {
    const { receiver, peer } = await connected();
    peer.end('bye');

    expect(await receiveSome(receiver)).toBe(3);
    const result = await receiveSome(receiver);

    expect(result).toBe(RECEIVE_PEER_CLOSED);
    expect(receiver.describeResult(result)).toMatch(/connection closed by the peer$/);
  });

  it('a refused connection rejects naming the address and the errno', async () => {
    const server = net.createServer().listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const pool = BufferPool.create({ slotSize: SLOT_SIZE, slotCount: 1 });
    cleanups.push(() => pool.destroy());

    const connecting = socketTransport(pool, { host: '127.0.0.1', port, connectTimeoutMs: 1000, sendBufferBytes: undefined, receiveBufferBytes: undefined });

    await expect(connecting).rejects.toThrow(`connect 127.0.0.1:${port}: ECONNREFUSED (Connection refused)`);
  });

  it('carries an order session: orders acknowledged, the connection dropped by the exchange, the session back, no order twice', async () => {
    // given the order router over the socket transport, established
    const exchange = await ExchangeFixture.start({ respond: 'ack' });
    cleanups.push(() => exchange.close());
    const router = routerFor(exchange, { transport: socketTransport });
    cleanups.push(() => router.close());
    const listener = new RecordingListener();
    const entry = router.register(listener);
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    const order = (price: number): number => entry.newOrder({ securityId: 1, side: OrderSide.Buy, price, quantity: 1 });

    // when an order is acknowledged, the exchange drops the connection, and another order follows the reconnect
    const first = order(1);
    await pumpUntil(router, 'the first acknowledgement', () => listener.reports.length === 1);
    exchange.dropConnection();
    await pumpUntil(router, 'the drop noticed', () => !router.session.isEstablished);
    expect(router.session.lastError).toMatch(/connection closed by the peer$/);
    await pumpUntil(router, 're-established', () => router.session.isEstablished);
    const second = order(2);
    await pumpUntil(router, 'the second acknowledgement', () => listener.reports.length === 2);

    // then both reached the exchange once each, with strictly rising SeqNums
    expect(listener.reports.map((report) => report.clOrdId)).toEqual([first, second]);
    expect([...exchange.newOrderCounts.entries()]).toEqual([
      [first, 1],
      [second, 1],
    ]);
    expect(exchange.sequenceErrors).toEqual([]);
    expect(router.session.reconnects).toBe(1);
  });
});
