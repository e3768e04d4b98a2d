/**
 * `io: 'copy'` (`--io copy`), the node:dgram baseline: accepted with udp:// feeds, refused with any
 * other kind of feed, naming the io key and the feed that cannot be read that way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadGatewayConfig, type GatewayFlags } from '../../src/gateway/config.js';

const directory = mkdtempSync(join(tmpdir(), 'zerotick-copy-io-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const exchange = 'tcp://127.0.0.1:9100';

/** The config is refused with exactly these problems (ConfigError's message is their list). */
function expectProblems(flags: GatewayFlags, problems: string[]): void {
  expect(() => loadGatewayConfig(flags)).toThrow(new ConfigError(problems));
}

describe('gateway config: io copy', () => {
  it('takes udp:// feeds, unicast and multicast', () => {
    const config = loadGatewayConfig({ feed: ['udp://127.0.0.1:14310', 'udp://239.255.0.1:14311?iface=lo'], exchange, io: 'copy' });

    expect(config.io).toBe('copy');
  });

  it('refuses any other feed on the command line, naming --io and the feed', () => {
    expectProblems({ feed: ['packet://lo:14310'], exchange, io: 'copy' }, [
      "command line: --io: 'copy' reads udp:// feeds only (node:dgram); --feed is 'packet://lo:14310' (use 'zerocopy' for it)",
    ]);
  });

  it('refuses any other feed in a file, naming io and the feed by its index', () => {
    const path = join(directory, 'gateway.json');
    writeFileSync(path, JSON.stringify({ feeds: ['udp://127.0.0.1:14310', 'shm://ring'], exchange, io: 'copy' }));

    expectProblems({ config: path }, [
      "gateway.json: io: 'copy' reads udp:// feeds only (node:dgram); feeds[1] is 'shm://ring' (use 'zerocopy' for it)",
    ]);
  });

  it('leaves a URL that is no feed URL at all to the feeds check: one problem, not two', () => {
    expectProblems({ feed: ['udpp://x'], exchange, io: 'copy' }, [
      "command line: --feed: 'udpp://x' is not a feed URL (udp://, packet://, shm://, pcap:)",
    ]);
  });
});
