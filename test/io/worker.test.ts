import { once } from 'node:events';
import net from 'node:net';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { BufferPool } from '../../src/io/pool.js';
import { openSender, patternedPayload } from './fixtures/datagrams.js';
import { startTsWorker } from './fixtures/ts-worker.js';
import type { SendWorkerData, SendWorkerResult } from './fixtures/tcp-send-worker.js';
import type { ReceiveWorkerData, ReceiveWorkerMessage } from './fixtures/udp-receive-worker.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function checksumOf(payloads: Uint8Array[]): number {
  let checksum = 0;
  for (const payload of payloads) for (const byte of payload) checksum = (checksum * 31 + byte) >>> 0;
  return checksum;
}

function nextMessage(worker: Worker): Promise<ReceiveWorkerMessage> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

it('receives by recvmmsg inside a pinned worker_thread into a pool shared with the main thread', async () => {
  // given a pool made here and handed to the worker as plain data
  const pool = BufferPool.create({ slotSize: 1024, slotCount: 128 });
  cleanups.push(() => pool.destroy());
  const cpu = availableParallelism() - 1;
  const workerData: ReceiveWorkerData = { pool: pool.handle(), expectedDatagrams: 500, cpu };
  const worker = startTsWorker(new URL('./fixtures/udp-receive-worker.ts', import.meta.url), { workerData });
  cleanups.push(() => worker.terminate());
  const listening = await nextMessage(worker);
  if (listening.kind !== 'listening') throw new Error(`unexpected ${listening.kind}`);

  // when
  const payloads = Array.from({ length: 500 }, (_, sequence) => patternedPayload(sequence, 64 + (sequence % 900)));
  const sender = await openSender();
  cleanups.push(() => sender.close());
  const done = nextMessage(worker);
  await sender.sendAll(payloads, listening.port);
  const result = await done;
  if (result.kind !== 'done') throw new Error(`unexpected ${result.kind}`);

  // then
  expect(listening.cpu).toBe(cpu);
  expect(result.datagrams).toBe(500);
  expect(result.bytes).toBe(payloads.reduce((sum, payload) => sum + payload.length, 0));
  expect(result.checksum).toBe(checksumOf(payloads));
  const last = payloads[499]!;
  const offset = pool.slotOffset(result.lastSlot);
  expect(pool.bytes.slice(offset, offset + last.length)).toEqual(last);
});

it('connects and sends orders by writev from a worker_thread', async () => {
  // given a reader on the main thread
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => socket.on('data', (chunk) => chunks.push(chunk)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as net.AddressInfo).port;

  // when
  const workerData: SendWorkerData = { port, orders: 1000 };
  const worker = startTsWorker(new URL('./fixtures/tcp-send-worker.ts', import.meta.url), { workerData });
  cleanups.push(() => worker.terminate());
  const [result] = (await once(worker, 'message')) as [SendWorkerResult];
  await once(worker, 'exit');
  while (chunks.reduce((sum, chunk) => sum + chunk.length, 0) < result.bytesSent) await new Promise((resolve) => setTimeout(resolve, 5));

  // then: 1000 orders of 32 bytes, numbered in order
  const stream = Buffer.concat(chunks);
  expect(result.bytesSent).toBe(1000 * 32);
  expect(stream.length).toBe(result.bytesSent);
  for (let sequence = 0; sequence < 1000; sequence++) {
    expect(stream.readUInt32LE(sequence * 32)).toBe(sequence);
    expect(stream[sequence * 32 + 31]).toBe(sequence & 0xff);
  }
});
