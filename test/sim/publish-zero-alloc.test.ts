/** The feed publisher's path (market step, matching, book diff, MDP3 encoding) allocates nothing per event. */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('feed publisher allocation', () => {
  it('runs a million synthetic events with no garbage collection', () => {
    const output = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./fixtures/publish-gc-child.ts', import.meta.url))],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' },
    );
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as { gcRuns: number; events: number; packets: number; elapsedMs: number };
    expect(result.packets).toBeGreaterThanOrEqual(result.events * 0.9);
    expect(result.gcRuns).toBe(0);
  }, 120_000);
});
