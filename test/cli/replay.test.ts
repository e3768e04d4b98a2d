import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { PcapFileWriter } from '../../src/io/pcap-file-writer.js';
import { BufferPool } from '../../src/io/pool.js';
import { UdpReceiver } from '../../src/io/udp.js';
import { openSender, patternedPayload } from '../io/fixtures/datagrams.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const cmeCaptures = join(repoRoot, '../shared/peer/mdp3');
const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-replay-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

const cleanups: Array<() => unknown> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const feed = { sourceAddress: parseIpv4('10.0.0.1'), sourcePort: 5000, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  done: Promise<Run>;
  /** Resolves with the first match of `pattern` on stderr. */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray>;
}

/** Starts the CLI (node --import tsx, so signals and exit codes are its own) without blocking the event loop. */
function startCli(args: string[]): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), ...args], { cwd: repoRoot });
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const stderrMatch = async (pattern: RegExp) => {
    for (;;) {
      const match = pattern.exec(stderr);
      if (match) return match;
      if (child.exitCode !== null) throw new Error(`exited without printing ${pattern}: ${stderr}`);
      await sleep(10);
    }
  };
  return { done, stderrMatch };
}

function runCli(args: string[]): Promise<Run> {
  return startCli(args).done;
}

interface Arrival {
  payload: Uint8Array;
  timestampNanos: number;
}

/** A loopback receiver that drains itself while the replay runs. */
function listen(): { port: number; arrivals: Arrival[]; drain: () => void } {
  const pool = BufferPool.create({ slotSize: 2048, slotCount: 256 });
  const receiver = UdpReceiver.open(pool, { port: 0, bindAddress: '127.0.0.1', receiveBufferBytes: 4 << 20 });
  const arrivals: Arrival[] = [];
  const drain = () => {
    for (let received = receiver.receive(0); received > 0; received = receiver.receive(0)) {
      for (let i = 0; i < received; i++) {
        const offset = receiver.offset(i);
        arrivals.push({ payload: pool.bytes.slice(offset, offset + receiver.length(i)), timestampNanos: receiver.timestampNanos(i) });
      }
    }
  };
  const timer = setInterval(drain, 1);
  cleanups.push(() => pool.destroy(), () => receiver.close(), () => clearInterval(timer));
  return { port: receiver.localPort, arrivals, drain };
}

/** Waits for the datagrams still in flight after the sender exited. */
async function settle(listener: { drain: () => void }): Promise<void> {
  await sleep(50);
  listener.drain();
}

/** The UDP payloads of a capture file, in file order. */
function payloadsOf(path: string): Uint8Array[] {
  const reader = CaptureReader.open(path);
  const datagram = new UdpDatagram();
  const payloads: Uint8Array[] = [];
  while (reader.next(datagram)) payloads.push(Uint8Array.from(reader.bytes.subarray(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength)));
  return payloads;
}

/** A capture of `count` patterned datagrams, `gapNs` apart, to port 14310 (every third to 14311). */
function writeCapture(name: string, count: number, gapNs: number, format: 'pcap' | 'pcapng' = 'pcap'): string {
  const path = join(workDirectory, name);
  const writer = PcapFileWriter.create(path, { format });
  for (let i = 0; i < count; i++) {
    const payload = patternedPayload(i, 20 + (i % 300));
    const atNs = i * gapNs;
    writer.writeUdp(payload, 0, payload.byteLength, 1_700_000_000 + Math.floor(atNs / 1e9), atNs % 1e9, { ...feed, destinationPort: i % 3 === 2 ? 14311 : 14310 });
  }
  writer.close();
  return path;
}

describe('zerotick replay', () => {
  it('replays a recorded feed to a loopback receiver: every packet, in order, byte for byte', async () => {
    // given: a feed recorded by `zerotick record`
    const recorded = join(workDirectory, 'recorded.pcap');
    const recording = startCli(['record', '--feed', 'udp://127.0.0.1:0', '--out', recorded, '--count', '100']);
    const recorderPort = Number((await recording.stderrMatch(/recording udp:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const from = await openSender();
    const sent = Array.from({ length: 100 }, (_, i) => patternedPayload(i, 1 + ((i * 53) % 1200)));
    await from.sendAll(sent, recorderPort);
    await from.close();
    expect((await recording.done).code).toBe(0);
    const target = listen();
    // when
    const run = await runCli(['replay', recorded, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max']);
    await settle(target);
    // then
    expect(run.code).toBe(0);
    expect(target.arrivals.map((arrival) => arrival.payload)).toEqual(sent);
    expect(run.stdout).toMatch(/sent 100 packets .* to 1 destination: 100 datagrams/);
  });

  it('duplicates every packet to both lines with --to twice (A/B feeds)', async () => {
    // given
    const file = writeCapture('ab.pcapng', 300, 1000, 'pcapng');
    const lineA = listen();
    const lineB = listen();
    // when
    const run = await runCli(['replay', file, '--to', `udp://127.0.0.1:${lineA.port}`, '--to', `udp://127.0.0.1:${lineB.port}`, '--speed', 'max', '--batch', '16']);
    await settle(lineA);
    await settle(lineB);
    // then
    const expected = payloadsOf(file);
    expect(run.code).toBe(0);
    expect(lineA.arrivals.map((arrival) => arrival.payload)).toEqual(expected);
    expect(lineB.arrivals.map((arrival) => arrival.payload)).toEqual(expected);
    expect(run.stdout).toMatch(/sent 300 packets .* to 2 destinations: 600 datagrams/);
  });

  it("paces at 1x: order kept, and the capture's long and short gaps arrive in the same order of size", async () => {
    // given: gaps of 1 ms, 20 ms and 150 ms, in a scrambled order (sizes far apart, so a busy machine cannot mix them up)
    const gapsNs = [20e6, 1e6, 150e6, 1e6, 20e6, 150e6];
    const path = join(workDirectory, 'paced.pcap');
    const writer = PcapFileWriter.create(path);
    let atNs = 0;
    for (let i = 0; i <= gapsNs.length; i++) {
      writer.writeUdp(Uint8Array.of(i), 0, 1, 1_700_000_000 + Math.floor(atNs / 1e9), atNs % 1e9, feed);
      atNs += gapsNs[i] ?? 0;
    }
    writer.close();
    const target = listen();
    // when
    const run = await runCli(['replay', path, '--to', `udp://127.0.0.1:${target.port}`]);
    await settle(target);
    // then
    expect(run.code).toBe(0);
    expect(target.arrivals.map((arrival) => arrival.payload[0])).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const measured = target.arrivals.slice(1).map((arrival, i) => arrival.timestampNanos - target.arrivals[i]!.timestampNanos);
    const byCapture = [...gapsNs.keys()].sort((a, b) => gapsNs[a]! - gapsNs[b]!);
    const byArrival = [...measured.keys()].sort((a, b) => measured[a]! - measured[b]!);
    // Pairs of equal gaps may swap; the three sizes may not mix.
    expect(byArrival.map((i) => gapsNs[i])).toEqual(byCapture.map((i) => gapsNs[i]));
    expect(run.stdout).toMatch(/pacing error \(actual - scheduled send time\) over 7 packets: p50 [\d.]+ us, p99 [\d.]+ us, max [\d.]+ us/);
  });

  it('sends only what --filter selects', async () => {
    const file = writeCapture('filtered.pcap', 30, 1000);
    const target = listen();
    const run = await runCli(['replay', file, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max', '--filter', 'dst-port=14311']);
    await settle(target);
    expect(run.code).toBe(0);
    expect(target.arrivals.map((arrival) => arrival.payload)).toEqual(payloadsOf(file).filter((_, i) => i % 3 === 2));
    expect(run.stdout).toMatch(/captured packets not sent: 20 filtered/);
  });

  it('loops over the file', async () => {
    const file = writeCapture('looped.pcap', 10, 1000);
    const target = listen();
    const run = await runCli(['replay', file, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max', '--loop', '3']);
    await settle(target);
    expect(run.code).toBe(0);
    const once = payloadsOf(file);
    expect(target.arrivals.map((arrival) => arrival.payload)).toEqual([...once, ...once, ...once]);
  });

  for (const capture of readdirSync(cmeCaptures).filter((name) => name.endsWith('.pcap'))) {
    it(`replays the real CME capture ${capture} byte for byte`, async () => {
      const path = join(cmeCaptures, capture);
      const target = listen();
      const run = await runCli(['replay', path, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max']);
      await settle(target);
      expect(run.code).toBe(0);
      const expected = payloadsOf(path);
      expect(expected.length).toBeGreaterThan(0);
      expect(target.arrivals.map((arrival) => arrival.payload)).toEqual(expected);
    });
  }

  it('replays the committed sample feed, and the sample is what its README command makes', async () => {
    // given
    const sample = join(repoRoot, 'feeds/sample.pcap');
    const regenerated = join(workDirectory, 'sample.pcap');
    // when
    const generate = await runCli(['feeds', 'generate', '--messages', '2000', '--seed', '1', '--out', regenerated]);
    const target = listen();
    const run = await runCli(['replay', sample, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max']);
    await settle(target);
    // then
    expect(generate.code).toBe(0);
    // If the simulator's market changed on purpose, regenerate feeds/*.pcap with the commands in feeds/README.md.
    expect(readFileSync(regenerated).equals(readFileSync(sample))).toBe(true);
    expect(run.code).toBe(0);
    expect(target.arrivals.map((arrival) => arrival.payload)).toEqual(payloadsOf(sample));
  });

  describe('bad input', () => {
    it('refuses a file that is not a capture, naming the byte offset', async () => {
      const path = join(workDirectory, 'not-a-capture.pcap');
      writeFileSync(path, 'hello, this is text');
      const run = await runCli(['replay', path, '--to', 'udp://127.0.0.1:9']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`zerotick replay: ${path}: cannot read capture: not a pcap or pcapng file: unknown magic number at byte offset 0`);
    });

    it('replays a file cut mid-record up to the cut, saying where it is cut', async () => {
      // given: 20 records, the last one cut short
      const whole = readFileSync(writeCapture('whole.pcap', 20, 1000));
      const path = join(workDirectory, 'cut.pcap');
      writeFileSync(path, whole.subarray(0, whole.byteLength - 5));
      const target = listen();
      // when
      const run = await runCli(['replay', path, '--to', `udp://127.0.0.1:${target.port}`, '--speed', 'max']);
      await settle(target);
      // then
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/cut\.pcap: pcap record claims \d+ captured bytes but only \d+ remain in the file at byte offset \d+: replaying the 19 packets before it/);
      expect(target.arrivals).toHaveLength(19);
    });

    it('names a missing file', async () => {
      const run = await runCli(['replay', join(workDirectory, 'missing.pcap'), '--to', 'udp://127.0.0.1:9']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/open .*missing\.pcap: ENOENT/);
    });

    it('refuses destinations that are not udp:// IPv4 addresses and bad options', async () => {
      const file = writeCapture('options.pcap', 1, 1000);
      const notUdp = await runCli(['replay', file, '--to', 'shm://ring']);
      expect(notUdp.stderr).toMatch(/--to takes udp:\/\/host:port, not shm: shm:\/\/ring/);
      const hostName = await runCli(['replay', file, '--to', 'udp://localhost:9000']);
      expect(hostName.stderr).toMatch(/not an IPv4 address: "localhost"/);
      const speed = await runCli(['replay', file, '--to', 'udp://127.0.0.1:9', '--speed', 'fast']);
      expect(speed.stderr).toMatch(/option '--speed <speed>' argument 'fast' is invalid/);
      const filter = await runCli(['replay', file, '--to', 'udp://127.0.0.1:9', '--filter', 'src-port=1']);
      expect(filter.stderr).toMatch(/unknown filter 'src-port=1'/);
      const noDestination = await runCli(['replay', file]);
      expect(noDestination.stderr).toMatch(/required option '--to <url>' not specified/);
      for (const run of [notUdp, hostName, speed, filter, noDestination]) expect(run.code).toBe(1);
    });
  });
});
