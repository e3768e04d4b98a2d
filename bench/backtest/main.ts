/**
 * The measuring process of the backtest suite: the generated feed through `Backtest` (src/backtest)
 * at --speed max on this thread, in two configurations interleaved round by round:
 *   books: decode + sequencing + book building, no strategy;
 *   ping:  the same plus strategies/ping.ts, whose order on every book event goes through the
 *          router (risk, encoding) to the simulated exchange and back as ExecutionReports.
 * Before each round a full collection, then the GC count of the round (PerformanceObserver): in
 * all, and after the warm-up, the first tenth of the file (the steady state).
 * Prints one BacktestSuiteResult.
 *
 *   node --expose-gc --import tsx bench/backtest/main.ts <feed.pcap> <seed> [--quick]
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { Backtest, runCountingCollections } from '../../src/backtest/backtest.js';
import { GcCounter } from '../../src/metrics/gc-counter.js';
import { isQuick, logProgress, writeResult } from '../lib/child.js';
import { repoDirectory } from '../lib/paths.js';
import type { BacktestConfiguration, BacktestRound, BacktestSuiteResult } from './results.js';

export const GOAL_MESSAGES_PER_SECOND = 10_000_000;
const FULL_ROUNDS = 5;
const QUICK_ROUNDS = 3;
const CONFIGURATIONS: Record<BacktestConfiguration, string[]> = { books: [], ping: [path.join(repoDirectory, 'strategies/ping.ts')] };
const quiet = { info: () => {}, warn: (line: string) => logProgress(line), error: (line: string) => logProgress(line) };

function collectGarbageNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('bench/backtest/main.ts needs node --expose-gc');
  gc();
}

async function runRound(feed: string, configuration: BacktestConfiguration, round: number, gcCounter: GcCounter): Promise<BacktestRound> {
  const backtest = await Backtest.open({ feed: `pcap:${feed}`, strategies: CONFIGURATIONS[configuration].map((strategy) => ({ path: strategy })), log: quiet });
  try {
    collectGarbageNow();
    await gcCounter.settle();
    const summary = backtest.summary(await runCountingCollections(backtest, gcCounter));
    const result: BacktestRound = {
      configuration,
      round,
      warmUp: round === 0,
      messages: summary.messages,
      packets: summary.packets,
      orders: summary.orders,
      fills: summary.fills,
      elapsedSeconds: summary.elapsedSeconds,
      messagesPerSecond: summary.messagesPerSecond,
      gcCount: summary.gcCount,
      steadyStateGcCount: summary.steadyStateGcCount,
    };
    logProgress(`${configuration} round ${round}: ${(result.messagesPerSecond / 1e6).toFixed(3)} M messages/s, ${result.orders} orders, ${result.gcCount} GCs (${result.steadyStateGcCount} after the warm-up)`);
    return result;
  } finally {
    backtest.close();
  }
}

async function main(): Promise<void> {
  const [feed, seed] = process.argv.slice(2);
  if (feed === undefined || seed === undefined) throw new Error('usage: main.ts <feed.pcap> <seed> [--quick]');
  const gcCounter = new GcCounter();
  const rounds: BacktestRound[] = [];
  const roundCount = 1 + (isQuick() ? QUICK_ROUNDS : FULL_ROUNDS);
  for (let round = 0; round < roundCount; round++) {
    for (const configuration of Object.keys(CONFIGURATIONS) as BacktestConfiguration[]) rounds.push(await runRound(feed, configuration, round, gcCounter));
  }
  gcCounter.close();
  const first = rounds[0]!;
  writeResult({
    feed: { path: path.relative(repoDirectory, feed), messages: first.messages, packets: first.packets, bytes: statSync(feed).size, seed: Number(seed) },
    rounds,
    pinning: '',
    goalMessagesPerSecond: GOAL_MESSAGES_PER_SECOND,
  } satisfies BacktestSuiteResult);
}

await main();
