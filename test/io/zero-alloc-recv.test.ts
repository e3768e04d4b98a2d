/**
 * The hot receive path allocates nothing: a million datagrams go through recvmmsg into pool
 * slots and are read in place, and V8 runs no garbage collection meanwhile. Loss is counted
 * and printed, not asserted: this is a correctness test, bench/io measures rates.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { BufferPool } from '../../src/io/pool.js';
import { BUSY_POLL, UdpReceiver } from '../../src/io/udp.js';
import { gcRunsDuring } from '../support/gc-runs.js';

const MEASURED_DATAGRAMS = 1_000_000;
const WARM_UP_DATAGRAMS = 100_000;
/** Empty polls in a row after which the sender is considered gone (~ seconds of busy-polling). */
const MAX_IDLE_POLLS = 5_000_000;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Results of drain(), kept in a typed array made once so the loop itself stores no objects.
const DATAGRAMS = 0;
const BYTES = 1;
const FIRST_SEQUENCE = 2;
const LAST_SEQUENCE = 3;
const OUT_OF_ORDER = 4;
const drained = new Float64Array(5);

/** The loop under test: receive into the pool, read each datagram in place. */
function drain(receiver: UdpReceiver, count: number): void {
  const view = receiver.pool.view;
  let datagrams = 0;
  let bytes = 0;
  let firstSequence = -1;
  let lastSequence = -1;
  let outOfOrder = 0;
  let idlePolls = 0;
  while (datagrams < count && idlePolls < MAX_IDLE_POLLS) {
    const received = receiver.receive(BUSY_POLL);
    if (received === 0) {
      idlePolls++;
      continue;
    }
    idlePolls = 0;
    for (let i = 0; i < received; i++) {
      const sequence = view.getUint32(receiver.offset(i), true);
      if (firstSequence < 0) firstSequence = sequence;
      else if (sequence <= lastSequence) outOfOrder++;
      lastSequence = sequence;
      bytes += receiver.length(i);
    }
    datagrams += received;
  }
  drained[DATAGRAMS] = datagrams;
  drained[BYTES] = bytes;
  drained[FIRST_SEQUENCE] = firstSequence;
  drained[LAST_SEQUENCE] = lastSequence;
  drained[OUT_OF_ORDER] = outOfOrder;
}

/** Builds the C sender (sendmmsg, so the receiver, not the sender, is the bottleneck). */
function buildBlaster(): string {
  const directory = mkdtempSync(join(tmpdir(), 'zt-blaster-'));
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }));
  const executable = join(directory, 'udp-blaster');
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', executable, fileURLToPath(new URL('./fixtures/udp-blaster.c', import.meta.url))]);
  return executable;
}

async function startBlaster(port: number, payloadLength: number): Promise<ChildProcess> {
  const blaster = spawn(buildBlaster(), [String(port), String(payloadLength)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => blaster.kill());
  await once(blaster.stdout!, 'data');
  return blaster;
}

it('receives a million datagrams through recvmmsg into the pool with no GC run', { timeout: 120_000 }, async () => {
  // given a receiver on one core and a node:dgram sender in another process
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 1024 });
  cleanups.push(() => pool.destroy());
  const receiver = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', batchSize: 64, receiveBufferBytes: 4 << 20 });
  cleanups.push(() => receiver.close());
  await startBlaster(receiver.localPort, 64);
  drain(receiver, WARM_UP_DATAGRAMS); // lets V8 optimise the loop before it is measured
  const dropsBefore = receiver.kernelDropCount;

  // when
  const { gcRuns, elapsedMs, newSpaceGrowthBytes } = await gcRunsDuring(() => drain(receiver, MEASURED_DATAGRAMS));

  // then
  const sequenceSpan = drained[LAST_SEQUENCE]! - drained[FIRST_SEQUENCE]! + 1;
  const lost = sequenceSpan - drained[DATAGRAMS]!;
  console.log(
    `zero-alloc recv: ${drained[DATAGRAMS]} datagrams in ${elapsedMs.toFixed(0)} ms ` +
      `(${((drained[DATAGRAMS]! / elapsedMs) * 1000).toFixed(0)}/s), lost ${lost} ` +
      `(kernel drop counter +${receiver.kernelDropCount - dropsBefore}), GC runs ${gcRuns}, ` +
      `new-space growth ${newSpaceGrowthBytes} bytes`,
  );
  expect(gcRuns).toBe(0);
  expect(drained[DATAGRAMS]).toBeGreaterThanOrEqual(MEASURED_DATAGRAMS);
  expect(drained[BYTES]).toBe(drained[DATAGRAMS]! * 64);
  expect(drained[OUT_OF_ORDER]).toBe(0);
  expect(lost).toBeGreaterThanOrEqual(0);
});
