/**
 * The latency page in a real browser: Debian's headless Chromium (driven by playwright-core)
 * opens `/` on a gateway trading with ping against the simulator, and sees the percentile plot
 * and the summary table fill with the live figures. The screenshot lands in
 * test/.artifacts/latency-page.png. CI installs chromium (.ci/run); where it is absent the test
 * is skipped, saying so.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './harness.js';

// The waitForFunction predicate runs in the browser page, where `document` exists; Node's types do not have it.
declare const document: { querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null }>; querySelector(selector: string): { textContent: string | null } | null };

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = fileURLToPath(new URL('../.artifacts/', import.meta.url));
/** Market steps per second: every step moves books, ping answers each with an order. */
const SIM_RATE = 200;

const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.log(`latency page test skipped: ${CHROMIUM} is not installed (apt-get install -y chromium; .ci/run does it)`);

let stack: Stack | undefined;
let browser: BrowserContext | undefined;
let profile: string | undefined;
afterEach(async () => {
  await browser?.close();
  await stack?.stop();
  if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  browser = undefined;
  stack = undefined;
  profile = undefined;
});

describe.skipIf(chromiumMissing)('latency page in headless Chromium', () => {
  it('plots every stage the live gateway measures and fills the summary table', async () => {
    // given the gateway trading with ping against a simulator that steps the market by itself
    stack = await startStack({ strategies: ['strategies/ping.ts'], sim: { rate: SIM_RATE } });
    const { host, port } = stack.gateway.httpAddress!;

    // when a fresh Chromium opens the page
    profile = mkdtempSync(join(tmpdir(), 'zerotick-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`http://${host}:${port}/`);

    // then, once the worker has shipped an interval with orders, the plot has a curve for the
    // stages an order goes through, and the table their counts
    await page.waitForFunction(
      () => {
        const curves = new Set([...document.querySelectorAll('#plot path.series')].map((path) => path.getAttribute('data-stage')));
        const count = document.querySelector('#summary tr[data-stage="tick_to_trade"] td:nth-child(2)')?.textContent ?? '';
        return ['wire', 'decode', 'strategy', 'risk_encode', 'send', 'tick_to_trade'].every((stage) => curves.has(stage)) && Number(count) > 0;
      },
      undefined,
      { timeout: 20_000 },
    );
    const xLabels = await page.locator('#plot text').allTextContents();
    expect(xLabels).toEqual(expect.arrayContaining(['50%', '90%', '99%', '99.9%', '99.99%', '99.999%', 'latency (µs)']));
    const rows = await page.locator('#summary tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows.map((cells) => cells[0])).toEqual(['wire', 'decode', 'strategy', 'risk_encode', 'send', 'tick_to_trade', 'feed']);
    const tickToTrade = rows[5]!.slice(1).map(Number);
    // count, min, mean, p50, p90, p99, p99.9, p99.99, max: a count, then ordered times in us
    expect(tickToTrade[0]).toBeGreaterThan(0);
    expect(tickToTrade[1]).toBeGreaterThan(0);
    const percentiles = tickToTrade.slice(3);
    expect([...percentiles].sort((a, b) => a - b)).toEqual(percentiles);
    // the curve rises left to right: a path of several points, drawn inside the plot
    const curve = await page.locator('#plot path.series[data-stage="tick_to_trade"]').getAttribute('d');
    expect(curve!.split(/[ML]/).filter((point) => point.trim() !== '').length).toBeGreaterThan(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'latency-page.png'), fullPage: true });
    expect(existsSync(join(ARTIFACTS, 'latency-page.png'))).toBe(true);
  }, 60_000);
});
