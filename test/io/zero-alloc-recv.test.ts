/**
 * The hot receive path allocates nothing: a million datagrams go through recvmmsg into pool
 * slots and are read in place, and V8 runs no garbage collection meanwhile. Loss is counted
 * and printed, not asserted: this is a correctness test, bench/io measures rates. Measured in a
 * child process that owns the sockets (see the fixture), where nothing but the loop runs.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import type { RecvResult } from './fixtures/zero-alloc-recv.js';
import { SMALL_YOUNG_GENERATION_FLAG } from './fixtures/young-generation.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-recv.ts', import.meta.url));
const MEASURED_DATAGRAMS = 1_000_000;
const PAYLOAD_LENGTH = 64;

it('receives a million datagrams through recvmmsg into the pool with no GC run', { timeout: 120_000 }, async () => {
  // given a receiver and a C sender (sendmmsg) on loopback, in a child with a small young generation
  // when it drains a million datagrams after warm-up
  const result = await runTypeScriptChild<RecvResult>(fixture, [String(MEASURED_DATAGRAMS), String(PAYLOAD_LENGTH)], {
    nodeFlags: [SMALL_YOUNG_GENERATION_FLAG],
  });

  // then
  const { gcRuns, elapsedMs, newSpaceGrowthBytes, datagrams, kernelDrops } = result;
  const lost = result.lastSequence - result.firstSequence + 1 - datagrams;
  console.log(
    `zero-alloc recv: ${datagrams} datagrams in ${elapsedMs.toFixed(0)} ms ` +
      `(${((datagrams / elapsedMs) * 1000).toFixed(0)}/s), lost ${lost} (kernel drop counter +${kernelDrops}), ` +
      `GC runs ${gcRuns}, new-space growth ${newSpaceGrowthBytes} bytes`,
  );
  expect(gcRuns).toBe(0);
  expect(datagrams).toBeGreaterThanOrEqual(MEASURED_DATAGRAMS);
  expect(result.bytes).toBe(datagrams * PAYLOAD_LENGTH);
  expect(result.outOfOrder).toBe(0);
  expect(lost).toBeGreaterThanOrEqual(0);
});
