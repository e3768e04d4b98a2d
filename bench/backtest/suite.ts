/**
 * The backtest suite as the harness runs it: a synthetic MDP 3.0 session generated once into
 * bench/build/feeds (src/replay/feed-generator.ts, the `zerotick feeds generate` generator;
 * reused while it exists), then the measuring process (main.ts) on the measured core;
 * report.ts writes its RESULTS.md section.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFeed } from '../../src/replay/feed-generator.js';
import { logProgress, runTypeScriptChild } from '../lib/child.js';
import { benchDirectory } from '../lib/paths.js';
import { canPinToSeparateCores, measurementNiceness, MEASURED_CPU } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';
import { renderBacktestSection } from './report.js';
import type { BacktestSuiteResult } from './results.js';

const FULL_MESSAGES = 1_000_000;
const QUICK_MESSAGES = 200_000;
const SEED = 7;

async function generatedFeed(messages: number): Promise<string> {
  const directory = path.join(benchDirectory, 'build', 'feeds');
  const file = path.join(directory, `backtest-${messages}-seed${SEED}.pcap`);
  if (!existsSync(file)) {
    mkdirSync(directory, { recursive: true });
    logProgress(`generating ${messages} messages into ${path.relative(benchDirectory, file)}`);
    await generateFeed({ messages, seed: SEED, out: file });
  }
  return file;
}

async function run(quick: boolean): Promise<BacktestSuiteResult> {
  const feed = await generatedFeed(quick ? QUICK_MESSAGES : FULL_MESSAGES);
  const cpu = canPinToSeparateCores() ? MEASURED_CPU : undefined;
  const result = await runTypeScriptChild<BacktestSuiteResult>(fileURLToPath(new URL('main.ts', import.meta.url)), [feed, String(SEED), ...(quick ? ['--quick'] : [])], {
    cpu,
    nodeFlags: ['--expose-gc'],
  });
  const niceness = measurementNiceness();
  result.pinning = cpu === undefined ? 'not pinned (taskset or a second core missing)' : `pinned to CPU ${cpu}${niceness === 0 ? '' : ` at nice ${niceness}`}`;
  return result;
}

export const backtestSuite: Suite<BacktestSuiteResult> = { name: 'backtest', title: 'Backtest', run, render: renderBacktestSection };
