/**
 * The scrape suite: does scraping the gateway's HTTP endpoint 10 times a second move the hot
 * path's tail? The simulator publishes a synthetic market; the gateway (`zerotick run`) answers
 * it with ping, an order per book, priced not to trade (cross: false): each fill would move the
 * simulator's market and call for another order, so the load would follow the gateway's own
 * speed and drift from window to window (measured: 3-18 k orders/s in one run). As deployed, the hot-path worker has a core to itself
 * (`--cpu 1`) and the control plane (the gateway's main thread, which serves HTTP) runs on the
 * other with the simulator and the scraper (the gateway is started on CPU 0, its worker moves
 * itself; this process pins its own thread there). In interleaved windows, with and without a
 * scraper in this process (GET /metrics then GET /latency every 100 ms), the window's
 * tick_to_trade p99 is read from the gateway's own histograms (POST /latency/reset at the start,
 * GET /latency at the end), so both conditions pay the same two requests per window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { canPinToSeparateCores, LOAD_CPU, MEASURED_CPU, pinHarnessTo, withCpuPinning } from '../lib/pinning.js';
import { repoDirectory } from '../lib/paths.js';
import type { Suite } from '../lib/suite.js';
import { renderScrapeSection } from './report.js';
import type { ScrapeSuiteResult, ScrapeWindow } from './results.js';

const SCRAPE_HZ = 10;
const SIM_RATE = 5_000;
const STRATEGY = 'strategies/ping.ts';
const STRATEGY_PARAMS = { cross: false };
/** As `zerotick run` deploys: the worker busy-polls its own core. */
const IDLE = 'spin';
const TOKEN = 'bench-scrape';
const STARTUP_TIMEOUT_MS = 30_000;
/** Let the JIT settle and the order session establish before the first window. */
const WARM_UP_MS = 3_000;

interface Mode {
  rounds: number;
  windowMs: number;
}
/** Rounds, not length, make the verdict: one window's p99 wanders by a third either way. */
const FULL: Mode = { rounds: 20, windowMs: 4_000 };
const QUICK: Mode = { rounds: 2, windowMs: 1_500 };

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function startZerotick(args: readonly string[], cpu: number): ChildProcess {
  const [command, pinnedArgs] = withCpuPinning(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], cpu);
  const child = spawn(command, pinnedArgs, { cwd: repoDirectory, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ZEROTICK_HTTP_TOKEN: TOKEN } });
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
}

class GatewayHttp {
  constructor(private readonly base: string) {}

  async waitUntilTrading(): Promise<void> {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      const status = await fetch(`${this.base}/status`).then((response) => response.json() as Promise<{ orders: number }>).catch(() => undefined);
      if (status !== undefined && status.orders > 0) return;
      if (Date.now() > deadline) throw new Error(`bench scrape: the gateway at ${this.base} sent no order within ${STARTUP_TIMEOUT_MS} ms`);
      await sleep(100);
    }
  }

  async resetLatency(): Promise<void> {
    const response = await fetch(`${this.base}/latency/reset`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    if (!response.ok) throw new Error(`bench scrape: POST /latency/reset answered ${response.status}`);
  }

  /** tick_to_trade's figures, and wire's p99 (kernel timestamp -> handler: where the other core's load shows). */
  async tickToTrade(): Promise<{ count: number; p50: number; p99: number; p999: number; wireP99: number }> {
    const latency = (await (await fetch(`${this.base}/latency`)).json()) as Record<string, { count: number; p50: number; p99: number; p999: number }>;
    const { count, p50, p99, p999 } = latency.tick_to_trade!;
    return { count, p50, p99, p999, wireP99: latency.wire!.p99 };
  }

  /** One scrape, as Prometheus and the page would: the metrics, then the JSON figures. */
  async scrape(): Promise<void> {
    await (await fetch(`${this.base}/metrics`)).text();
    await (await fetch(`${this.base}/latency`)).text();
  }
}

/** Scrapes every 1/SCRAPE_HZ s until stopped; counts scrapes and failures. */
function startScraper(http: GatewayHttp): { stop(): Promise<{ scrapes: number; failures: number }> } {
  let running = true;
  let scrapes = 0;
  let failures = 0;
  const loop = (async () => {
    const period = 1000 / SCRAPE_HZ;
    let next = Date.now();
    while (running) {
      await http.scrape().then(() => scrapes++, () => failures++);
      next += period;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { scrapes, failures };
    },
  };
}

async function measureWindow(http: GatewayHttp, round: number, scraping: boolean, windowMs: number): Promise<ScrapeWindow> {
  await http.resetLatency();
  const scraper = scraping ? startScraper(http) : undefined;
  await sleep(windowMs);
  const scraped = (await scraper?.stop()) ?? { scrapes: 0, failures: 0 };
  const figures = await http.tickToTrade();
  return { round, scraping, ...figures, scrapes: scraped.scrapes, scrapeFailures: scraped.failures };
}

async function run(quick: boolean): Promise<ScrapeSuiteResult> {
  const mode = quick ? QUICK : FULL;
  // The scraper (this thread) off the worker's core too: on two cores, anything left floating
  // lands beside the spinning worker and preempts it for a time slice (measured: p99 ~4 ms).
  pinHarnessTo(LOAD_CPU);
  const feedPort = await freeTcpPort(); // a free number; UDP on the same number is almost always free too
  const exchangePort = await freeTcpPort();
  const httpPort = await freeTcpPort();
  const configDirectory = mkdtempSync(path.join(os.tmpdir(), 'zerotick-scrape-'));
  const configFile = path.join(configDirectory, 'gateway.json');
  writeFileSync(configFile, JSON.stringify({ strategies: [{ path: path.join(repoDirectory, STRATEGY), params: STRATEGY_PARAMS }] }));
  const gateway = startZerotick(
    ['run', '--config', configFile, '--feed', `udp://127.0.0.1:${feedPort}`, '--exchange', `tcp://127.0.0.1:${exchangePort}`, '--http', `127.0.0.1:${httpPort}`, '--idle', IDLE, '--cpu', String(MEASURED_CPU)],
    LOAD_CPU,
  );
  let simulator: ChildProcess | undefined;
  try {
    const http = new GatewayHttp(`http://127.0.0.1:${httpPort}`);
    await waitForHttp(http, gateway);
    simulator = startZerotick(['sim', '--feed', `udp://127.0.0.1:${feedPort}`, '--listen', `tcp://127.0.0.1:${exchangePort}`, '--rate', String(SIM_RATE)], LOAD_CPU);
    await http.waitUntilTrading();
    await sleep(WARM_UP_MS);
    const windows: ScrapeWindow[] = [];
    for (let round = 0; round < mode.rounds; round++) {
      // alternate which condition goes first, so a drift of the machine lands on both
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const scraping of order) {
        const window = await measureWindow(http, round, scraping, mode.windowMs);
        process.stderr.write(`bench scrape: round ${round} ${scraping ? 'scraping' : 'quiet   '} p99 ${window.p99} us (wire p99 ${window.wireP99} us, ${window.count} samples)\n`);
        windows.push(window);
      }
    }
    return {
      windows,
      windowMs: mode.windowMs,
      scrapeHz: SCRAPE_HZ,
      simRate: SIM_RATE,
      strategy: `${STRATEGY} ${JSON.stringify(STRATEGY_PARAMS)}`,
      idle: IDLE,
      pinning: canPinToSeparateCores()
        ? `hot-path worker on CPU ${MEASURED_CPU} (--cpu); gateway main thread (HTTP), simulator and scraper on CPU ${LOAD_CPU}`
        : `hot-path worker on CPU ${MEASURED_CPU} (--cpu), the rest unpinned`,
    };
  } finally {
    if (simulator !== undefined) await stopProcess(simulator);
    await stopProcess(gateway);
    rmSync(configDirectory, { recursive: true, force: true });
  }
}

async function waitForHttp(http: GatewayHttp, gateway: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (gateway.exitCode !== null) throw new Error(`bench scrape: the gateway exited (code ${gateway.exitCode}) during start`);
    const up = await http.tickToTrade().then(() => true, () => false);
    if (up) return;
    if (Date.now() > deadline) throw new Error(`bench scrape: the gateway's HTTP did not answer within ${STARTUP_TIMEOUT_MS} ms`);
    await sleep(100);
  }
}

export const scrapeSuite: Suite<ScrapeSuiteResult> = { name: 'scrape', title: 'HTTP scraping vs hot-path tail', run, render: renderScrapeSection };
