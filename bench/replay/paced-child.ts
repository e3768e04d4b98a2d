/**
 * The paced half of the replay suite, in its own process: replays the realistic capture at 1x
 * with the Replayer and UdpSender that `zerotick replay` uses, round after round, and prints
 * each round's pacing error (the replayer's own summary) as one JSON document.
 *
 *   node --import tsx bench/replay/paced-child.ts <file> <host> <port> <rounds> [<pacing_floor binary>]
 *
 * A first pass warms the code up and is not reported. Each round then replays the file once with
 * the sending thread shared (ordinary scheduling, as the harness pins it) and once real-time
 * (thread-scheduling.ts), in alternating order, so a busy stretch of the machine lands on both.
 * After each replay, pacing_floor.c meets the same deadlines under the same scheduling on the
 * same core (it inherits the sending thread's pinning), twice: waiting only (the lateness the machine
 * alone imposes) and sending each datagram (a paced sender without JavaScript).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pinThreadToCpu } from '../../src/io/affinity.js';
import { CaptureReader } from '../../src/io/pcap.js';
import { UdpSender } from '../../src/io/udp-sender.js';
import { Replayer } from '../../src/replay/replayer.js';
import { logProgress, writeResult } from '../lib/child.js';
import { GcCounter } from '../../src/metrics/gc-counter.js';
import { canPinToSeparateCores, MEASURED_CPU } from '../lib/pinning.js';
import type { PacedRound, Scheduling } from './results.js';
import { enterRealtime, leaveRealtime } from './thread-scheduling.js';

export interface PacedChildResult {
  rounds: PacedRound[];
  realtimeUnavailable: string | undefined;
}

/** Involuntary context switches of the calling thread (not V8's helpers, which the process count includes). */
function sendingThreadPreemptions(): number {
  const line = /^nonvoluntary_ctxt_switches:\s*(\d+)$/m.exec(readFileSync('/proc/thread-self/status', 'utf8'));
  return line === null ? 0 : Number(line[1]);
}

function micros(nanos: number): string {
  return (nanos / 1e3).toFixed(1);
}

function optionalMicros(nanos: number | undefined): string {
  return nanos === undefined ? '-' : micros(nanos);
}

function collectGarbageIfExposed(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const gc = new GcCounter();

async function replayOnce(reader: CaptureReader, sender: UdpSender, round: number, scheduling: Scheduling): Promise<PacedRound> {
  collectGarbageIfExposed(); // the last round's garbage is not collected inside this one
  await gc.settle();
  const preemptedBefore = sendingThreadPreemptions();
  const from = gc.now();
  const stats = await new Replayer(reader, sender, { speed: 1 }).run();
  const to = gc.now();
  const preemptions = sendingThreadPreemptions() - preemptedBefore;
  await gc.settle();
  const pacing = stats.pacingError!;
  return {
    round,
    scheduling,
    packets: stats.packets,
    sends: stats.sends,
    p50Nanos: pacing.p50Nanos,
    p99Nanos: pacing.p99Nanos,
    maxNanos: pacing.maxNanos,
    sendP99Nanos: stats.sendDuration!.p99Nanos,
    preemptions,
    collections: gc.countBetween(from, to),
    floorP99Nanos: undefined,
    cSenderP99Nanos: undefined,
  };
}

/** pacing_floor's p99 over the file under `scheduling`, sending to `destination` if given; undefined without the binary. */
function measureFloor(floorBinary: string | undefined, file: string, scheduling: Scheduling, destination: readonly string[] = []): number | undefined {
  if (floorBinary === undefined) return undefined;
  const run = spawnSync(floorBinary, [file, scheduling, ...destination], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pacing_floor ${scheduling}: ${run.error?.message ?? run.stderr.trim()}`);
  return (JSON.parse(run.stdout) as { p99Nanos: number }).p99Nanos;
}

async function replayScheduled(reader: CaptureReader, sender: UdpSender, round: number, scheduling: Scheduling): Promise<PacedRound> {
  if (scheduling === 'shared') return replayOnce(reader, sender, round, scheduling);
  enterRealtime();
  try {
    return await replayOnce(reader, sender, round, scheduling);
  } finally {
    leaveRealtime();
  }
}

async function main(): Promise<void> {
  const [file, host, port, roundCount, floorArgument] = process.argv.slice(2);
  if (file === undefined || host === undefined || port === undefined || roundCount === undefined) {
    throw new Error('usage: paced-child.ts <file> <host> <port> <rounds> [<pacing_floor binary>]');
  }
  const floorBinary = floorArgument === '' ? undefined : floorArgument;
  // As `zerotick replay --cpu` deploys: the sending thread alone on the measured core, V8's helper
  // threads (GC, compiler) left where the process was started, so a real-time sender never
  // starves a helper it may have to wait for.
  if (canPinToSeparateCores()) pinThreadToCpu(MEASURED_CPU);
  const reader = CaptureReader.map(file);
  const sender = UdpSender.open({ destinations: [{ host, port: Number(port) }] });
  try {
    await replayOnce(reader, sender, -1, 'shared'); // warm-up
    const realtimeUnavailable = enterRealtime();
    if (realtimeUnavailable === undefined) leaveRealtime();
    const schedulings: Scheduling[] = realtimeUnavailable === undefined ? ['shared', 'realtime'] : ['shared'];
    const rounds: PacedRound[] = [];
    for (let round = 0; round < Number(roundCount); round++) {
      const order = round % 2 === 0 ? schedulings : [...schedulings].reverse();
      for (const scheduling of order) {
        const result = await replayScheduled(reader, sender, round, scheduling);
        result.floorP99Nanos = measureFloor(floorBinary, file, scheduling);
        result.cSenderP99Nanos = measureFloor(floorBinary, file, scheduling, [host, port]);
        logProgress(
          `replay 1x round ${round} ${scheduling}: pacing error p50 ${micros(result.p50Nanos)} us, p99 ${micros(result.p99Nanos)} us, max ${micros(result.maxNanos)} us, ` +
            `send p99 ${micros(result.sendP99Nanos)} us, ${result.preemptions} preemptions, ${result.collections} GCs; C wait-only p99 ${optionalMicros(result.floorP99Nanos)} us, C sender p99 ${optionalMicros(result.cSenderP99Nanos)} us`,
        );
        rounds.push(result);
      }
    }
    const result: PacedChildResult = { rounds, realtimeUnavailable };
    writeResult(result);
  } finally {
    gc.close();
    sender.close();
    reader.close();
  }
}

await main();
