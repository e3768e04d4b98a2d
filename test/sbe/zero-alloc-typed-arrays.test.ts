/**
 * The allocation-free path that does not depend on V8's inlining budget: an MDP3
 * MDIncrementalRefreshBook46 whose prices and times are written from and read into Float64Arrays
 * (`xxxFrom(src, i)` / `xxxInto(dst, i)`), so no double ever crosses a call. A million encode +
 * decode rounds after warm-up, with V8's default flags, run without a single GC. Measured in a
 * child process (see the fixture), where nothing but the loop runs.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import { MEASURED_ROUNDS, type CodecRoundsResult } from './fixtures/codec-rounds.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-typed-arrays.ts', import.meta.url));
/** Sizes plus price levels of the four entries each round writes: what a decoded round returns. */
const SIZES_AND_LEVELS_PER_ROUND = 56;

describe('zero allocation through typed-array accessors', () => {
  it('encodes and decodes a Book46 a million times without a GC under default V8 flags', async () => {
    // when
    const { gcRuns, checksum, encodedLength, elapsedMs, newSpaceGrowthBytes } = await runTypeScriptChild<CodecRoundsResult & { encodedLength: number }>(fixture, []);
    console.log(`book46 typed arrays: ${MEASURED_ROUNDS} rounds in ${elapsedMs.toFixed(0)} ms, ${gcRuns} GC runs, new space +${newSpaceGrowthBytes} B`);

    // then: every decoded round matched (a -1 would pull the sum below this) and nothing was collected
    expect(checksum).toBeGreaterThanOrEqual(MEASURED_ROUNDS * (encodedLength + SIZES_AND_LEVELS_PER_ROUND));
    expect(gcRuns).toBe(0);
  });
});
