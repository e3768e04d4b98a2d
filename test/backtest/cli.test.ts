/**
 * `zerotick run --feed pcap:<file> --strategy <s>` with no --exchange, end to end: the CLI
 * backtests the file and prints the summary; --orders-out writes the order stream.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const directory = mkdtempSync(path.join(tmpdir(), 'zerotick-backtest-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as users do (`npx tsx src/cli/main.ts ...`) to its exit. */
function zerotick(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('zerotick run --feed pcap:<file> (backtest)', () => {
  it('backtests the sample with ping and prints messages, orders, fills, PnL, throughput and the order stream', async () => {
    const ordersOut = path.join(directory, 'ping.orders');

    const result = await zerotick(['run', '--feed', 'pcap:feeds/sample.pcap', '--strategy', 'strategies/ping.ts', '--order-latency-us', '10', '--orders-out', ordersOut]);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // feeds/README.md: 2000 incremental messages in 1425 packets; ping answers each book event
    expect(result.stdout).toContain('backtest pcap:feeds/sample.pcap: 1425 packets, 2000 messages');
    expect(result.stdout).toMatch(/^orders 1425, cancels 0, replaces 0, fills [1-9]\d*, rejects 0/m);
    expect(result.stdout).toMatch(/^strategy ping: orders 1425, fills [1-9]\d*, PnL -?\d/m);
    expect(result.stdout).toMatch(/^throughput .* messages\/s \(.* s\), GC runs \d+ \(\d+ after the first tenth of the file\)$/m);
    const stream = result.stdout.match(/^order stream sha256 ([0-9a-f]{64}) \((\d+) frames, (\d+) bytes in (.*)\)$/m);
    expect(stream).not.toBeNull();
    expect(readFileSync(ordersOut).length).toBe(Number(stream![3]));
  });

  it('says a backtest needs a strategy', async () => {
    const result = await zerotick(['run', '--feed', 'pcap:feeds/sample.pcap']);

    expect(result.code).toBe(1);
    expect(result.stderr).toBe('zerotick: a backtest needs at least one --strategy <path>\n');
  });
});
