/**
 * The capture reader allocates nothing per datagram: 200k datagrams (a 2000-datagram capture
 * read 100 times over) run without a garbage collection. Measured in a child process with a
 * small young generation (see the fixture), where nothing but the loop runs.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import type { PcapReadResult } from './fixtures/zero-alloc-pcap.js';
import { SMALL_YOUNG_GENERATION_FLAG } from './fixtures/young-generation.js';

const fixture = fileURLToPath(new URL('./fixtures/zero-alloc-pcap.ts', import.meta.url));

it('allocates nothing per datagram: no garbage collection while reading 200k datagrams', async () => {
  // given a capture of 2000 datagrams, read 100 times over once to warm up
  // when it is read 100 times over again
  const { gcRuns, elapsedMs, newSpaceGrowthBytes, payloadBytes } = await runTypeScriptChild<PcapReadResult>(fixture, [], {
    nodeFlags: [SMALL_YOUNG_GENERATION_FLAG],
  });
  console.log(`pcap read: ${payloadBytes} payload bytes in ${elapsedMs.toFixed(0)} ms, GC runs ${gcRuns}, new-space growth ${newSpaceGrowthBytes} bytes`);

  // then
  expect(gcRuns).toBe(0);
});
