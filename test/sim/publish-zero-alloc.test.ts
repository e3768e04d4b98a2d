/** The feed publisher's path (market step, matching, book diff, MDP3 encoding) allocates nothing per event. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';

describe('feed publisher allocation', () => {
  it('runs a million synthetic events with no garbage collection', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/publish-gc-child.ts', import.meta.url));
    const result = await runTypeScriptChild<{ gcRuns: number; events: number; packets: number; elapsedMs: number }>(fixture, []);
    expect(result.packets).toBeGreaterThanOrEqual(result.events * 0.9);
    expect(result.gcRuns).toBe(0);
  }, 120_000);
});
