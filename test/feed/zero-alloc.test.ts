/**
 * The feed's hot path allocates nothing per message: a million MDIncrementalRefreshBook46
 * datagrams through sequencer + handler + books + a reading listener cause no GC run. Measured
 * in a child process (`node --import tsx`), where nothing but the loop runs.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-feed.ts', import.meta.url));

describe('feed hot path', () => {
  it('handles 1M Book46 messages with books and a listener with zero GC runs', () => {
    const output = execFileSync(process.execPath, ['--import', 'tsx', fixture, '1000000'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, number>;
    console.log(`feed hot path: ${result.messages} messages in ${result.elapsedMs!.toFixed(0)} ms, ${result.gcRuns} GC runs, new space +${result.newSpaceGrowthBytes} B`);
    expect(result.messages).toBe(1_000_000);
    expect(result.badInput).toBe(0);
    expect(result.gaps).toBe(0);
    expect(result.bookEntriesRejected).toBe(0);
    expect(result.bookUpdates).toBeGreaterThan(1_000_000);
    expect(result.gcRuns).toBe(0);
  });
});
