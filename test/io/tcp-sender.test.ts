import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeLibrary } from '../../src/io/native.js';
import { BufferPool, NO_SLOT } from '../../src/io/pool.js';
import { bindSocket, closeSocket, localPort } from '../../src/io/socket.js';
import { TcpSender } from '../../src/io/tcp-sender.js';
import { openTcpListener } from '../../src/io/tcp-listener.js';
import { gcRunsDuring } from '../support/gc-runs.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Order framing used by these tests: uint32 sequence, uint16 body length, uint16 zero, body. */
const HEADER_LENGTH = 8;

function bodyByte(sequence: number, index: number): number {
  return (sequence * 7 + index * 13) & 0xff;
}

function bodyLengthOf(sequence: number): number {
  return 20 + ((sequence * 37) % 380);
}

/**
 * Encodes order `sequence` into pool slots and enqueues it: in one slot, or (split) as a
 * header slot and a body slot, the two-segment shape of a real order. Returns its byte count.
 */
function encodeAndEnqueue(sender: TcpSender, sequence: number, split: boolean): number {
  const pool = sender.pool;
  const bodyLength = bodyLengthOf(sequence);
  const headerSlot = pool.acquire();
  const bodySlot = split ? pool.acquire() : headerSlot;
  const headerOffset = pool.slotOffset(headerSlot);
  pool.view.setUint32(headerOffset, sequence, true);
  pool.view.setUint16(headerOffset + 4, bodyLength, true);
  pool.view.setUint16(headerOffset + 6, 0, true);
  const bodyOffsetInSlot = split ? 0 : HEADER_LENGTH;
  const bodyOffset = pool.slotOffset(bodySlot) + bodyOffsetInSlot;
  for (let i = 0; i < bodyLength; i++) pool.bytes[bodyOffset + i] = bodyByte(sequence, i);
  if (split) {
    expect(sender.enqueue(headerSlot, 0, HEADER_LENGTH)).toBe(true);
    expect(sender.enqueue(bodySlot, 0, bodyLength)).toBe(true);
  } else {
    expect(sender.enqueue(headerSlot, 0, HEADER_LENGTH + bodyLength)).toBe(true);
  }
  return HEADER_LENGTH + bodyLength;
}

/** Checks that `stream` is exactly orders 0..count-1, each once, in order, intact. */
function expectOrders(stream: Buffer, count: number): void {
  let offset = 0;
  for (let sequence = 0; sequence < count; sequence++) {
    expect(stream.readUInt32LE(offset), `sequence at byte ${offset}`).toBe(sequence);
    const bodyLength = stream.readUInt16LE(offset + 4);
    expect(bodyLength).toBe(bodyLengthOf(sequence));
    for (let i = 0; i < bodyLength; i++) {
      if (stream[offset + HEADER_LENGTH + i] !== bodyByte(sequence, i)) {
        throw new Error(`order ${sequence}: body byte ${i} (stream offset ${offset + HEADER_LENGTH + i}) is wrong`);
      }
    }
    offset += HEADER_LENGTH + bodyLength;
  }
  expect(offset).toBe(stream.length);
}

interface Collector {
  port: number;
  sockets: net.Socket[];
  bytes(): Buffer;
  waitFor(byteCount: number): Promise<Buffer>;
}

/** A node:net server that keeps everything it reads; `configure` sees each accepted socket. */
async function collectingServer(listen: net.ListenOptions | { fd: number }, configure?: (socket: net.Socket) => void): Promise<Collector> {
  const chunks: Buffer[] = [];
  let total = 0;
  const sockets: net.Socket[] = [];
  let waiter: { count: number; resolve: () => void } | undefined;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      total += chunk.length;
      if (waiter !== undefined && total >= waiter.count) waiter.resolve();
    });
    socket.on('error', () => {});
    configure?.(socket);
  });
  server.listen(listen);
  await once(server, 'listening');
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const bytes = (): Buffer => Buffer.concat(chunks);
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    bytes,
    waitFor: async (count) => {
      if (total < count) await new Promise<void>((resolve) => (waiter = { count, resolve }));
      return bytes();
    },
  };
}

async function connect(pool: BufferPool, port: number, options: Partial<Parameters<typeof TcpSender.connect>[1]> = {}): Promise<TcpSender> {
  const sender = await TcpSender.connect(pool, { host: '127.0.0.1', port, ...options });
  cleanups.push(() => sender.close());
  return sender;
}

function createPool(slotCount: number, slotSize = 512): BufferPool {
  const pool = BufferPool.create({ slotSize, slotCount });
  cleanups.push(() => pool.destroy());
  return pool;
}

describe('TcpSender', () => {
  it('sends several orders, as one- and two-segment iovecs, with one writev', async () => {
    // given
    const server = await collectingServer({ host: '127.0.0.1', port: 0 });
    const pool = createPool(64);
    const sender = await connect(pool, server.port);
    let total = 0;
    for (let sequence = 0; sequence < 12; sequence++) total += encodeAndEnqueue(sender, sequence, sequence % 2 === 1);
    expect(sender.pendingSegments).toBe(18);
    expect(sender.pendingBytes).toBe(total);

    // when
    const sent = sender.flush();

    // then
    expect(sent).toBe(total);
    expect(sender.writevCalls).toBe(1);
    expect(sender.partialWrites).toBe(0);
    expect(sender.pendingBytes).toBe(0);
    expect(pool.inUseCount).toBe(0);
    expectOrders(await server.waitFor(total), 12);
  });

  it('delivers every byte once and in order through partial writes to a slow reader', async () => {
    // given a reader with a tiny receive buffer that starts paused, and a tiny send buffer
    const listener = openTcpListener({ host: '127.0.0.1', port: 0, receiveBufferBytes: 4096 });
    const server = await collectingServer({ fd: listener.fd }, (socket) => socket.pause());
    const pool = createPool(256);
    const sender = await connect(pool, listener.port, { sendBufferBytes: 4096, queueCapacity: 64 });
    const orderCount = 20_000;

    // when far more is queued than both buffers hold, flushing whenever there is room
    let next = 0;
    let total = 0;
    while (next < orderCount || sender.pendingSegments > 0) {
      while (next < orderCount && pool.availableCount >= 2 && sender.queueCapacity - sender.pendingSegments >= 2) {
        total += encodeAndEnqueue(sender, next, next % 3 === 0);
        next++;
      }
      sender.flush();
      // the reader wakes up only after the sender has found the socket full
      if (sender.wouldBlockCount > 0 && server.sockets[0]?.isPaused()) server.sockets[0].resume();
      await nextTurn();
    }
    const stream = await server.waitFor(total);
    console.log(
      `slow reader: ${total} bytes in ${sender.writevCalls} writev calls, ` +
        `${sender.partialWrites} partial writes, ${sender.wouldBlockCount} EAGAIN`,
    );

    // then
    expect(stream.length).toBe(total);
    expectOrders(stream, orderCount);
    expect(sender.bytesSent).toBe(total);
    expect(sender.partialWrites).toBeGreaterThan(0);
    expect(sender.wouldBlockCount).toBeGreaterThan(0);
    expect(sender.writevCalls).toBeLessThan(orderCount);
    expect(pool.inUseCount).toBe(0);
  });

  it('reports a full queue instead of overwriting it', async () => {
    const server = await collectingServer({ host: '127.0.0.1', port: 0 });
    const pool = createPool(8);
    const sender = await connect(pool, server.port, { queueCapacity: 2 });
    const slots = [pool.acquire(), pool.acquire(), pool.acquire()];

    expect(sender.enqueue(slots[0]!, 0, 10)).toBe(true);
    expect(sender.enqueue(slots[1]!, 0, 10)).toBe(true);
    expect(sender.enqueue(slots[2]!, 0, 10)).toBe(false);
    expect(sender.flush()).toBe(20);
    expect(sender.enqueue(slots[2]!, 0, 10)).toBe(true);
    expect(sender.flush()).toBe(10);
    expect(pool.inUseCount).toBe(0);
  });

  it('rejects a segment outside an acquired slot', async () => {
    const server = await collectingServer({ host: '127.0.0.1', port: 0 });
    const pool = createPool(4, 128);
    const sender = await connect(pool, server.port);
    const slot = pool.acquire();

    expect(() => sender.enqueue(slot, 100, 29)).toThrow('slot=0 offset=100 length=29 (slotSize=128)');
    expect(() => sender.enqueue(slot, 0, 0)).toThrow('length=0');
    expect(() => sender.enqueue(3, 0, 10)).toThrow('slot=3');
  });
});

describe('TcpSender connection errors', () => {
  it('names the call, address and errno when the connection is refused', async () => {
    // given a port that is bound but not listening
    const ztTcpSocket: () => number = nativeLibrary.func('int zt_tcp_socket(void)');
    const holder = ztTcpSocket();
    bindSocket(holder, '127.0.0.1', 0);
    const port = localPort(holder, 'holder');
    cleanups.push(() => closeSocket(holder, 'holder'));

    // then
    await expect(TcpSender.connect(createPool(1), { host: '127.0.0.1', port })).rejects.toThrow(
      `connect 127.0.0.1:${port}: ECONNREFUSED (Connection refused)`,
    );
  });

  it('times out connecting to a listener whose accept queue is full', async () => {
    // given a listener with backlog 0 that never accepts: it queues one connection, then drops SYNs
    const listener = openTcpListener({ host: '127.0.0.1', port: 0, backlog: 0 });
    cleanups.push(() => listener.close());
    const pool = createPool(1);
    await connect(pool, listener.port, { connectTimeoutMs: 1000 });

    // then
    await expect(TcpSender.connect(pool, { host: '127.0.0.1', port: listener.port, connectTimeoutMs: 200 })).rejects.toThrow(
      `connect 127.0.0.1:${listener.port}: ETIMEDOUT (Connection timed out)`,
    );
  });

  it('fails cleanly when the peer resets, releasing what was queued', async () => {
    // given a connected peer that then resets the connection (only once connect has returned:
    // a reset racing the handshake surfaces as connect's error instead)
    const server = await collectingServer({ host: '127.0.0.1', port: 0 }, () => {});
    const pool = createPool(4);
    const sender = await connect(pool, server.port);
    while (server.sockets.length === 0) await nextTurn();
    const peer = server.sockets[0]!;
    const reset = once(peer, 'close');
    peer.resetAndDestroy();
    await reset;

    // when
    const slot = pool.acquire();
    expect(slot).not.toBe(NO_SLOT);
    sender.enqueue(slot, 0, 100);

    // then
    expect(() => sender.flush()).toThrow(`sendmsg 127.0.0.1:${server.port}: ECONNRESET (Connection reset by peer)`);
    expect(pool.inUseCount).toBe(0);
    expect(() => sender.flush()).toThrow('ECONNRESET');
    expect(() => sender.enqueue(pool.acquire(), 0, 10)).toThrow('ECONNRESET');
  });
});

describe('TcpSender hot path', () => {
  const ORDER_LENGTH = 64;
  const ORDERS_PER_FLUSH = 16;

  /** Encodes `count` fixed-size orders and sends them in batches; blocks only when the socket is full. */
  function sendOrders(sender: TcpSender, firstSequence: number, count: number): void {
    const pool = sender.pool;
    const view = pool.view;
    for (let sequence = firstSequence; sequence < firstSequence + count; sequence++) {
      let slot = pool.acquire();
      while (slot === NO_SLOT) {
        if (sender.flush() === 0) sender.waitWritable(1000);
        slot = pool.acquire();
      }
      const offset = pool.slotOffset(slot);
      view.setUint32(offset, sequence, true);
      view.setUint32(offset + 4, ORDER_LENGTH, true);
      sender.enqueue(slot, 0, ORDER_LENGTH);
      if (sender.pendingSegments >= ORDERS_PER_FLUSH) sender.flush();
    }
    while (sender.pendingSegments > 0) {
      if (sender.flush() === 0) sender.waitWritable(1000);
    }
  }

  it('encodes and sends a million orders with no GC run', { timeout: 120_000 }, async () => {
    // given a reader in another process that counts what it gets
    const reader = spawn(
      process.execPath,
      ['-e', `const s = require('node:net').createServer((c) => { let n = 0; c.on('data', (d) => { n += d.length; }); c.on('end', () => { console.log(n); s.close(); }); });
              s.listen(0, '127.0.0.1', () => console.log(s.address().port));`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => reader.kill());
    const lines = (async function* () {
      let buffered = '';
      for await (const chunk of reader.stdout!) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          yield buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
        }
      }
    })();
    const port = Number((await lines.next()).value);
    const pool = createPool(256, ORDER_LENGTH);
    const sender = await TcpSender.connect(pool, { host: '127.0.0.1', port });
    sendOrders(sender, 0, 100_000); // lets V8 optimise the loop before it is measured

    // when
    const { gcRuns, elapsedMs, newSpaceGrowthBytes } = await gcRunsDuring(() => sendOrders(sender, 100_000, 1_000_000));
    sender.close();
    const receivedBytes = Number((await lines.next()).value);

    // then
    console.log(
      `zero-alloc send: 1000000 orders in ${elapsedMs.toFixed(0)} ms, ${sender.writevCalls} writev calls, ` +
        `${sender.partialWrites} partial, ${sender.wouldBlockCount} EAGAIN, GC runs ${gcRuns}, new-space growth ${newSpaceGrowthBytes} bytes`,
    );
    expect(gcRuns).toBe(0);
    expect(sender.bytesSent).toBe(1_100_000 * ORDER_LENGTH);
    expect(receivedBytes).toBe(sender.bytesSent);
    expect(pool.inUseCount).toBe(0);
  });
});
