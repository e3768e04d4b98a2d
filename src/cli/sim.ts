/**
 * `zerotick sim`: runs the exchange simulator (src/sim/) on its own: an MDP 3.0 feed on UDP from
 * a seeded synthetic market (or a recorded capture) and an order entry server on TCP. Prints
 * what runs where, then one summary line per second; Ctrl-C stops it cleanly.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { EndpointError, formatEndpoint, parseTcpEndpoint, parseUdpEndpoint, type TcpEndpoint, type UdpEndpoint } from '../sim/endpoints.js';
import { MAX_DEFAULT_INSTRUMENTS } from '../sim/instruments.js';
import {
  DEFAULT_INSTRUMENT_COUNT,
  DEFAULT_RATE,
  DEFAULT_SEED,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  startSimulator,
  type Simulator,
  type SimulatorCounters,
} from '../sim/simulator.js';
import type { LatencySummary } from '../sim/tick-to-trade.js';

export const DEFAULT_SIM_FEED = 'udp://127.0.0.1:14310';
export const DEFAULT_SIM_LISTEN = 'tcp://127.0.0.1:14320';
const SUMMARY_INTERVAL_MS = 1000;

interface SimCommandOptions {
  feed: UdpEndpoint[];
  snapshot: UdpEndpoint[];
  snapshotInterval: number;
  listen: TcpEndpoint;
  pcap?: string;
  seed: number;
  rate: number;
  instruments: number;
}

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the exchange simulator: an MDP3 feed on UDP and an order entry server on TCP')
    .addOption(
      new Option('--feed <url>', 'feed destination udp://host:port[?iface=NAME]; give it twice for the A and B lines')
        .argParser(collectFeed)
        .default([], DEFAULT_SIM_FEED),
    )
    .addOption(
      new Option('--snapshot <url>', 'snapshot loop destination udp://host:port (SnapshotFullRefresh52 per instrument); twice for A and B')
        .argParser(collectSnapshotFeed)
        .default([], 'no snapshot loop'),
    )
    .option('--snapshot-interval <ms>', 'time between snapshot loops', parseInterval, DEFAULT_SNAPSHOT_INTERVAL_MS)
    .addOption(
      new Option('--listen <url>', 'order entry listener tcp://host:port (port 0: any free port)')
        .argParser(parseListen)
        .default(parseTcpEndpoint(DEFAULT_SIM_LISTEN, 'listen URL'), DEFAULT_SIM_LISTEN),
    )
    .option('--pcap <file>', 'replay this pcap/pcapng capture of MDP3 packets instead of the synthetic market')
    .option('--seed <n>', 'seed of the synthetic market (same seed, same feed)', parseSeed, DEFAULT_SEED)
    .option('--rate <n>', 'packets per second (0: the market moves only when orders trade)', parseRate, DEFAULT_RATE)
    .option('--instruments <n>', `instruments listed, 1-${MAX_DEFAULT_INSTRUMENTS}`, parseInstrumentCount, DEFAULT_INSTRUMENT_COUNT)
    .action(async (options: SimCommandOptions, command: Command) => {
      if (options.feed.length > 2) command.error(`error: option '--feed <url>' given ${options.feed.length} times: at most twice (A and B lines)`);
      if (options.snapshot.length > 2) command.error(`error: option '--snapshot <url>' given ${options.snapshot.length} times: at most twice (A and B lines)`);
      if (options.snapshot.length > 0 && options.pcap !== undefined) command.error("error: option '--snapshot <url>' needs the synthetic market: not with '--pcap <file>'");
      await runSimulator(options);
    });
}

async function runSimulator(options: SimCommandOptions): Promise<void> {
  const feeds = options.feed.length > 0 ? options.feed : [parseUdpEndpoint(DEFAULT_SIM_FEED, 'feed URL')];
  const simulator = await startSimulator({
    feeds,
    listen: options.listen,
    seed: options.seed,
    rate: options.rate,
    instruments: options.instruments,
    snapshotFeeds: options.snapshot,
    snapshotIntervalMs: options.snapshotInterval,
    ...(options.pcap === undefined ? {} : { pcap: options.pcap }),
    log: (line) => process.stderr.write(`zerotick sim: ${line}\n`),
  });
  printWhatRunsWhere(simulator, options);
  let previous = simulator.counters();
  const summaryTimer = setInterval(() => {
    const counters = simulator.counters();
    process.stdout.write(`${formatSummary(counters, previous, simulator.tickToTrade())}\n`);
    previous = counters;
  }, SUMMARY_INTERVAL_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(summaryTimer);
  await simulator.stop();
  process.stdout.write(`zerotick sim: stopped. ${formatSummary(simulator.counters(), undefined, simulator.tickToTrade())}\n`);
}

function printWhatRunsWhere(simulator: Simulator, options: SimCommandOptions): void {
  const source = options.pcap === undefined
    ? `synthetic market, seed ${options.seed}, ${options.rate} packets/s`
    : `replay of ${options.pcap}, ${options.rate} packets/s`;
  simulator.feeds.forEach((feed, index) => {
    process.stdout.write(`zerotick sim: feed ${index === 0 ? 'A' : 'B'} ${formatEndpoint('udp', feed)} (${source})\n`);
  });
  simulator.snapshotFeeds.forEach((feed, index) => {
    process.stdout.write(`zerotick sim: snapshot loop ${index === 0 ? 'A' : 'B'} ${formatEndpoint('udp', feed)} (every ${options.snapshotInterval} ms)\n`);
  });
  process.stdout.write(`zerotick sim: order entry ${formatEndpoint('tcp', simulator.orderEntry)} (schemas/order-entry.xml, SOFH framed)\n`);
  for (const instrument of simulator.instruments) {
    process.stdout.write(`zerotick sim: instrument ${instrument.securityId} ${instrument.asset} tick ${instrument.tickSize / 1e9}\n`);
  }
  process.stdout.write('zerotick sim: Ctrl-C stops\n');
}

/** One line: totals, the packet rate since `previous` (one interval ago), and tick-to-trade. */
export function formatSummary(counters: SimulatorCounters, previous: SimulatorCounters | undefined, latency: LatencySummary): string {
  const rate = previous === undefined ? '' : ` (${counters.packetsSent - previous.packetsSent}/s)`;
  const tickToTrade = latency.count === 0
    ? 'tick-to-trade: none yet'
    : `tick-to-trade p50 ${micros(latency.p50Nanos)} p99 ${micros(latency.p99Nanos)} p99.9 ${micros(latency.p999Nanos)} max ${micros(latency.maxNanos)} (${latency.count} orders)`;
  return (
    `packets ${counters.packetsSent}${rate} | orders ${counters.ordersReceived} | fills ${counters.fills} | ` +
    `rejects ${counters.rejects + counters.businessRejects} | sessions ${counters.connections} | ${tickToTrade}`
  );
}

function micros(nanos: number): string {
  return `${(nanos / 1000).toFixed(1)} us`;
}

function collectFeed(text: string, feeds: UdpEndpoint[]): UdpEndpoint[] {
  return [...feeds, endpointArgument(() => parseUdpEndpoint(text, 'feed URL'))];
}

function collectSnapshotFeed(text: string, feeds: UdpEndpoint[]): UdpEndpoint[] {
  return [...feeds, endpointArgument(() => parseUdpEndpoint(text, 'snapshot URL'))];
}

function parseInterval(text: string): number {
  const milliseconds = Number(text);
  if (!/^\d+$/.test(text) || milliseconds < 1) throw new InvalidArgumentError('milliseconds: a whole number >= 1.');
  return milliseconds;
}

function parseListen(text: string): TcpEndpoint {
  return endpointArgument(() => parseTcpEndpoint(text, 'listen URL'));
}

/** Endpoint errors become commander's, which name the option and the bad argument. */
function endpointArgument<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof EndpointError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function parseSeed(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text) || seed > 0xffffffff) throw new InvalidArgumentError('a whole number 0-4294967295.');
  return seed;
}

function parseRate(text: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0) throw new InvalidArgumentError('packets per second: a number >= 0.');
  return rate;
}

function parseInstrumentCount(text: string): number {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > MAX_DEFAULT_INSTRUMENTS) {
    throw new InvalidArgumentError(`a whole number 1-${MAX_DEFAULT_INSTRUMENTS}.`);
  }
  return count;
}
