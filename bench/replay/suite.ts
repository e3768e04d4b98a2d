/**
 * The replay suite: does `zerotick replay` meet issue 7's goals on this machine?
 *  - at max speed, >= 1 million 100-byte datagrams per second, next to tcpreplay --topspeed on
 *    the same file and the C reference senders (sendmmsg, UDP GSO) in the same run
 *    (interleaved rounds, alternating the order);
 *  - at 1x, pacing error (actual - scheduled send time) p99 < 20 us, on a file with a busy
 *    feed's gaps (paced-child.ts: the replayer's own summary, round by round).
 * Datagrams go to a sink socket that is bound and never read (sink.ts).
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logProgress, runTypeScriptChild } from '../lib/child.js';
import { benchDirectory } from '../lib/paths.js';
import { canPinToSeparateCores, LOAD_CPU, MEASURED_CPU, measurementNiceness } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';
import { PAYLOAD_BYTES, writeBackToBackCapture, writeRealisticCapture, type CaptureDestination, type WrittenCapture } from './captures.js';
import type { PacedChildResult } from './paced-child.js';
import { renderReplaySection } from './report.js';
import { MAX_SPEED_SENDERS, type MaxSpeedResult, type MaxSpeedSender, type PacedResult, type ReplaySuiteResult, type ThroughputRun } from './results.js';
import { Sink } from './sink.js';
import { buildCHelper, cHelperPath, ensureTcpreplay, replayWithTcpreplay, replayWithZerotick, sendWithCReference } from './senders.js';
import type { SenderFigures } from './tool-output.js';

interface Mode {
  /** Max speed: the file's packets, passes per run, interleaved rounds. */
  maxFilePackets: number;
  maxLoops: number;
  maxRounds: number;
  /** 1x: the file's packets (about 57 us apart on average), rounds per scheduling. */
  pacedPackets: number;
  pacedRounds: number;
}
const FULL: Mode = { maxFilePackets: 200_000, maxLoops: 5, maxRounds: 6, pacedPackets: 50_000, pacedRounds: 8 };
const QUICK: Mode = { maxFilePackets: 50_000, maxLoops: 1, maxRounds: 2, pacedPackets: 5_000, pacedRounds: 2 };
const PACED_SEED = 7;
const captureDirectory = path.join(benchDirectory, 'build', 'replay');

/**
 * A non-loopback IPv4 address of this host. tcpreplay's frames enter the stack as if received
 * on lo, and a received packet for 127.0.0.1 is a martian (dropped at routing, never reaching
 * UDP); one for the host's own address is delivered, as ours are.
 */
function hostAddress(): string {
  for (const addresses of Object.values(os.networkInterfaces())) {
    const address = addresses?.find((candidate) => candidate.family === 'IPv4' && !candidate.internal);
    if (address !== undefined) return address.address;
  }
  return '127.0.0.1';
}

/** One run of `sender`: the file `loops` times, or as many datagrams for the C reference. */
async function runSender(sender: MaxSpeedSender, capture: WrittenCapture, destination: CaptureDestination, loops: number): Promise<SenderFigures> {
  const { host, port } = destination;
  switch (sender) {
    case 'zerotick':
      return replayWithZerotick(capture.path, host, port, loops);
    case 'tcpreplay':
      return replayWithTcpreplay(capture.path, loops);
    case 'c-sendmmsg':
      return sendWithCReference('sendmmsg', host, port, capture.packets * loops, PAYLOAD_BYTES);
    case 'c-gso':
      return sendWithCReference('gso', host, port, capture.packets * loops, PAYLOAD_BYTES);
  }
}

async function measureMaxSpeed(mode: Mode, destination: CaptureDestination, sink: Sink): Promise<MaxSpeedResult> {
  const capture = writeBackToBackCapture(path.join(captureDirectory, 'max-speed.pcap'), mode.maxFilePackets, destination);
  const unavailable: Partial<Record<MaxSpeedSender, string>> = {};
  const tcpreplayMissing = ensureTcpreplay();
  if (tcpreplayMissing !== undefined) unavailable.tcpreplay = tcpreplayMissing;
  const cReferenceMissing = buildCHelper('udp_batch_sender');
  if (cReferenceMissing !== undefined) unavailable['c-sendmmsg'] = unavailable['c-gso'] = cReferenceMissing;
  const runs: ThroughputRun[] = [];
  sink.takeDelivered(); // from zero
  for (let round = 0; round < mode.maxRounds; round++) {
    const senders = MAX_SPEED_SENDERS.filter((sender) => unavailable[sender] === undefined);
    for (const sender of round % 2 === 0 ? senders : [...senders].reverse()) {
      try {
        const figures = await runSender(sender, capture, destination, mode.maxLoops);
        const delivered = sink.takeDelivered();
        logProgress(`replay max round ${round} ${sender}: ${figures.packets} packets at ${Math.round(figures.packetsPerSecond)} packets/s, ${delivered} reached the sink`);
        runs.push({ round, sender, ...figures, delivered });
      } catch (error) {
        if (sender === 'zerotick') throw error;
        unavailable[sender] = (error as Error).message; // a reference that fails (no GSO in this kernel) is reported, not fatal
      }
    }
  }
  return { runs, filePackets: capture.packets, loops: mode.maxLoops, unavailable };
}

async function measurePacing(mode: Mode, destination: CaptureDestination): Promise<PacedResult> {
  const capture = writeRealisticCapture(path.join(captureDirectory, 'paced.pcap'), mode.pacedPackets, destination, PACED_SEED);
  const floorMissing = buildCHelper('pacing_floor');
  const child = await runTypeScriptChild<PacedChildResult>(
    path.join(benchDirectory, 'replay', 'paced-child.ts'),
    [capture.path, destination.host, String(destination.port), String(mode.pacedRounds), floorMissing === undefined ? cHelperPath('pacing_floor') : ''],
    { cpu: LOAD_CPU, nodeFlags: ['--expose-gc'] }, // the child moves its sending thread to MEASURED_CPU
  );
  return { rounds: child.rounds, filePackets: capture.packets, fileSpanNs: capture.spanNs, realtimeUnavailable: child.realtimeUnavailable, floorUnavailable: floorMissing };
}

async function run(quick: boolean): Promise<ReplaySuiteResult> {
  const mode = quick ? QUICK : FULL;
  mkdirSync(captureDirectory, { recursive: true });
  const sink = new Sink();
  try {
    const destination = { host: hostAddress(), port: sink.port };
    const maxSpeed = await measureMaxSpeed(mode, destination, sink);
    const paced = await measurePacing(mode, destination);
    const niceness = measurementNiceness();
    return {
      payloadBytes: PAYLOAD_BYTES,
      destination: destination.host,
      pinning: canPinToSeparateCores()
        ? `max-speed senders on CPU ${MEASURED_CPU} (taskset${niceness === 0 ? '' : `, nice ${niceness}`}), softirq delivery included; ` +
          `the paced sending thread alone on CPU ${MEASURED_CPU}, its V8 helper threads on CPU ${LOAD_CPU} (as \`zerotick replay --cpu ${MEASURED_CPU}\` runs)`
        : 'senders unpinned (taskset or a second core is missing)',
      maxSpeed,
      paced,
    };
  } finally {
    sink.close();
  }
}

export const replaySuite: Suite<ReplaySuiteResult> = { name: 'replay', title: 'Replay: top speed and pacing', run, render: renderReplaySection };
