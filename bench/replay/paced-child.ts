/**
 * The paced half of the replay suite, in its own process: replays the realistic capture at 1x
 * with the Replayer and UdpSender that `zerotick replay` uses, round after round, and prints
 * each round's pacing error (the replayer's own summary) as one JSON document.
 *
 *   node --import tsx bench/replay/paced-child.ts <file> <host> <port> <rounds>
 *
 * A first pass warms the code up and is not reported. Each round then replays the file once with
 * the sending thread shared (ordinary scheduling, as the harness pins it) and once real-time
 * (thread-scheduling.ts), in alternating order, so a busy stretch of the machine lands on both.
 */
import { readFileSync } from 'node:fs';
import { CaptureReader } from '../../src/io/pcap.js';
import { UdpSender } from '../../src/io/udp-sender.js';
import { Replayer } from '../../src/replay/replayer.js';
import { logProgress, writeResult } from '../lib/child.js';
import { GcCounter } from '../lib/gc-counter.js';
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
  };
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
  const [file, host, port, roundCount] = process.argv.slice(2);
  if (file === undefined || host === undefined || port === undefined || roundCount === undefined) {
    throw new Error('usage: paced-child.ts <file> <host> <port> <rounds>');
  }
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
        logProgress(`replay 1x round ${round} ${scheduling}: pacing error p50 ${(result.p50Nanos / 1e3).toFixed(1)} us, p99 ${(result.p99Nanos / 1e3).toFixed(1)} us, max ${(result.maxNanos / 1e3).toFixed(1)} us, send p99 ${(result.sendP99Nanos / 1e3).toFixed(1)} us, ${result.preemptions} preemptions, ${result.collections} GCs`);
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
