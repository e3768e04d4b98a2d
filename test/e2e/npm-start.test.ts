/**
 * The README's first step, as a user runs it: `npm start`, wait for the live summary, ask
 * /status, press Ctrl-C (SIGINT to the whole process group, as a terminal does), and see every
 * process exit 0. Ports are free ones, given as flags, so the test never collides with a running demo.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freeTcpPort, freeUdpPort, waitFor } from './harness.js';

const SUMMARY_LINE = /^packets (\d+) \| messages (\d+) \| orders (\d+) \| fills (\d+) \| rejects (\d+) \| tick-to-trade /m;

describe('npm start', () => {
  it('runs the simulator, the gateway with the market maker and HTTP, prints a summary, stops cleanly on Ctrl-C', async () => {
    // given
    const httpPort = await freeTcpPort();
    const args = ['start', '--', '--http', `127.0.0.1:${httpPort}`, '--feed', `udp://127.0.0.1:${await freeUdpPort()}`, '--exchange', `tcp://127.0.0.1:${await freeTcpPort()}`];
    const child = spawn('npm', args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      // when it runs: what runs where, then the live summary
      await waitFor('the summary line', () => SUMMARY_LINE.test(stdout), 60_000);
      expect(stdout).toContain(`http://127.0.0.1:${httpPort}/status`);
      expect(stdout).toContain('market-maker.ts on the hot-path worker');

      // then /status answers with the gateway's counters
      const response = await fetch(`http://127.0.0.1:${httpPort}/status`);
      expect(response.status).toBe(200);
      const status = (await response.json()) as { worker: string; strategies: { name: string; state: string }[] };
      expect(status.worker).toBe('running');
      expect(status.strategies).toMatchObject([{ name: 'market-maker', state: 'running' }]);
    } finally {
      // Ctrl-C: SIGINT to the foreground process group
      process.kill(-child.pid!, 'SIGINT');
    }

    // and everything stops cleanly with exit code 0
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/SIGINT: stopping/);
    expect(stdout).toMatch(/stopped: packets \d+/);
    // no error line from the gateway (console-log.ts writes them as `hh:mm:ss.mmm error ...`)
    expect(stderr).not.toMatch(/^\S+ error /m);
  }, 120_000);
});
