/**
 * The one-line live summary `zerotick run` and `npm start` print about once a second:
 *
 *   packets 12034 | messages 48210 | orders 311 | fills 97 | rejects 0 | tick-to-trade p50 21.4 us p99 48.9 us
 *
 * On a terminal the line is rewritten in place; elsewhere (a pipe, a log file) one line per
 * second, so that what reads it gets whole lines.
 */
import type { Gateway } from '../gateway/gateway.js';
import { summarizeLatency, type LatencySummary } from '../metrics/latency-histogram.js';

export const SUMMARY_INTERVAL_MS = 1000;

function micros(nanos: number): string {
  return `${(nanos / 1000).toFixed(1)} us`;
}

function latency(summary: LatencySummary): string {
  return summary.count === 0 ? 'tick-to-trade -' : `tick-to-trade p50 ${micros(summary.p50)} p99 ${micros(summary.p99)}`;
}

export function summaryLine(gateway: Gateway): string {
  const status = gateway.status();
  return [
    `packets ${status.packets}`,
    `messages ${status.messages}`,
    `orders ${status.orders}`,
    `fills ${status.fills}`,
    `rejects ${status.rejects}`,
    latency(summarizeLatency(gateway.stageLatency.lastInterval('tick_to_trade'))),
  ].join(' | ');
}

/** Prints the summary every second until the returned function is called. */
export function startLiveSummary(gateway: Gateway, stream: NodeJS.WriteStream = process.stdout): () => void {
  const inPlace = stream.isTTY === true;
  const timer = setInterval(() => {
    const line = summaryLine(gateway);
    stream.write(inPlace ? `\r\x1b[2K${line}` : `${line}\n`);
  }, SUMMARY_INTERVAL_MS);
  return () => {
    clearInterval(timer);
    if (inPlace) stream.write('\n');
  };
}
