/**
 * `npm start`: the whole product on one machine, no setup. Runs the exchange simulator (a seeded
 * synthetic market: MDP 3.0 on UDP, order entry on TCP), the gateway with
 * strategies/market-maker.ts trading against it, and the HTTP status endpoint; prints what runs
 * where and a one-line summary about once a second. Ctrl-C stops all of it cleanly (the market
 * maker cancels its quotes first) and exits 0.
 *
 *   npm start
 *   npm start -- --http 127.0.0.1:9080 --rate 200 --strategy strategies/ping.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { loadGatewayConfig } from '../gateway/config.js';
import { Gateway } from '../gateway/gateway.js';
import { httpControlPlane } from '../http/control-plane.js';
import { DEFAULT_RATE, startSimulator } from '../sim/simulator.js';
import { consoleLog } from './console-log.js';
import { startLiveSummary, summaryLine } from './live-summary.js';
import { DEFAULT_SIM_FEED, DEFAULT_SIM_LISTEN } from './sim.js';
import { waitForStopSignal } from './stop-signal.js';

const MARKET_MAKER = fileURLToPath(new URL('../../strategies/market-maker.ts', import.meta.url));

interface StartOptions {
  feed: string;
  exchange: string;
  http: string;
  rate: string;
  strategy: string;
}

/** How long the market stays held for the gateway's order session. */
const SESSION_WAIT_MS = 5_000;

async function sessionEstablished(gateway: Gateway): Promise<boolean> {
  const deadline = Date.now() + SESSION_WAIT_MS;
  while (gateway.status().session.state !== 'established') {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

async function start(options: StartOptions): Promise<void> {
  const log = consoleLog();
  // idle 'block': the simulator shares this process and, on a small machine, the cores; a
  // busy-polling worker would take the CPU the simulator needs to publish (measured: p50
  // tick-to-trade 31 us blocking vs 139 us spinning on 2 loaded cores). `zerotick run` spins.
  const config = loadGatewayConfig({ feed: [options.feed], exchange: options.exchange, strategy: [options.strategy], http: options.http, idle: 'block' });
  // The simulator listens first with its market held, the gateway binds its feed and establishes
  // its session, then the market opens: the opening books reach a gateway that can trade them.
  const simulator = await startSimulator({ feeds: [options.feed], listen: options.exchange, rate: Number(options.rate), holdMarket: true, log: (line) => log.warn(`simulator: ${line}`) });
  let gateway;
  try {
    gateway = await Gateway.start(config, { log, controlPlane: httpControlPlane(config.http) });
  } catch (error) {
    await simulator.stop();
    throw error;
  }
  if (!(await sessionEstablished(gateway))) log.warn(`the order session is not up after ${SESSION_WAIT_MS} ms: opening the market anyway`);
  simulator.openMarket();
  const http = gateway.httpAddress!;
  log.info('zerotick is running:');
  log.info(`  simulator  MDP 3.0 feed -> ${options.feed}, order entry on ${options.exchange}, ${options.rate} market steps/s`);
  log.info(`  gateway    ${options.strategy} on the hot-path worker, orders to ${options.exchange}`);
  log.info(`  http       http://${http.host}:${http.port}/status  http://${http.host}:${http.port}/health`);
  log.info('Ctrl-C stops it all.');
  const stopSummary = startLiveSummary(gateway);
  const signal = await waitForStopSignal();
  stopSummary();
  log.info(`${signal}: stopping the gateway (strategies' onStop run, quotes cancelled), then the simulator`);
  await gateway.stop();
  await simulator.stop();
  log.info(`stopped: ${summaryLine(gateway)}`);
}

const program = new Command('npm start')
  .description('the simulator, the gateway with the market maker, and the HTTP status endpoint, on this machine')
  .option('--feed <udp://host:port>', 'where the simulator publishes and the gateway listens', DEFAULT_SIM_FEED)
  .option('--exchange <tcp://host:port>', "the simulator's order entry", DEFAULT_SIM_LISTEN)
  .option('--http <host:port>', 'status endpoint', '127.0.0.1:8080')
  .option('--rate <n>', 'market steps per second', String(DEFAULT_RATE))
  .option('--strategy <path>', 'strategy module', MARKET_MAKER)
  .action(start);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`zerotick: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
