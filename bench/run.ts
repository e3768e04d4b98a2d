/**
 * The benchmark harness: `npm run bench [-- --quick] [-- --only codec|io|scrape|t2t] [-- --render-only]`.
 *
 * Each suite runs in its own child process(es), is saved to bench/build/results/<suite>.json,
 * and bench/RESULTS.md is rewritten from the latest saved run of every suite, under the machine
 * it ran on (lib/results-file.ts). Figures are only ever compared within one suite run.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { codecSuite } from './codec/suite.js';
import { ioSuite } from './io/suite.js';
import { scrapeSuite } from './scrape/suite.js';
import { backtestSuite } from './backtest/suite.js';
import { replaySuite } from './replay/suite.js';
import { t2tSuite } from './t2t/suite.js';
import { benchDirectory } from './lib/paths.js';
import { describeMachine } from './lib/machine.js';
import { renderResults } from './lib/results-file.js';
import type { Suite, SuiteName, SuiteRun } from './lib/suite.js';

const suites: ReadonlyArray<Suite<unknown>> = [codecSuite as Suite<unknown>, ioSuite as Suite<unknown>, scrapeSuite as Suite<unknown>, t2tSuite as Suite<unknown>, replaySuite as Suite<unknown>, backtestSuite as Suite<unknown>];
const resultsDirectory = path.join(benchDirectory, 'build', 'results');
const resultsMarkdownPath = path.join(benchDirectory, 'RESULTS.md');

interface CommandLine {
  quick: boolean;
  only: SuiteName | undefined;
  /** Rewrite RESULTS.md from the saved runs without running anything (after a change to a report). */
  renderOnly: boolean;
}

function parseCommandLine(): CommandLine {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, 'render-only': { type: 'boolean', default: false } },
  });
  const only = values.only;
  if (only !== undefined && !suites.some((suite) => suite.name === only)) {
    throw new Error(`--only ${only}: no such suite (choose one of ${suites.map((suite) => suite.name).join(', ')})`);
  }
  return { quick: values.quick ?? false, only: only as SuiteName | undefined, renderOnly: values['render-only'] ?? false };
}

function savedRunPath(name: SuiteName): string {
  return path.join(resultsDirectory, `${name}.json`);
}

function loadSavedRun(name: SuiteName): SuiteRun<unknown> | undefined {
  const file = savedRunPath(name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SuiteRun<unknown>) : undefined;
}

async function main(): Promise<void> {
  const { quick, only, renderOnly } = parseCommandLine();
  mkdirSync(resultsDirectory, { recursive: true });
  for (const suite of suites) {
    if (renderOnly || (only !== undefined && suite.name !== only)) {
      continue;
    }
    const started = Date.now();
    const machineAtStart = describeMachine();
    process.stderr.write(`bench ${suite.name}${quick ? ' (quick)' : ''}\n`);
    const result = await suite.run(quick);
    const suiteRun: SuiteRun<unknown> = { suite: suite.name, quick, machine: machineAtStart, result };
    writeFileSync(savedRunPath(suite.name), JSON.stringify(suiteRun, null, 2));
    process.stderr.write(`bench ${suite.name}: done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const previous = existsSync(resultsMarkdownPath) ? readFileSync(resultsMarkdownPath, 'utf8') : undefined;
  writeFileSync(resultsMarkdownPath, renderResults(suites.map((suite) => ({ suite, run: loadSavedRun(suite.name) })), previous));
  process.stderr.write(`wrote ${path.relative(process.cwd(), resultsMarkdownPath)}\n`);
}

await main();
