/**
 * A backtest's summary counts its garbage collections twice: all that started while the file
 * ran, and those after the warm-up (the first tenth of the file), the steady state's.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const collectingStrategy = fileURLToPath(new URL('./fixtures/collecting-strategy.ts', import.meta.url));
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

it('counts a collection on the first book as warm-up, and one when the strategies stop as steady state', async () => {
  // when: the strategy forces a collection at each end of the committed sample
  const summary = await runBacktest({ feed: `pcap:${path.join(repoRoot, 'feeds/sample.pcap')}`, strategies: [{ path: collectingStrategy }], log: quiet });
  // then
  expect(summary.gcCount - summary.steadyStateGcCount).toBeGreaterThanOrEqual(1);
  expect(summary.steadyStateGcCount).toBeGreaterThanOrEqual(1);
});
