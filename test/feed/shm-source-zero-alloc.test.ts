/**
 * The shm:// feed source's busy-poll allocates nothing: half a million records, each taken by
 * one poll among eight that find nothing, with no GC run. Measured in a child process with a
 * small young generation (see test/io/fixtures/young-generation.ts), where nothing but the loop
 * runs: 16 bytes a poll, one boxed clock reading, would fill it many times over.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import { SMALL_YOUNG_GENERATION_FLAG } from '../io/fixtures/young-generation.js';
import type { ShmSourceDrainResult } from './fixtures/zero-alloc-shm-source.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-shm-source.ts', import.meta.url));
const WARM_UP_RECORDS = 50_000;
const MEASURED_RECORDS = 500_000;

describe('shm:// feed source hot path', () => {
  it('busy-polls half a million records, and four million empty polls, with no GC run', { timeout: 120_000 }, async () => {
    // given a source warmed up on 50k records
    // when 500k more are written one at a time and polled for, eight idle polls after each
    const result = await runTypeScriptChild<ShmSourceDrainResult>(fixture, [WARM_UP_RECORDS, MEASURED_RECORDS].map(String), {
      nodeFlags: [SMALL_YOUNG_GENERATION_FLAG],
    });

    // then each was handed over, with the realtime clock's reading when its poll found it, and nothing was collected
    console.log(`shm source: ${result.records} records in ${result.elapsedMs.toFixed(0)} ms, GC runs ${result.gcRuns}, new-space growth ${result.newSpaceGrowthBytes} bytes`);
    expect(result.records).toBeGreaterThanOrEqual(WARM_UP_RECORDS + MEASURED_RECORDS);
    expect(result.bytes).toBe(result.records * 64);
    expect(Math.abs(result.wallClockNanos - result.lastReceiveNanos)).toBeLessThan(60e9);
    expect(result.gcRuns).toBe(0);
    expect(result.newSpaceGrowthBytes).toBeLessThan(64 * 1024);
  });
});
