import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { GatewayCounters } from '../../src/metrics/counters.js';
import {
  COUNTER_SLOT_COUNT,
  DROP_REASONS,
  FEED_BLOCK_OFFSET,
  GATEWAY_SLOTS,
  MAX_FEEDS,
  MAX_STRATEGIES,
  PACKETS,
  REJECTS_BY_REASON_OFFSET,
  REJECT_REASON_NAMES,
  DROPS_OFFSET,
  STRATEGY_BLOCK_OFFSET,
  STRATEGY_SLOTS,
  FEED_SLOTS,
  feedSlot,
  strategySlot,
} from '../../src/metrics/counters-layout.js';

describe('shared counters', () => {
  it('lays out the blocks without overlap', () => {
    expect(DROPS_OFFSET + DROP_REASONS.length).toBeLessThanOrEqual(REJECTS_BY_REASON_OFFSET);
    expect(REJECTS_BY_REASON_OFFSET + REJECT_REASON_NAMES.length).toBeLessThanOrEqual(GATEWAY_SLOTS);
    expect(feedSlot(MAX_FEEDS - 1, FEED_SLOTS - 1)).toBeLessThan(STRATEGY_BLOCK_OFFSET);
    expect(feedSlot(0, 0)).toBe(FEED_BLOCK_OFFSET);
    expect(strategySlot(MAX_STRATEGIES - 1, STRATEGY_SLOTS - 1)).toBe(COUNTER_SLOT_COUNT - 1);
  });

  it('a worker increments, the main thread reads the same memory with no message', async () => {
    const counters = new GatewayCounters();
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const slots = new Float64Array(workerData.buffer);
       for (let i = 0; i < 1000; i++) slots[${PACKETS}] += 1;
       slots[${strategySlot(3, 2)}] = 42;`,
      { eval: true, workerData: { buffer: counters.buffer } },
    );
    await new Promise((resolve) => worker.once('exit', resolve));
    expect(counters.get(PACKETS)).toBe(1000);
    expect(counters.strategy(3, 2)).toBe(42);
  });

  it('refuses a buffer too small for the layout', () => {
    expect(() => new GatewayCounters(new SharedArrayBuffer(8))).toThrow(/counters buffer too small: byteLength=8/);
  });
});
