/**
 * `zerotick run`: the gateway. Feeds in, strategies in the hot-path worker, orders out to the
 * exchange, HTTP status on 127.0.0.1:8080. Runs until SIGINT/SIGTERM, then stops cleanly
 * (strategies' onStop hooks, last orders sent) and exits 0. A bad config or flag is reported,
 * with the file or flag and the key, before anything starts.
 */
import type { Command } from 'commander';
import { loadGatewayConfig, type GatewayConfig, type GatewayFlags } from '../gateway/config.js';
import { Gateway } from '../gateway/gateway.js';
import { httpControlPlane } from '../http/control-plane.js';
import { addBacktestOptions, isBacktest, runBacktestCommand, type BacktestFlags } from './backtest.js';
import { consoleLog } from './console-log.js';
import { startLiveSummary, summaryLine } from './live-summary.js';
import { waitForStopSignal } from './stop-signal.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerRunCommand(program: Command): void {
  const run = program
    .command('run')
    .description('run the gateway: MDP 3.0 feeds in, strategies on a hot-path worker, orders out to the exchange')
    .option('--config <file>', 'JSON config file (flags override its keys)')
    .option('--feed <url>', 'feed source: udp://host:port[?iface=], packet://iface:port, shm://name, pcap:file; twice for lines A and B', collect)
    .option('--exchange <tcp://host:port>', 'order entry address of the exchange')
    .option('--strategy <path>', 'strategy module (TypeScript runs as is); repeat for several', collect)
    .option('--io <mode>', 'zerocopy (native rings and pools) or copy (node:dgram baseline)')
    .option('--http <host:port>', 'status endpoint (default 127.0.0.1:8080)')
    .option('--cpu <n>', 'pin the hot-path worker to this CPU')
    .option('--idle <mode>', "spin (busy-poll, lowest latency) or block (wait in the kernel when idle)")
    .addHelpText(
      'after',
      `
Example:
  zerotick run --feed udp://127.0.0.1:14310 --exchange tcp://127.0.0.1:9100 --strategy strategies/ping.ts

GET /status gives the counters as JSON; GET /health is 200 when feeds and exchange session are up.`,
    )
    .action(async (flags: GatewayFlags & BacktestFlags) => {
      if (isBacktest(flags)) return runBacktestCommand(flags);
      await runGateway(loadGatewayConfig(flags));
    });
  addBacktestOptions(run);
}

/** Starts the gateway, prints where it runs and a live summary, stops on SIGINT/SIGTERM. */
export async function runGateway(config: GatewayConfig): Promise<void> {
  const log = consoleLog();
  const gateway = await Gateway.start(config, { log, controlPlane: httpControlPlane(config.http) });
  log.info(`gateway: feeds ${config.feeds.join(', ')} -> ${config.strategies.length} strategies -> exchange ${config.exchange}`);
  if (gateway.httpAddress !== undefined) log.info(`http: http://${gateway.httpAddress.host}:${gateway.httpAddress.port}/status, /health`);
  const stopSummary = startLiveSummary(gateway);
  const signal = await waitForStopSignal();
  stopSummary();
  log.info(`${signal}: stopping`);
  await gateway.stop();
  log.info(`stopped: ${summaryLine(gateway)}`);
}
