/**
 * The backtest's fill model and PnL on hand-built sessions of one instrument, where every fill
 * and its price can be worked out by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/backtest.js';
import type { BacktestSummary } from '../../src/backtest/backtest-summary.js';
import { ONE, SECURITY_ID, START_NANOS, STEP_NANOS, writeHandBuiltFeed, type FeedStep } from './fixtures/hand-built-feed.js';
import type { ScriptedOrder } from './fixtures/scripted-strategy.js';

const BUY = 1;
const SELL = 2;
const DAY = 0;
const IOC = 3;
const EXEC_NEW = 0;
const EXEC_PARTIAL_FILL = 1;
const EXEC_FILL = 2;
const EXEC_CANCELED = 4;
const scriptedStrategy = fileURLToPath(new URL('./fixtures/scripted-strategy.ts', import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'zerotick-backtest-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function backtest(name: string, steps: FeedStep[], orders: (ScriptedOrder | null)[], orderLatencyNanos = 0): Promise<{ summary: BacktestSummary; lines: string[] }> {
  const file = path.join(directory, `${name}.pcap`);
  writeHandBuiltFeed(file, steps);
  const lines: string[] = [];
  const log = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(`warn ${line}`), error: (line: string) => lines.push(`error ${line}`) };
  const summary = await runBacktest({ feed: `pcap:${file}`, strategies: [{ path: scriptedStrategy, params: { orders } }], orderLatencyNanos, log });
  return { summary, lines };
}

const level = (price: number, quantity: number) => ({ price: price * ONE, quantity });

describe('backtest fills and PnL', () => {
  it('fills marketable orders against the recorded levels and computes realized and marked PnL', async () => {
    // given: buy 2 at the ask, sell them at a higher bid, then buy 3 where only 1 is displayed
    const steps: FeedStep[] = [
      { bid: level(100, 10), ask: level(101, 5) },
      { bid: level(103, 10), ask: level(104, 5) },
      { bid: level(104, 1), ask: level(105, 1) },
      { trade: level(107, 1), bid: level(106, 1), ask: level(107, 4) },
    ];
    const orders: ScriptedOrder[] = [
      { side: BUY, price: 101 * ONE, quantity: 2, timeInForce: IOC },
      { side: SELL, price: 103 * ONE, quantity: 2, timeInForce: IOC },
      { side: BUY, price: 105 * ONE, quantity: 3, timeInForce: IOC },
    ];

    // when
    const { summary, lines } = await backtest('aggressive', steps, orders);

    // then: 2 @ 101, 2 @ 103 (realized +4), 1 @ 105 and the rest cancelled; 1 open, marked to the last trade 107 (+2)
    expect(lines.filter((line) => line.includes(`execType ${EXEC_FILL}`) || line.includes(`execType ${EXEC_PARTIAL_FILL}`))).toEqual([
      `[scripted] report execType ${EXEC_FILL} lastQty 2 lastPx ${101 * ONE} at ${START_NANOS}`,
      `[scripted] report execType ${EXEC_FILL} lastQty 2 lastPx ${103 * ONE} at ${START_NANOS + STEP_NANOS}`,
      `[scripted] report execType ${EXEC_PARTIAL_FILL} lastQty 1 lastPx ${105 * ONE} at ${START_NANOS + 2 * STEP_NANOS}`,
    ]);
    expect(lines.filter((line) => line.includes(`execType ${EXEC_CANCELED}`))).toHaveLength(1);
    expect(summary).toMatchObject({ orders: 3, fills: 3, messages: 5, packets: 4 });
    const [strategy] = summary.strategies;
    expect(strategy).toMatchObject({ name: 'scripted', orders: 3, fills: 3, realizedPnl: 4, unrealizedPnl: 2, totalPnl: 6 });
    expect(strategy!.positions).toEqual([{ securityId: SECURITY_ID, position: 1, averagePrice: 105, markPrice: 107 }]);
  });

  it('rests an order behind the displayed queue, fills it when a trade goes through its price, and delays every message by the latency', async () => {
    // given: an ask at 105 behind 10 displayed; a trade of 5 at 105 leaves the queue ahead; a trade at 106 goes through it
    const steps: FeedStep[] = [
      { bid: level(100, 10), ask: level(105, 10) },
      { trade: level(105, 5), bid: level(100, 10), ask: level(105, 5) },
      { trade: level(106, 1), bid: level(100, 10), ask: level(106, 3) },
    ];
    const latency = 1_000_000;

    // when
    const { summary, lines } = await backtest('passive', steps, [{ side: SELL, price: 105 * ONE, quantity: 1, timeInForce: DAY }], latency);

    // then: acknowledged one round trip after it was sent, filled at its own price, reported one latency after the trade
    expect(lines.filter((line) => line.includes('report'))).toEqual([
      `[scripted] report execType ${EXEC_NEW} lastQty 0 lastPx ${2 ** 63} at ${START_NANOS + 2 * latency}`,
      `[scripted] report execType ${EXEC_FILL} lastQty 1 lastPx ${105 * ONE} at ${START_NANOS + 2 * STEP_NANOS + latency}`,
    ]);
    expect(summary.strategies[0]).toMatchObject({ fills: 1, realizedPnl: 0, unrealizedPnl: -1, totalPnl: -1 });
    expect(summary.inFlightAtEnd).toBe(false);
  });

  it('gives the strategy the packet SendingTime as its clock', async () => {
    const { lines } = await backtest('clock', [{ bid: level(1, 1), ask: level(2, 1) }, { bid: level(1, 2), ask: level(2, 2) }], []);

    expect(lines.filter((line) => line.includes('book'))).toEqual([`[scripted] book 1 at ${START_NANOS}`, `[scripted] book 2 at ${START_NANOS + STEP_NANOS}`]);
  });
});
