/**
 * Runs the whole product on loopback for the end-to-end tests: the exchange simulator (in this
 * process, stepped by hand: rate 0) and the gateway (its hot path in a worker thread), with the
 * gateway's log lines kept so tests can read what strategies saw and said.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { Gateway } from '../../src/gateway/gateway.js';
import { loadGatewayConfig, type GatewayConfig, type IoMode } from '../../src/gateway/config.js';
import { httpControlPlane } from '../../src/http/control-plane.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/sim/simulator.js';
import { TcpProxy } from './tcp-proxy.js';
import { UdpRelay } from './udp-relay.js';

/** A UDP port free right now on 127.0.0.1 (the kernel's choice). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/** A TCP port free right now on 127.0.0.1. */
export async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

export class LogLines {
  readonly lines: string[] = [];
  info = (message: string): void => void this.lines.push(`info ${message}`);
  warn = (message: string): void => void this.lines.push(`warn ${message}`);
  error = (message: string): void => void this.lines.push(`error ${message}`);

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  log: LogLines;
  config: GatewayConfig;
  /** With `relays`: one per line, between the simulator and the gateway. */
  relays: UdpRelay[];
  /** With `proxy`: between the gateway's order session and the simulator. */
  proxy: TcpProxy | undefined;
  stop(): Promise<void>;
}

/** The suites run the same specification over both: native zero-copy I/O and the node:dgram/net baseline. */
export const IO_MODES: readonly IoMode[] = ['zerocopy', 'copy'];

export interface StackOptions {
  strategies: string[];
  /** The gateway's I/O. Default 'zerocopy'. */
  io?: IoMode;
  /** Parameters of each strategy, by position (as a config file's `params`). */
  params?: Record<string, unknown>[];
  /** 2: the simulator publishes lines A and B, the gateway takes both. Default 1. */
  lines?: 1 | 2;
  /** Written to a config file: risk, session, ... */
  config?: Record<string, unknown>;
  sim?: Partial<SimulatorOptions>;
  /** Wait for a healthy gateway (feeds up, session established). Default true. */
  waitHealthy?: boolean;
  /** Put a UdpRelay on each feed line (to drop or duplicate packets). */
  relays?: boolean;
  /** Put a TcpProxy on the order session (to lose bytes and cut the connection). */
  proxy?: boolean;
}

/**
 * The gateway starts first, so its feed sockets are bound before the simulator publishes the
 * opening books (UDP sent to an unbound port is gone); its order session connects once the
 * simulator listens (the session retries with backoff).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const lines = options.lines ?? 1;
  const gatewayPorts = [await freeUdpPort(), ...(lines === 2 ? [await freeUdpPort()] : [])];
  const feeds = gatewayPorts.map((port) => `udp://127.0.0.1:${port}`);
  const relays = options.relays ? await Promise.all(gatewayPorts.map((port) => UdpRelay.open(port))) : [];
  const simFeeds = options.relays ? relays.map((relay) => `udp://127.0.0.1:${relay.port}`) : feeds;
  const exchangePort = await freeTcpPort();
  const proxy = options.proxy ? await TcpProxy.open(await freeTcpPort(), exchangePort) : undefined;
  const gatewayExchangePort = proxy === undefined ? exchangePort : proxy.port;
  const log = new LogLines();
  const config = loadGatewayConfig({
    feed: feeds,
    exchange: `tcp://127.0.0.1:${gatewayExchangePort}`,
    strategy: options.strategies,
    http: '127.0.0.1:0',
    idle: 'block',
    io: options.io ?? 'zerocopy',
  });
  Object.assign(config, { session: { reconnectInitialMs: 10, reconnectMaxMs: 50 } }, options.config);
  options.params?.forEach((params, index) => (config.strategies[index]!.params = params));
  const closeRelays = async (): Promise<void> => {
    for (const relay of relays) relay.close();
    await proxy?.close();
  };
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(config, { log, controlPlane: httpControlPlane(config.http) });
  } catch (error) {
    await closeRelays();
    throw error;
  }
  let sim: Simulator;
  try {
    sim = await startSimulator({ feeds: simFeeds, listen: `tcp://127.0.0.1:${exchangePort}`, rate: 0, seed: 7, log: () => {}, ...options.sim });
  } catch (error) {
    await gateway.stop();
    await closeRelays();
    throw error;
  }
  const stack: Stack = {
    sim,
    gateway,
    log,
    config,
    relays,
    proxy,
    async stop() {
      await gateway.stop();
      await sim.stop();
      await closeRelays();
    },
  };
  if (options.waitHealthy ?? true) {
    await waitFor('a healthy gateway', () => gateway.status().session.state === 'established').catch(async (error: unknown) => {
      await stack.stop();
      throw error;
    });
  }
  return stack;
}

/** Steps the simulator's market once and waits until the gateway has taken every packet sent so far. */
export async function stepAndSettle(stack: Stack, steps = 1): Promise<void> {
  stack.sim.step(steps);
  await settle(stack);
}

/**
 * Waits until every datagram the simulator sent so far went through (the relays, when there are
 * some) and was handled by the gateway (strategies called, their orders queued), on every line.
 */
export async function settle(stack: Stack): Promise<void> {
  const sent = stack.sim.counters().packetsSent;
  const relays = stack.relays;
  if (relays.length > 0) await waitFor(`the relays to see ${sent} packets`, () => relays.every((relay) => relay.seen.size >= sent));
  const expected = relays.length > 0 ? relays.map((relay) => relay.forwarded) : [sent];
  await waitFor(`the gateway to receive ${expected.join(' + ')} datagrams`, () => {
    const feeds = stack.gateway.status().feeds;
    return expected.every((count, line) => feeds[line]!.packets >= count);
  });
}

/** Orders the strategies have sent, by the slots they write themselves (not the published counters, which lag). */
function strategyOrders(stack: Stack): number {
  return stack.gateway.status().strategies.reduce((sum, strategy) => sum + strategy.orders, 0);
}

/**
 * Steps the market until the strategies have sent more than `count` orders, then waits until
 * `loggedOrders()` says the same. The steps need not turn the event loop (settle returns at once
 * when the gateway was quick), so the log lines, which travel as messages, can only be read after.
 */
export async function stepUntilOrdersPast(stack: Stack, count: number, loggedOrders: () => number): Promise<void> {
  for (let step = 0; strategyOrders(stack) <= count; step++) {
    if (step === 50) throw new Error(`the strategies sent no more than ${count} orders in 50 market steps`);
    await stepAndSettle(stack);
  }
  await waitFor('the log of the orders sent', () => loggedOrders() === strategyOrders(stack));
}
