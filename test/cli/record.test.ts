import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { CaptureFormatError, CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { rotatedPath } from '../../src/io/pcap-file-writer.js';
import { openSender, patternedPayload, type Sender } from '../io/fixtures/datagrams.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-record-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

const children: ChildProcess[] = [];
const senders: Sender[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const sender of senders.splice(0)) await sender.close();
});

interface Recording {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `zerotick record` on a kernel-chosen loopback port and resolves once it is listening. */
async function startRecording(...args: string[]): Promise<Recording> {
  return startRecordingFrom('udp://127.0.0.1:0', ...args);
}

async function startRecordingFrom(feedUrl: string, ...args: string[]): Promise<Recording> {
  // node --import tsx, not the tsx wrapper: signals must reach the recorder itself.
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'record', '--feed', feedUrl, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const listening = /recording udp:\/\/[\d.]+:(\d+)/.exec(stderr);
      if (listening) resolve(Number(listening[1]));
    });
    void exit.then(() => reject(new Error(`record exited before listening: ${stderr}`)));
  });
  return { child, port, stderr: () => stderr, exit };
}

async function sender(): Promise<Sender> {
  const opened = await openSender();
  senders.push(opened);
  return opened;
}

interface Recorded {
  payloads: Uint8Array[];
  timestamps: bigint[];
  sourcePorts: number[];
  destinations: string[];
}

function payloadOf(reader: CaptureReader, datagram: UdpDatagram): Uint8Array {
  return Uint8Array.from(reader.bytes.subarray(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength));
}

function readRecording(path: string): Recorded {
  const reader = CaptureReader.open(path);
  const datagram = new UdpDatagram();
  const recorded: Recorded = { payloads: [], timestamps: [], sourcePorts: [], destinations: [] };
  while (reader.next(datagram)) {
    recorded.payloads.push(payloadOf(reader, datagram));
    recorded.timestamps.push(datagram.timestampBigInt());
    recorded.sourcePorts.push(datagram.sourcePort);
    recorded.destinations.push(`${datagram.destinationAddress}:${datagram.destinationPort}`);
  }
  return recorded;
}

/** Sends patterned datagrams until told to stop; resolves with how many were sent. */
function stream(from: Sender, port: number): { stop: () => Promise<number> } {
  let running = true;
  let sent = 0;
  const done = (async () => {
    while (running) {
      await from.send(patternedPayload(sent, 200), port);
      sent++;
      if (sent % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return sent;
  })();
  return {
    stop: async () => {
      running = false;
      return done;
    },
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('zerotick record', () => {
  it('records what was sent: same payloads in order, kernel timestamps that never go back, real addresses', async () => {
    // given
    const out = join(workDirectory, 'sent.pcap');
    const recording = await startRecording('--out', out, '--count', '50');
    const from = await sender();
    const sent = Array.from({ length: 50 }, (_, i) => patternedPayload(i, 1 + ((i * 37) % 1400)));
    // when
    await from.sendAll(sent, recording.port);
    const { code } = await recording.exit;
    // then
    expect(code).toBe(0);
    expect(recording.stderr()).toMatch(/recorded 50 packets/);
    expect(recording.stderr()).toMatch(/drops: kernel 0 .*own 0/);
    const recorded = readRecording(out);
    expect(recorded.payloads).toEqual(sent);
    for (let i = 1; i < 50; i++) expect(recorded.timestamps[i]! >= recorded.timestamps[i - 1]!).toBe(true);
    expect(recorded.timestamps[49]! > recorded.timestamps[0]!).toBe(true);
    expect(new Set(recorded.sourcePorts)).toEqual(new Set([from.port]));
    expect(new Set(recorded.destinations)).toEqual(new Set([`${parseIpv4('127.0.0.1')}:${recording.port}`]));
  });

  it('records a multicast group joined on the named interface, with the group as destination', async () => {
    // given
    const out = join(workDirectory, 'multicast.pcap');
    const recording = await startRecordingFrom('udp://239.255.70.8:0?iface=lo', '--out', out, '--count', '3');
    const from = await openSender('127.0.0.1', (socket) => {
      socket.setMulticastInterface('127.0.0.1');
      socket.setMulticastLoopback(true);
    });
    senders.push(from);
    // when
    await from.sendAll([1, 2, 3].map((i) => patternedPayload(i, 64)), recording.port, '239.255.70.8');
    // then
    expect((await recording.exit).code).toBe(0);
    const recorded = readRecording(out);
    expect(recorded.payloads).toEqual([1, 2, 3].map((i) => patternedPayload(i, 64)));
    expect(new Set(recorded.destinations)).toEqual(new Set([`${parseIpv4('239.255.70.8')}:${recording.port}`]));
  });

  it('stops by itself after --duration, with a valid file even when nothing arrived', async () => {
    const out = join(workDirectory, 'idle.pcapng');
    const recording = await startRecording('--out', out, '--duration', '0.2', '--format', 'pcapng');
    expect((await recording.exit).code).toBe(0);
    expect(readRecording(out).payloads).toEqual([]);
    expect(recording.stderr()).toMatch(/recorded 0 packets/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`closes the file cleanly on ${signal} mid-stream: it holds exactly the packets it reports, in order`, async () => {
      // given
      const out = join(workDirectory, `${signal}.pcap`);
      const recording = await startRecording('--out', out);
      const from = await sender();
      const feed = stream(from, recording.port);
      await waitUntil(() => existsSync(out) && statSync(out).size > 4096);
      // when
      recording.child.kill(signal);
      const { code } = await recording.exit;
      const sent = await feed.stop();
      // then
      expect(code).toBe(0);
      const reported = Number(/recorded (\d+) packets/.exec(recording.stderr())![1]);
      const recorded = readRecording(out);
      expect(recorded.payloads.length).toBe(reported);
      expect(reported).toBeGreaterThan(0);
      expect(reported).toBeLessThanOrEqual(sent);
      recorded.payloads.forEach((payload, i) => expect(payload).toEqual(patternedPayload(i, 200)));
    });
  }

  it('leaves a readable file when killed with SIGKILL: every complete record reads, a cut one is reported, nothing crashes', async () => {
    // given: a recorder that has flushed at least once
    const out = join(workDirectory, 'killed.pcap');
    const recording = await startRecording('--out', out);
    const from = await sender();
    const feed = stream(from, recording.port);
    await waitUntil(() => existsSync(out) && statSync(out).size > 4096);
    // when
    recording.child.kill('SIGKILL');
    expect((await recording.exit).signal).toBe('SIGKILL');
    await feed.stop();
    // then
    const reader = CaptureReader.open(out);
    const datagram = new UdpDatagram();
    const payloads: Uint8Array[] = [];
    let failure: unknown;
    try {
      while (reader.next(datagram)) payloads.push(payloadOf(reader, datagram));
    } catch (error) {
      failure = error;
    }
    expect(payloads.length).toBeGreaterThan(0);
    payloads.forEach((payload, i) => expect(payload).toEqual(patternedPayload(i, 200)));
    if (failure !== undefined) {
      // Only a record cut by the kill, the file's last, may fail to read: 258 bytes whole.
      expect(failure).toBeInstanceOf(CaptureFormatError);
      expect((failure as CaptureFormatError).byteOffset).toBeGreaterThan(statSync(out).size - 258);
    }
  });

  it('rotates by size: consecutive files, each readable, together every packet in order', async () => {
    // given
    const out = join(workDirectory, 'rotated.pcap');
    const recording = await startRecording('--out', out, '--count', '60', '--rotate-mb', '0.004');
    const from = await sender();
    // when
    await from.sendAll(Array.from({ length: 60 }, (_, i) => patternedPayload(i, 200)), recording.port);
    expect((await recording.exit).code).toBe(0);
    // then: 60 records of 258 bytes, 15 to a file of at most 4000 bytes (24 of file header)
    const files = Array.from({ length: 4 }, (_, i) => rotatedPath(out, i));
    expect(files.every((file) => existsSync(file))).toBe(true);
    expect(existsSync(rotatedPath(out, 4))).toBe(false);
    const payloads = files.flatMap((file) => readRecording(file).payloads);
    expect(payloads).toEqual(Array.from({ length: 60 }, (_, i) => patternedPayload(i, 200)));
    expect(recording.stderr()).toMatch(/to 4 files/);
  });

  it('refuses a feed that is not udp://, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'record', '--feed', 'shm://ring', '--out', join(workDirectory, 'x.pcap')], {
      cwd: repoRoot,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/record takes a udp:\/\/ feed, not shm: shm:\/\/ring/);
  });
});
