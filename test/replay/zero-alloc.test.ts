/**
 * The replay and record hot loops allocate nothing per packet: a few hundred thousand packets
 * replayed at max speed through sendmmsg, 40,000 paced at 1x (the replay suite's gaps:
 * busy-waited, blocked on, slept on a timer), and a million records written, with no GC run.
 * Measured in a child process (see the fixture), with 1 MB semi-spaces so a few bytes a packet
 * cannot hide in one.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';

interface ChildResult {
  maxSpeed: { gcRuns: number; packets: number };
  paced: { gcRuns: number; packets: number };
  writer: { gcRuns: number; records: number };
}

it('replays at max speed and paced, and writes capture records, with no GC run', { timeout: 180_000 }, async () => {
  // when
  const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-child.ts', import.meta.url));
  const result = await runTypeScriptChild<ChildResult>(fixture, [], { nodeFlags: ['--expose-gc', '--max-semi-space-size=1'] });
  // then
  expect(result).toEqual({
    maxSpeed: { gcRuns: 0, packets: 200_000 },
    paced: { gcRuns: 0, packets: 40_000 },
    writer: { gcRuns: 0, records: 1_000_000 },
  });
});
