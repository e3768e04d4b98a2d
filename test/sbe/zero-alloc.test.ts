/**
 * The read and write paths of generated codecs allocate nothing: a million decode + encode
 * rounds of a Car (groups, nested groups, var data, char arrays, composites, a set) and of an
 * MDP3 MDIncrementalRefreshBook46 (4 book entries, 2 order entries) run after warm-up without a
 * single garbage collection. Values are folded into a checksum so nothing is optimised away.
 * Measured in a child process per message (see the fixture), where nothing but the loop runs.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import { MEASURED_ROUNDS, type CodecRoundsResult } from './fixtures/codec-rounds.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-codecs.ts', import.meta.url));

/**
 * The generated accessors allocate nothing, but a double (a float field, a 64-bit integer past
 * 2^31) that crosses a call V8 did not inline is boxed into a 16-byte HeapNumber. Accessors are
 * kept small so V8 inlines them; a whole Book46 encode plus decode in one loop still needs more
 * than V8's default inlining budget of 920 bytecodes per optimised function (with the default the
 * Car passes, Book46 shows about one GC per million rounds). The child runs with this setting
 * from its start; code that cannot count on it stores its 64-bit values in a Float64Array and
 * uses the `xFrom`/`xInto` accessors (test/sbe/zero-alloc-typed-arrays, src/sim/order-replies.ts).
 */
const INLINING_BUDGET_FLAG = '--max-inlined-bytecode-size-cumulative=1500';

async function measure(message: 'car' | 'book46'): Promise<CodecRoundsResult> {
  const result = await runTypeScriptChild<CodecRoundsResult>(fixture, [message], { nodeFlags: [INLINING_BUDGET_FLAG] });
  console.log(`${message}: ${MEASURED_ROUNDS} rounds in ${result.elapsedMs.toFixed(0)} ms, ${result.gcRuns} GC runs, new space +${result.newSpaceGrowthBytes} B`);
  return result;
}

describe('zero allocation on the hot path', () => {
  it('decodes and encodes a Car a million times without a GC', async () => {
    // when
    const { gcRuns, checksum } = await measure('car');
    // then
    expect(checksum).toBeGreaterThan(MEASURED_ROUNDS);
    expect(gcRuns).toBe(0);
  });

  it('decodes and encodes an MDP3 MDIncrementalRefreshBook46 a million times without a GC', async () => {
    // when
    const { gcRuns, checksum } = await measure('book46');
    // then
    expect(checksum).toBeGreaterThan(MEASURED_ROUNDS);
    expect(gcRuns).toBe(0);
  });
});
