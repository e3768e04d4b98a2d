/**
 * The same file and strategies give the same orders and fills, byte for byte: the committed
 * sample through the market maker and ping twice, with order latency, compared by the order
 * stream's bytes (every frame both ways, with its recorded time).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import type { BacktestSummary } from '../../src/backtest/backtest-summary.js';
import { DIRECTION_TO_EXCHANGE, DIRECTION_TO_GATEWAY, ORDER_STREAM_RECORD_DIRECTION_OFFSET, ORDER_STREAM_RECORD_FRAME_LENGTH_OFFSET, ORDER_STREAM_RECORD_HEADER_LENGTH } from '../../src/backtest/order-stream-layout.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const sample = path.join(repoRoot, 'feeds/sample.pcap');
const strategies = [{ path: path.join(repoRoot, 'strategies/market-maker.ts') }, { path: path.join(repoRoot, 'strategies/ping.ts') }];
const directory = mkdtempSync(path.join(tmpdir(), 'zerotick-backtest-determinism-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function run(name: string) {
  const ordersOut = path.join(directory, `${name}.orders`);
  const summary = await runBacktest({ feed: `pcap:${sample}`, strategies, orderLatencyNanos: 20_000, ordersOut, log: quiet });
  return { summary, bytes: readFileSync(ordersOut) };
}

/** What a run decided (the stream compared on its own), without how long it took. */
function outcome({ elapsedSeconds, messagesPerSecond, gcCount, steadyStateGcCount, orderStream, ...decided }: BacktestSummary): Omit<
  BacktestSummary,
  'elapsedSeconds' | 'messagesPerSecond' | 'gcCount' | 'steadyStateGcCount' | 'orderStream'
> {
  return decided;
}

/** Frames per direction in an order stream file. */
function countFrames(bytes: Buffer): Record<number, number> {
  const counts: Record<number, number> = { [DIRECTION_TO_EXCHANGE]: 0, [DIRECTION_TO_GATEWAY]: 0 };
  for (let offset = 0; offset < bytes.length; offset += ORDER_STREAM_RECORD_HEADER_LENGTH + bytes.readUInt16LE(offset + ORDER_STREAM_RECORD_FRAME_LENGTH_OFFSET)) {
    counts[bytes.readUInt8(offset + ORDER_STREAM_RECORD_DIRECTION_OFFSET)]!++;
  }
  return counts;
}

describe('backtest determinism', () => {
  it('gives the same order and execution report bytes, fills and PnL on every run of the same file and strategies', async () => {
    // when
    const first = await run('first');
    const second = await run('second');

    // then: both strategies traded (so the comparison is not of two empty streams)
    for (const strategy of first.summary.strategies) {
      expect(strategy.orders, strategy.name).toBeGreaterThan(0);
      expect(strategy.fills, strategy.name).toBeGreaterThan(0);
    }
    const frames = countFrames(first.bytes);
    expect(frames[DIRECTION_TO_EXCHANGE]).toBe(first.summary.orders + first.summary.cancels + first.summary.replaces);
    expect(frames[DIRECTION_TO_GATEWAY]).toBe(first.summary.executionReports);
    // and: the same bytes, hash, counts and PnL
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect(second.summary.orderStream.sha256).toBe(first.summary.orderStream.sha256);
    expect(outcome(second.summary)).toEqual(outcome(first.summary));
  });
});
