/**
 * `zerotick run --feed pcap:<file> --strategy <s>` with no `--exchange`: the in-process backtest
 * (src/backtest). The file runs through the gateway's feed handler and strategies on this
 * thread, with the recorded SendingTime as the clock, orders going to the simulator's matching
 * engine in-process; the summary goes to stdout at the end.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { runBacktest, type BacktestSpeed } from '../backtest/backtest.js';
import { formatSummary } from '../backtest/backtest-summary.js';
import type { GatewayFlags } from '../gateway/config.js';
import { consoleLog } from './console-log.js';
import { parseSpeed } from './replay.js';

const NANOS_PER_MICRO = 1_000;

export interface BacktestFlags {
  speed?: BacktestSpeed;
  orderLatencyUs?: number;
  ordersOut?: string;
}

/** The backtest's options on `zerotick run`. */
export function addBacktestOptions(command: Command): Command {
  return command
    .option('--speed <speed>', 'backtest (pcap feed, no --exchange): max (default), or a multiple of the recorded pace (1 = as recorded)', parseSpeed)
    .option('--order-latency-us <us>', 'backtest: one-way order latency in recorded microseconds (default 0)', nonNegativeMicros)
    .option('--orders-out <file>', 'backtest: write every order and execution report frame (the bytes to compare between runs)');
}

/** A backtest: one capture file as the feed, no exchange to send orders to and no config naming one. */
export function isBacktest(flags: GatewayFlags): boolean {
  return flags.exchange === undefined && flags.config === undefined && flags.feed?.length === 1 && flags.feed[0]!.startsWith('pcap:');
}

export async function runBacktestCommand(flags: GatewayFlags & BacktestFlags): Promise<void> {
  const strategies = flags.strategy ?? [];
  if (strategies.length === 0) throw new Error('a backtest needs at least one --strategy <path>');
  const summary = await runBacktest({
    feed: flags.feed![0]!,
    strategies: strategies.map((path) => ({ path })),
    speed: flags.speed ?? 'max',
    orderLatencyNanos: (flags.orderLatencyUs ?? 0) * NANOS_PER_MICRO,
    ordersOut: flags.ordersOut,
    log: consoleLog(),
  });
  process.stdout.write(`${formatSummary(summary)}\n`);
}

function nonNegativeMicros(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError('not a non-negative number of microseconds.');
  return value;
}
