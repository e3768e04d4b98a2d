/**
 * The replay and record hot loops allocate nothing per packet: a few hundred thousand packets
 * replayed at max speed through sendmmsg, and a million records written, with no GC run.
 * Measured in a child process (see the fixture).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('replays at max speed and writes capture records with no GC run', { timeout: 180_000 }, () => {
  // when
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./fixtures/zero-alloc-child.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
  });
  // then
  const result = JSON.parse(output) as { replayGcRuns: number; replayedPackets: number; writerGcRuns: number; writtenRecords: number };
  expect(result.replayedPackets).toBe(200_000);
  expect(result.writtenRecords).toBe(1_000_000);
  expect(result.replayGcRuns).toBe(0);
  expect(result.writerGcRuns).toBe(0);
});
