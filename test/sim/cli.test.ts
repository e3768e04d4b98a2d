/** `zerotick sim` as a user runs it: a real process, a real feed and listener, Ctrl-C to stop. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedCapture } from './support/feed-capture.js';
import { decodePacket } from './support/mdp3-packets.js';
import { OrderClient } from './support/order-client.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cliArguments = ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'sim'];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

describe('zerotick sim', () => {
  it('says where the feed and the order entry run, publishes, serves orders, and stops cleanly on SIGINT', async () => {
    // given
    const capture = await FeedCapture.open();
    cleanups.push(() => capture.close());
    const child = spawn(process.execPath, [...cliArguments, '--feed', capture.url, '--listen', 'tcp://127.0.0.1:0', '--rate', '200', '--seed', '5'], {
      cwd: repoRoot,
    });
    cleanups.push(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // when
    const port = await waitForMatch(() => stdout, /order entry tcp:\/\/127\.0\.0\.1:(\d+)/);
    await capture.waitFor(20);
    const client = await OrderClient.connect(Number(port));
    cleanups.push(() => client.close());
    client.establish(1, 1);
    const ack = await client.next();
    child.kill('SIGINT');
    // then
    expect(await exited).toBe(0);
    expect(stdout).toContain(`feed A ${capture.url} (synthetic market, seed 5, 200 packets/s)`);
    expect(stdout).toMatch(/instrument 10001 ES tick 0\.25/);
    expect(stdout).toMatch(/zerotick sim: stopped\. packets \d+ \| orders 0/);
    expect(ack.name).toBe('EstablishmentAck');
    expect(decodePacket(capture.packets[0]!).messages[0]!.name).toBe('ChannelReset4');
  });

  it.each([
    [['--rate=-5'], "option '--rate <n>' argument '-5' is invalid"],
    [['--seed', 'x'], "option '--seed <n>' argument 'x' is invalid"],
    [['--instruments', '9'], "option '--instruments <n>' argument '9' is invalid"],
    [['--feed', 'tcp://127.0.0.1:1'], "option '--feed <url>' argument 'tcp://127.0.0.1:1' is invalid. feed URL: expected udp://host:port"],
    [['--listen', 'tcp://127.0.0.1'], "option '--listen <url>' argument 'tcp://127.0.0.1' is invalid. listen URL: port must be 0-65535"],
    [['--feed', 'udp://127.0.0.1:1', '--feed', 'udp://127.0.0.1:2', '--feed', 'udp://127.0.0.1:3'], "option '--feed <url>' given 3 times"],
  ])('refuses %j with a message naming the flag', (flags, message) => {
    const result = spawnSync(process.execPath, [...cliArguments, ...flags], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

async function waitForMatch(text: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(text());
    if (match !== null) return match[1]!;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output: ${text()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
