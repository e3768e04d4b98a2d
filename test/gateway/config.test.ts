import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadGatewayConfig, parseHostPort, type GatewayFlags } from '../../src/gateway/config.js';

const directory = mkdtempSync(join(tmpdir(), 'zerotick-config-'));
mkdirSync(join(directory, 'strategies'));
writeFileSync(join(directory, 'strategies', 'mine.ts'), 'export default {};\n');
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function writeConfig(name: string, content: unknown): string {
  const path = join(directory, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problemsOf(flags: GatewayFlags): readonly string[] {
  try {
    loadGatewayConfig(flags);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const minimal = { feeds: ['udp://127.0.0.1:14310'], exchange: 'tcp://127.0.0.1:9100' };

describe('gateway config', () => {
  it('reads the file, resolves strategy paths against its directory, fills the defaults', () => {
    const path = writeConfig('gateway.json', {
      ...minimal,
      strategies: ['strategies/mine.ts', { path: 'strategies/mine.ts', params: { size: 2 }, onError: 'restart' }],
      cpu: 1,
    });

    const config = loadGatewayConfig({ config: path });

    expect(config.feeds).toEqual(['udp://127.0.0.1:14310']);
    expect(config.strategies).toEqual([
      { path: join(directory, 'strategies', 'mine.ts'), params: undefined, onError: undefined, maxRestarts: undefined },
      { path: join(directory, 'strategies', 'mine.ts'), params: { size: 2 }, onError: 'restart', maxRestarts: undefined },
    ]);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config).toMatchObject({ io: 'zerocopy', idle: 'spin', flush: 'batch', cpu: 1, batchSize: 32, stageSampleEvery: 16, risk: {}, session: {} });
  });

  it('lets flags replace the file values, with flag paths relative to the working directory', () => {
    const path = writeConfig('override.json', { ...minimal, http: '127.0.0.1:9999', strategies: ['strategies/mine.ts'] });

    const config = loadGatewayConfig({
      config: path,
      feed: ['udp://127.0.0.1:1', 'udp://127.0.0.1:2'],
      http: '127.0.0.1:0',
      strategy: ['test/strategy/fixtures/good.ts'],
      cpu: '0',
      idle: 'block',
    });

    expect(config.feeds).toEqual(['udp://127.0.0.1:1', 'udp://127.0.0.1:2']);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.strategies.map((strategy) => strategy.path)).toEqual([resolve('test/strategy/fixtures/good.ts')]);
    expect(config.cpu).toBe(0);
    expect(config.idle).toBe('block');
  });

  it('works from flags alone', () => {
    const config = loadGatewayConfig({ feed: ['udp://127.0.0.1:1'], exchange: 'tcp://127.0.0.1:2' });
    expect(config.strategies).toEqual([]);
  });

  it('reports every problem with the file and the key, before anything starts', () => {
    const path = writeConfig('gateway.json', {
      feeds: ['udp://127.0.0.1:14310', 'udpp://x', 'udp://127.0.0.1'],
      exchange: 'http://127.0.0.1:9100',
      strategies: ['strategies/missing.ts', { path: 'strategies/mine.ts', onError: 'explode', parms: {} }],
      http: 'localhost',
      idle: 'sleep',
      batchSize: 0,
      stageSampleEvery: 0.5,
      feds: [],
    });

    expect(problemsOf({ config: path })).toEqual([
      "gateway.json: feds: unknown key (known: feeds, exchange, strategies, http, io, cpu, idle, idleTimeoutMs, flush, batchSize, stageSampleEvery, risk, session)",
      "gateway.json: feeds[1]: 'udpp://x' is not a feed URL (udp://, packet://, shm://, pcap:)",
      `gateway.json: feeds[2]: feed URL "udp://127.0.0.1": expected host:port, got '127.0.0.1'`,
      'gateway.json: exchange: "http://127.0.0.1:9100" is not an exchange address (tcp://host:port)',
      `gateway.json: strategies[0]: 'strategies/missing.ts' does not exist (${join(directory, 'strategies', 'missing.ts')})`,
      'gateway.json: strategies[1].parms: unknown key (known: path, params, onError, maxRestarts)',
      `gateway.json: strategies[1].onError: "explode" is not 'stop' or 'restart'`,
      'gateway.json: http: "localhost" is not host:port (e.g. 127.0.0.1:8080)',
      `gateway.json: idle: "sleep" is not one of 'spin', 'block'`,
      'gateway.json: batchSize: 0 is not an integer from 1 to 1024',
      'gateway.json: stageSampleEvery: 0.5 is not an integer from 1 to 1000000',
    ]);
  });

  it('names the flag when a flag is wrong or missing', () => {
    expect(problemsOf({ feed: ['udpp://x'], io: 'copy', cpu: 'two' })).toEqual([
      "command line: --feed: 'udpp://x' is not a feed URL (udp://, packet://, shm://, pcap:)",
      'command line: --exchange: the exchange is needed (--exchange tcp://host:port)',
      'command line: --cpu: "two" is not a CPU number (0, 1, ...)',
    ]);
    expect(problemsOf({ exchange: 'tcp://127.0.0.1:1' })).toEqual([
      'command line: --feed: at least one feed is needed (--feed URL, twice for lines A and B)',
    ]);
  });

  it('reports an unreadable file, bad JSON and a non-object', () => {
    expect(problemsOf({ config: join(directory, 'nope.json') })[0]).toBe(`${join(directory, 'nope.json')}: cannot be read: ENOENT`);
    const bad = writeConfig('bad.json', '{ "feeds": [ }');
    expect(problemsOf({ config: bad })[0]).toMatch(new RegExp(`^${bad}: is not valid JSON: `));
    const list = writeConfig('list.json', '[]');
    expect(problemsOf({ config: list })[0]).toBe(`${list}: must hold a JSON object`);
  });

  it('accepts every feed scheme', () => {
    const capture = writeConfig('feed.pcap', '');
    const config = loadGatewayConfig({
      feed: ['udp://239.1.1.1:14310?iface=127.0.0.1', 'packet://lo:14310', 'shm://zerotick-feed', `pcap:${capture}`],
      exchange: 'tcp://127.0.0.1:9100',
    });
    expect(config.feeds).toHaveLength(4);
    expect(problemsOf({ feed: ['pcap:missing.pcap'], exchange: 'tcp://127.0.0.1:9100' })[0]).toBe(
      `command line: --feed: 'pcap:missing.pcap': no such capture file ${resolve('missing.pcap')}`,
    );
  });

  it('parses host:port', () => {
    expect(parseHostPort('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseHostPort('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseHostPort('127.0.0.1:70000')).toBeUndefined();
    expect(parseHostPort('8080')).toBeUndefined();
  });
});
