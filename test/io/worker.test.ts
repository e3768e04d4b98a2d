import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { BufferPool } from '../../src/io/pool.js';
import { openSender, patternedPayload } from './fixtures/datagrams.js';
import { startTsWorker } from './fixtures/ts-worker.js';
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
