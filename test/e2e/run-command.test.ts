/**
 * `zerotick run` as a user types it: a bad config file or flag is reported with the file (or
 * flag) and the key, before anything starts, and the exit code is 1; a strategy that cannot be
 * loaded stops the start with its file named.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort } from './harness.js';

const directory = mkdtempSync(join(tmpdir(), 'zerotick-run-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function zerotick(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('node', ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('zerotick run: errors before anything starts', () => {
  it('names the file and the key of every problem in the config, exits 1', () => {
    const config = join(directory, 'gateway.json');
    writeFileSync(config, JSON.stringify({ feeds: ['udp://127.0.0.1:14310', 'udpp://x'], exchange: 'tcp://127.0.0.1:9100', idle: 'nap' }));

    const { status, stdout, stderr } = zerotick('run', '--config', config);

    expect(status).toBe(1);
    expect(stderr).toContain("zerotick: gateway.json: feeds[1]: 'udpp://x' is not a feed URL (udp://, packet://, shm://, pcap:)");
    expect(stderr).toContain(`gateway.json: idle: "nap" is not one of 'spin', 'block'`);
    expect(stdout).toBe(''); // nothing started
  });

  it('names the flag, and says --io copy reads udp:// feeds only', () => {
    const { status, stderr } = zerotick('run', '--feed', 'shm://ring', '--exchange', 'tcp://127.0.0.1:2', '--io', 'copy', '--http', 'nowhere');
    expect(status).toBe(1);
    expect(stderr).toContain("command line: --io: 'copy' reads udp:// feeds only (node:dgram); --feed is 'shm://ring'");
    expect(stderr).toContain('command line: --http: "nowhere" is not host:port (e.g. 127.0.0.1:8080)');
  });

  it('reports an HTTP port already taken, naming the address, and leaves nothing running', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      const { status, stderr } = zerotick('run', '--feed', `udp://127.0.0.1:${await freeUdpPort()}`, '--exchange', `tcp://127.0.0.1:${await freeTcpPort()}`, '--http', `127.0.0.1:${taken}`);
      expect(status).toBe(1); // and it exited: the worker was stopped
      expect(stderr).toContain(`zerotick: http 127.0.0.1:${taken}: listen EADDRINUSE`);
    } finally {
      server.close();
    }
  });

  it('refuses to start when a strategy cannot be loaded, naming its file', async () => {
    const { status, stderr } = zerotick(
      'run',
      '--feed',
      `udp://127.0.0.1:${await freeUdpPort()}`,
      '--exchange',
      `tcp://127.0.0.1:${await freeTcpPort()}`,
      '--http',
      '127.0.0.1:0',
      '--strategy',
      'test/strategy/fixtures/no-default.ts',
    );
    expect(status).toBe(1);
    expect(stderr).toMatch(/zerotick: cannot start: .*test\/strategy\/fixtures\/no-default\.ts: has no default export/);
  });
});
