/**
 * The copy worker's scavenges run on the worker's own thread: no share of them goes to V8's
 * helper threads, which run off the worker's core. Read from V8's own account of each
 * collection (--trace-gc-nvp: background.scavenge.parallel, the helpers' time in ms).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/scavenge-child.ts', import.meta.url));

/** The helpers' time of each scavenge the child ran after the call, in ms. */
function helperTimesPerScavenge(): number[] {
  const trace = execFileSync(process.execPath, ['--expose-gc', '--trace-gc-nvp', '--import', 'tsx', child], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const lines = trace.split('\n');
  // from the child's full collection, right after the call
  return lines
    .slice(lines.findIndex((line) => line.includes('gc=mc ')))
    .filter((line) => line.includes('gc=s '))
    .map((line) => Number(/background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1] ?? Number.NaN));
}

describe('scavengeOnCollectingThread', () => {
  it('leaves no share of any scavenge to the helper threads', () => {
    const helperTimes = helperTimesPerScavenge();

    expect(helperTimes.length).toBeGreaterThan(5);
    expect(helperTimes.filter((ms) => ms !== 0)).toEqual([]);
  });
});
