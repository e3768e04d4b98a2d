/**
 * The backtest's order path (router, in-process session, delay lines, the simulator's order
 * session and matching engine, reports back) allocates nothing per request in its steady state:
 * new orders that fill or are cancelled, a resting order replaced, partly filled by a recorded
 * trade and cancelled, 600k requests in all, with no garbage collection.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';

interface ChildResult {
  gcRuns: number;
  rounds: number;
  fills: number;
  partialFills: number;
  cancels: number;
  replaces: number;
  rejects: number;
  workingOrdersAtEnd: number;
}

describe('backtest order path allocation', () => {
  it('runs 100k rounds of every kind of request with no garbage collection', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/order-flow-gc-child.ts', import.meta.url));
    const result = await runTypeScriptChild<ChildResult>(fixture, [], { nodeFlags: ['--expose-gc'] });
    // every request did what the round meant, so the whole path ran...
    expect(result).toMatchObject({
      fills: result.rounds,
      partialFills: result.rounds,
      cancels: 2 * result.rounds,
      replaces: result.rounds,
      rejects: 0,
      workingOrdersAtEnd: 0,
    });
    // ...and allocated nothing the young generation had to collect
    expect(result.gcRuns).toBe(0);
  }, 120_000);
});
