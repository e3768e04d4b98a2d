import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ExchangeFixture } from './fixtures/exchange.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ORDERS = 100_000;
/** What the child sends before measuring (4 runs of 25k). */
const WARM_UP_ORDERS = 100_000;

function runChild(port: number): Promise<string> {
  const script = fileURLToPath(new URL('./fixtures/zero-alloc-orders.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(port), String(ORDERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill());
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`zero-alloc child exited with ${code}: ${output}`))));
  });
}

describe('order path allocation', () => {
  it('sends 100k orders through newOrder + flush and handles their 200k reports with no GC run', async () => {
    // given an exchange that answers every order with New then Fill
    const exchange = await ExchangeFixture.start({ respond: 'fill' });
    cleanups.push(() => exchange.close());

    // when
    const result = JSON.parse(await runChild(exchange.port)) as Record<string, number>;
    console.log(
      `order path: ${ORDERS} orders + ${2 * ORDERS} reports in ${result.elapsedMs!.toFixed(0)} ms, ` +
        `GC runs ${result.gcRuns}, new space growth ${result.newSpaceGrowthBytes} bytes`,
    );

    // then
    expect(result.ordersSent).toBe(WARM_UP_ORDERS + ORDERS);
    expect(result.fills).toBe(WARM_UP_ORDERS + ORDERS);
    expect(result.rejects).toBe(0);
    expect(result.liveOrders).toBe(0);
    expect(result.gcRuns).toBe(0);
  }, 120_000);
});
