/**
 * The gateway's configuration: a JSON file (`--config FILE`) overlaid with command-line flags,
 * checked completely before anything starts. Every problem is reported at once, each naming the
 * file (or the flag) and the key:
 *
 *   gateway.json: feeds[1]: 'udpp://x' is not a feed URL (udp://, packet://, shm://, pcap:)
 *
 * A flag replaces the file's value for its key (`--feed` and `--strategy` replace the whole
 * list). Paths in the file are relative to the file's directory; paths in flags to the working
 * directory.
 *
 * Example file:
 *   {
 *     "feeds": ["udp://127.0.0.1:14310", "udp://127.0.0.1:14311"],
 *     "exchange": "tcp://127.0.0.1:9100",
 *     "strategies": [{ "path": "strategies/market-maker.ts", "params": { "spreadTicks": 2 }, "onError": "restart" }],
 *     "http": "127.0.0.1:8080",          (or { "listen": "127.0.0.1:8080", "token": "..." }: the
 *                                         bearer token of POST /kill-switch and /latency/reset)
 *     "cpu": 1,
 *     "idle": "spin",
 *     "stageSampleEvery": 16,            (every 16th packet timed stage by stage; tick_to_trade: every packet)
 *     "risk": { "maxOrderQuantity": 100 }
 *   }
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { FeedUrlError, parseFeedUrl, type FeedAddress } from '../feed/feed-url.js';
import { MAX_FEEDS, MAX_STRATEGIES } from '../metrics/counters-layout.js';
import type { OnStrategyError, StrategySpec } from '../strategy/loader.js';

export type IoMode = 'zerocopy' | 'copy';
/** 'spin': poll without waiting (lowest latency, one core at 100%); 'block': wait up to idleTimeoutMs. */
export type IdleMode = 'spin' | 'block';
/** 'batch': one writev per batch of datagrams; 'immediate': one per order. */
export type FlushMode = 'batch' | 'immediate';

export interface HostPort {
  host: string;
  port: number;
}

/** Where HTTP listens, and the bearer token of its POST routes (none: they are disabled). */
export interface HttpConfig extends HostPort {
  token?: string;
}

export interface GatewayConfig {
  /** Feed URLs; the first is line A, the second line B. */
  feeds: string[];
  /** tcp://host:port of the exchange's order entry. */
  exchange: string;
  strategies: StrategySpec[];
  http: HttpConfig;
  io: IoMode;
  /** CPU to pin the hot-path worker to; undefined: not pinned. */
  cpu: number | undefined;
  idle: IdleMode;
  idleTimeoutMs: number;
  flush: FlushMode;
  /** Datagrams taken from a source per poll. */
  batchSize: number;
  /**
   * Every how many packets the latency breakdown (wire, decode, strategy, risk_encode, send) is
   * timed; feed and tick_to_trade are recorded for every packet. Each timed packet costs about
   * ten clock reads (about 0.7 us); 1 times every packet.
   */
  stageSampleEvery: number;
  /** Risk limits, handed to the order path as they are (it checks them). */
  risk: Record<string, unknown>;
  /** Order session options (keep-alive, reconnect backoff), handed to the order path. */
  session: Record<string, unknown>;
}

/** Flags of `zerotick run`, as commander gives them (all optional). */
export interface GatewayFlags {
  config?: string;
  feed?: string[];
  exchange?: string;
  strategy?: string[];
  io?: string;
  http?: string;
  cpu?: string;
  idle?: string;
}

export const DEFAULT_HTTP: HostPort = { host: '127.0.0.1', port: 8080 };
const DEFAULTS = {
  io: 'zerocopy' as IoMode,
  idle: 'spin' as IdleMode,
  idleTimeoutMs: 1,
  flush: 'batch' as FlushMode,
  batchSize: 32,
  stageSampleEvery: 16,
};

const FEED_SCHEMES = '(udp://, packet://, shm://, pcap:)';
const KNOWN_KEYS = ['feeds', 'exchange', 'strategies', 'http', 'io', 'cpu', 'idle', 'idleTimeoutMs', 'flush', 'batchSize', 'stageSampleEvery', 'risk', 'session'];
const STRATEGY_KEYS = ['path', 'params', 'onError', 'maxRestarts'];

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Collects problems, each prefixed with where it was found. */
class Problems {
  readonly list: string[] = [];
  add(where: string, key: string, problem: string): void {
    this.list.push(`${where}: ${key}: ${problem}`);
  }
}

/** Reads the file (if any), applies the flags, checks everything; throws ConfigError listing every problem. */
export function loadGatewayConfig(flags: GatewayFlags): GatewayConfig {
  const problems = new Problems();
  const file = flags.config === undefined ? {} : readConfigFile(flags.config, problems);
  // Messages name the file as the user would recognise it: its base name.
  const fileWhere = flags.config === undefined ? '' : basename(flags.config);
  const fileDir = flags.config === undefined ? process.cwd() : dirname(resolve(flags.config));
  const config = resolveConfig(file, fileWhere, fileDir, flags, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list);
  return config;
}

function readConfigFile(path: string, problems: Problems): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.list.push(`${path}: cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.list.push(`${path}: is not valid JSON: ${(error as Error).message}`);
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.list.push(`${path}: must hold a JSON object`);
    return {};
  }
  for (const key of Object.keys(parsed)) {
    if (!KNOWN_KEYS.includes(key)) problems.add(basename(path), key, `unknown key (known: ${KNOWN_KEYS.join(', ')})`);
  }
  return parsed as Record<string, unknown>;
}

function resolveConfig(file: Record<string, unknown>, fileWhere: string, fileDir: string, flags: GatewayFlags, problems: Problems): GatewayConfig {
  const fileOnly = (key: string): Picked => ({ value: file[key], where: fileWhere, key, baseDir: fileDir });
  // A value comes from its flag when given, else from the file. With no file, a missing value is
  // reported against its flag, since that is where the user would give it.
  const pick = (flag: string, flagValue: unknown, key: string): Picked =>
    flagValue !== undefined || fileWhere === ''
      ? { value: flagValue, where: 'command line', key: `--${flag}`, baseDir: process.cwd() }
      : fileOnly(key);

  const feeds = pick('feed', flags.feed, 'feeds');
  return {
    feeds: checkFeeds(feeds, problems),
    exchange: checkExchange(pick('exchange', flags.exchange, 'exchange'), problems),
    strategies: checkStrategies(pick('strategy', flags.strategy, 'strategies'), problems),
    http: checkHttp(pick('http', flags.http, 'http'), problems),
    io: checkIo(pick('io', flags.io, 'io'), feeds, problems),
    cpu: checkCpu(pick('cpu', flags.cpu, 'cpu'), problems),
    idle: checkChoice(pick('idle', flags.idle, 'idle'), ['spin', 'block'], DEFAULTS.idle, problems),
    idleTimeoutMs: checkInteger(fileOnly('idleTimeoutMs'), 0, 1000, DEFAULTS.idleTimeoutMs, problems),
    flush: checkChoice(fileOnly('flush'), ['batch', 'immediate'], DEFAULTS.flush, problems),
    batchSize: checkInteger(fileOnly('batchSize'), 1, 1024, DEFAULTS.batchSize, problems),
    stageSampleEvery: checkInteger(fileOnly('stageSampleEvery'), 1, 1_000_000, DEFAULTS.stageSampleEvery, problems),
    risk: checkObject(fileOnly('risk'), problems),
    session: checkObject(fileOnly('session'), problems),
  };
}

/** A value and where it came from: `gateway.json` + `feeds`, or `command line` + `--feed`. */
interface Picked {
  value: unknown;
  where: string;
  key: string;
  /** Relative paths in the value are relative to this. */
  baseDir: string;
}

/** Location for messages: `gateway.json: feeds[1]`, or `command line: --feed` for a flag. */
function at(picked: Picked, index?: number): [string, string] {
  if (index === undefined || picked.key.startsWith('--')) return [picked.where, picked.key];
  return [picked.where, `${picked.key}[${index}]`];
}

function checkFeeds(picked: Picked, problems: Problems): string[] {
  if (picked.value === undefined) {
    problems.add(...at(picked), 'at least one feed is needed (--feed URL, twice for lines A and B)');
    return [];
  }
  if (!Array.isArray(picked.value) || picked.value.length === 0) {
    problems.add(...at(picked), 'must be a non-empty list of feed URLs');
    return [];
  }
  if (picked.value.length > MAX_FEEDS) problems.add(...at(picked), `at most ${MAX_FEEDS} feeds (got ${picked.value.length})`);
  return picked.value.map((url: unknown, index) => {
    const problem = feedUrlProblem(url, picked.baseDir);
    if (problem !== undefined) problems.add(...at(picked, index), problem);
    return typeof url === 'string' ? absolutizePcap(url, picked.baseDir) : '';
  });
}

/** Why `url` is not a usable feed URL (the feed's own parser decides), or undefined when it is one. */
export function feedUrlProblem(url: unknown, baseDir: string = process.cwd()): string | undefined {
  if (typeof url !== 'string') return `${JSON.stringify(url)} is not a feed URL ${FEED_SCHEMES}`;
  let address: FeedAddress;
  try {
    address = parseFeedUrl(url);
  } catch (error) {
    if (!(error instanceof FeedUrlError)) throw error;
    return /unknown scheme/.test(error.message) ? `'${url}' is not a feed URL ${FEED_SCHEMES}` : error.message;
  }
  if (address.kind === 'pcap' && !existsSync(resolve(baseDir, address.path))) {
    return `'${url}': no such capture file ${resolve(baseDir, address.path)}`;
  }
  return undefined;
}

function absolutizePcap(url: string, baseDir: string): string {
  if (!url.startsWith('pcap:')) return url;
  const path = url.slice('pcap:'.length);
  return isAbsolute(path) ? url : `pcap:${resolve(baseDir, path)}`;
}

function checkExchange(picked: Picked, problems: Problems): string {
  if (picked.value === undefined) {
    problems.add(...at(picked), 'the exchange is needed (--exchange tcp://host:port)');
    return '';
  }
  const url = picked.value;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.protocol !== 'tcp:' || parsed.hostname === '' || parsed.port === '') {
    problems.add(...at(picked), `${JSON.stringify(url)} is not an exchange address (tcp://host:port)`);
    return '';
  }
  return url as string;
}

function checkStrategies(picked: Picked, problems: Problems): StrategySpec[] {
  if (picked.value === undefined) return [];
  if (!Array.isArray(picked.value)) {
    problems.add(...at(picked), 'must be a list of strategy paths or { path, params, onError, maxRestarts } objects');
    return [];
  }
  if (picked.value.length > MAX_STRATEGIES) problems.add(...at(picked), `at most ${MAX_STRATEGIES} strategies (got ${picked.value.length})`);
  return picked.value.map((entry: unknown, index) => checkStrategy(entry, picked, index, problems));
}

function checkStrategy(entry: unknown, picked: Picked, index: number, problems: Problems): StrategySpec {
  const [where, key] = at(picked, index);
  const spec: Record<string, unknown> = typeof entry === 'string' ? { path: entry } : (entry as Record<string, unknown>);
  if (typeof spec !== 'object' || spec === null || typeof spec.path !== 'string' || spec.path === '') {
    problems.add(where, key, 'must be a path or an object with a path');
    return { path: '' };
  }
  for (const name of Object.keys(spec)) {
    if (!STRATEGY_KEYS.includes(name)) problems.add(where, `${key}.${name}`, `unknown key (known: ${STRATEGY_KEYS.join(', ')})`);
  }
  const path = resolve(picked.baseDir, spec.path);
  if (!existsSync(path)) problems.add(where, typeof entry === 'string' ? key : `${key}.path`, `'${spec.path}' does not exist (${path})`);
  if (spec.params !== undefined && (typeof spec.params !== 'object' || spec.params === null || Array.isArray(spec.params))) {
    problems.add(where, `${key}.params`, 'must be an object');
  }
  if (spec.onError !== undefined && spec.onError !== 'stop' && spec.onError !== 'restart') {
    problems.add(where, `${key}.onError`, `${JSON.stringify(spec.onError)} is not 'stop' or 'restart'`);
  }
  if (spec.maxRestarts !== undefined && !(Number.isInteger(spec.maxRestarts) && (spec.maxRestarts as number) >= 0)) {
    problems.add(where, `${key}.maxRestarts`, `${JSON.stringify(spec.maxRestarts)} is not a non-negative integer`);
  }
  return {
    path,
    params: spec.params as Record<string, unknown> | undefined,
    onError: spec.onError as OnStrategyError | undefined,
    maxRestarts: spec.maxRestarts as number | undefined,
  };
}

function checkHttp(picked: Picked, problems: Problems): HttpConfig {
  if (picked.value === undefined) return { ...DEFAULT_HTTP };
  if (typeof picked.value === 'object' && picked.value !== null) return checkHttpObject(picked, picked.value as Record<string, unknown>, problems);
  const parsed = typeof picked.value === 'string' ? parseHostPort(picked.value) : undefined;
  if (parsed === undefined) {
    problems.add(...at(picked), `${JSON.stringify(picked.value)} is not host:port (e.g. 127.0.0.1:8080)`);
    return { ...DEFAULT_HTTP };
  }
  return parsed;
}

/** `{ "listen": "host:port", "token": "..." }` (listen optional). */
function checkHttpObject(picked: Picked, value: Record<string, unknown>, problems: Problems): HttpConfig {
  const { listen, token, ...unknown } = value;
  for (const key of Object.keys(unknown)) problems.add(picked.where, `${picked.key}.${key}`, 'unknown key (known: listen, token)');
  const address = checkHttp({ ...picked, value: listen, key: `${picked.key}.listen` }, problems);
  if (token === undefined) return address;
  if (typeof token !== 'string' || token === '') {
    problems.add(picked.where, `${picked.key}.token`, 'must be a non-empty string');
    return address;
  }
  return { ...address, token };
}

/** `host:port` (port 0..65535; 0 lets the system choose), or undefined. */
export function parseHostPort(text: string): HostPort | undefined {
  const match = /^(.+):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port > 65535) return undefined;
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** 'copy' is the node:dgram baseline: it reads udp:// feeds only. */
function checkIo(picked: Picked, feeds: Picked, problems: Problems): IoMode {
  const io = checkChoice(picked, ['zerocopy', 'copy'], DEFAULTS.io, problems);
  if (io !== 'copy' || !Array.isArray(feeds.value)) return io;
  feeds.value.forEach((url: unknown, index) => {
    // (a URL that is no feed URL at all is reported by checkFeeds)
    if (typeof url === 'string' && !url.startsWith('udp://') && feedUrlProblem(url, feeds.baseDir) === undefined) {
      problems.add(...at(picked), `'copy' reads udp:// feeds only (node:dgram); ${at(feeds, index)[1]} is '${url}' (use 'zerocopy' for it)`);
    }
  });
  return io;
}

function checkCpu(picked: Picked, problems: Problems): number | undefined {
  if (picked.value === undefined) return undefined;
  // A flag arrives as text, the file's value as a number.
  const cpu = typeof picked.value === 'string' && /^\d+$/.test(picked.value) ? Number(picked.value) : picked.value;
  if (!Number.isInteger(cpu) || (cpu as number) < 0) {
    problems.add(...at(picked), `${JSON.stringify(picked.value)} is not a CPU number (0, 1, ...)`);
    return undefined;
  }
  return cpu as number;
}

function checkChoice<T extends string>(picked: Picked, choices: readonly T[], fallback: T, problems: Problems): T {
  if (picked.value === undefined) return fallback;
  if (!choices.includes(picked.value as T)) {
    problems.add(...at(picked), `${JSON.stringify(picked.value)} is not one of ${choices.map((choice) => `'${choice}'`).join(', ')}`);
    return fallback;
  }
  return picked.value as T;
}

function checkInteger(picked: Picked, min: number, max: number, fallback: number, problems: Problems): number {
  if (picked.value === undefined) return fallback;
  if (!Number.isInteger(picked.value) || (picked.value as number) < min || (picked.value as number) > max) {
    problems.add(...at(picked), `${JSON.stringify(picked.value)} is not an integer from ${min} to ${max}`);
    return fallback;
  }
  return picked.value as number;
}

function checkObject(picked: Picked, problems: Problems): Record<string, unknown> {
  if (picked.value === undefined) return {};
  if (typeof picked.value !== 'object' || picked.value === null || Array.isArray(picked.value)) {
    problems.add(...at(picked), 'must be an object');
    return {};
  }
  return picked.value as Record<string, unknown>;
}
