/**
 * One payload size's measurements, in two phases, each with every available receiver started
 * once (its own process on the measured core, idle between trials) and the loads started per
 * trial on the other core: the interleaved search of sweep.ts with the sweep's 4 MiB of socket
 * buffer or ring, then the drain rates with receivers started afresh with room for a large
 * backlog.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ManagedProcess, runToCompletion } from '../lib/managed-process.js';
import { logProgress } from '../lib/child.js';
import { LOAD_CPU, MEASURED_CPU } from '../lib/pinning.js';
import { formatRate } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { ReadyLine, SenderReport, TrialCount } from './protocol.js';
import { cProgram, receivers, unavailableReason, type ReceiverLaunch, type ReceiverSpec } from './receivers.js';
import { RECEIVE_BUFFER_BYTES } from './receivers/options.js';
import type { DrainBacklog, DrainRate, PayloadSweep } from './results.js';
import { SENDER_KEEPS_UP, sweepReceivers, type SweepPlan, type TrialOutcome } from './sweep.js';

export interface TrialSettings {
  trialDurationMs: number;
  minimumTrialDatagrams: number;
  /** Drain measurements per receiver (interleaved); each reports its median. */
  drainRounds: number;
}

/** Far above anything this machine sends: the sender runs flat out. */
const FLAT_OUT_RATE = 100_000_000;
const CEILING_DATAGRAMS = 50_000;

/**
 * The drain's backlog: tens of milliseconds of reading for every receiver, so that one
 * descheduling or cache-cold start weighs little in a round (a 1,500-datagram backlog was read in
 * about 1.5 ms, which made "best of N" mostly noise).
 */
export const DRAIN_DATAGRAMS = 25_000;
/**
 * Memory for that backlog, the same for every receiver: SO_RCVBUF requested by SO_RCVBUFFORCE
 * (the kernel grants twice this; a 1 KiB datagram takes about 2.3 KiB of it on lo), and the bytes
 * of each ring. 4 MiB (the sweep's) holds about 3,600 1 KiB datagrams.
 */
export const DRAIN_BUFFER_BYTES = 64 * 1024 * 1024;
/** The backlog when some socket could not get DRAIN_BUFFER_BYTES (SO_RCVBUFFORCE needs CAP_NET_ADMIN): it fits 4 MiB. */
export const FALLBACK_DRAIN_DATAGRAMS = 1500;
/** Drain rounds per receiver before the measured ones: JIT, first touch of the buffers. */
export const DRAIN_WARMUP_ROUNDS = 2;

const SWEEP_MEMORY = { bufferBytes: RECEIVE_BUFFER_BYTES, forceBuffer: false };
const DRAIN_MEMORY = { bufferBytes: DRAIN_BUFFER_BYTES, forceBuffer: true };

/** One drain round: datagrams per wall-clock and per CPU second, and the CPU time's split. */
interface DrainRound {
  wall: number;
  cpu: number;
  usage: { datagrams: number; userNs: number; systemNs: number };
}

interface RunningReceiver {
  spec: ReceiverSpec;
  process: ManagedProcess;
  port: number;
  /** SO_RCVBUF as granted, or the ring's bytes: what holds the backlog. */
  receiveBufferBytes: number;
}

let nextTrialId = 1;

/** How the sender hands datagrams to the kernel: GSO for socket receivers, one per message for device taps. */
type SendMode = 'gso' | 'per-datagram';

function sendModeOf(spec: ReceiverSpec): SendMode {
  return spec.tapsDevice === true ? 'per-datagram' : 'gso';
}

/** Port 0: the sender's own socket that nobody reads (its ceiling). */
function sendUdp(port: number, payloadBytes: number, trial: number, count: number, rate: number, mode: SendMode): Promise<SenderReport> {
  const args = ['--port', String(port), '--size', String(payloadBytes), '--count', String(count), '--rate', String(rate), '--trial', String(trial)];
  if (mode === 'gso') args.push('--gso');
  return runToCompletion<SenderReport>('udp_sender', cProgram('udp_sender'), args, LOAD_CPU);
}

async function startReceiver(spec: ReceiverSpec, launch: ReceiverLaunch): Promise<RunningReceiver> {
  const { program, args, cpu } = spec.command(launch);
  const process = new ManagedProcess(spec.name, program, args, cpu);
  const ready = await process.nextMessage<ReadyLine>();
  return { spec, process, port: ready.port, receiveBufferBytes: ready.receiveBufferBytes };
}

async function startRingProducer(ringPath: string): Promise<ManagedProcess> {
  const script = new URL('shm-ring-producer.ts', import.meta.url).pathname;
  const producer = new ManagedProcess('SPSC ring producer', process.execPath, ['--import', 'tsx', script, '--ring', ringPath], LOAD_CPU);
  await producer.nextMessage();
  return producer;
}

/**
 * The receivers of one payload size started with one memory setting, their load generators, and
 * the two kinds of measurement.
 */
class ReceiverBench {
  readonly unavailable: Record<string, string> = {};
  private readonly running = new Map<string, RunningReceiver>();
  private producer: ManagedProcess | undefined;

  constructor(
    private readonly payloadBytes: number,
    private readonly launch: ReceiverLaunch,
  ) {}

  /** Starts every receiver `include` accepts that the build has, together: each tsx process takes a second or two to come up. */
  async start(include: (spec: ReceiverSpec) => boolean): Promise<void> {
    await Promise.all(receivers.filter(include).map(async (spec) => {
      const reason = unavailableReason(spec);
      if (reason !== undefined) {
        this.unavailable[spec.name] = reason;
        return;
      }
      try {
        this.running.set(spec.name, await startReceiver(spec, this.launch));
        if (spec.load === 'ring') this.producer = await startRingProducer(this.launch.ringPath);
      } catch (error) {
        this.unavailable[spec.name] = `failed to start: ${(error as Error).message}`;
      }
    }));
  }

  specOf(name: string): ReceiverSpec {
    return this.running.get(name)!.spec;
  }

  /** Names of the receivers running, in the order of `receivers`. */
  names(): string[] {
    return receivers.filter((spec) => this.running.has(spec.name)).map((spec) => spec.name);
  }

  /** What holds each running receiver's backlog, as it reported at start. */
  receiveBufferBytes(): Record<string, number> {
    return Object.fromEntries(this.names().map((name) => [name, this.running.get(name)!.receiveBufferBytes]));
  }

  /** What the sender alone reaches, flat out into a socket nobody reads: the ceiling every "sender limit" is read against. */
  async senderCeiling(mode: SendMode): Promise<number> {
    const report = await sendUdp(0, this.payloadBytes, nextTrialId++, CEILING_DATAGRAMS, FLAT_OUT_RATE, mode);
    return report.achievedRate;
  }

  /** One trial: the receiver polls while `count` datagrams (or records) arrive at `offeredRate`. */
  async trial(name: string, offeredRate: number, count: number): Promise<TrialOutcome> {
    const receiver = this.running.get(name)!;
    const trialId = nextTrialId++;
    receiver.process.send(`trial ${trialId} ${count}`);
    await receiver.process.nextMessage(); // armed
    const report = await this.offer(receiver, trialId, count, offeredRate);
    const counted = await receiver.process.nextMessage<TrialCount>();
    const outcome: TrialOutcome = {
      offeredRate,
      achievedRate: report.achievedRate,
      sent: report.sent,
      received: counted.received,
      lost: report.sent - counted.received,
      senderBound: report.achievedRate < offeredRate * SENDER_KEEPS_UP,
    };
    logProgress(`${this.payloadBytes} B ${name} @ ${formatRate(offeredRate)}: sent ${outcome.sent} at ${formatRate(outcome.achievedRate)}, lost ${outcome.lost}${outcome.senderBound ? ' (sender-bound)' : ''}`);
    return outcome;
  }

  /**
   * Drain rate: `backlog` datagrams are queued while the receiver is idle, then it is told to read
   * them; datagrams per second from its first poll to the last datagram, by the wall clock and
   * by the receiving thread's CPU time. The sender is out of the way, so this is the receiver's
   * own capacity. Null when the backlog did not all arrive.
   */
  async drain(name: string, backlog: number): Promise<DrainRound | null> {
    const receiver = this.running.get(name)!;
    const trialId = nextTrialId++;
    await this.offer(receiver, trialId, backlog, FLAT_OUT_RATE);
    receiver.process.send(`trial ${trialId} ${backlog}`);
    await receiver.process.nextMessage(); // armed
    const counted = await receiver.process.nextMessage<TrialCount>();
    if (counted.received !== backlog) {
      logProgress(`${this.payloadBytes} B ${name}: drain of ${backlog} got ${counted.received}`);
      return null;
    }
    return {
      wall: (counted.received * 1e9) / counted.elapsedNs,
      cpu: (counted.received * 1e9) / counted.cpuNs,
      usage: { datagrams: counted.received, userNs: counted.userNs, systemNs: counted.systemNs },
    };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((receiver) => receiver.process.stop()));
    await this.producer?.stop();
    rmSync(this.launch.ringPath, { force: true });
  }

  private async offer(receiver: RunningReceiver, trialId: number, count: number, rate: number): Promise<SenderReport> {
    if (receiver.spec.load === 'udp') return sendUdp(receiver.port, this.payloadBytes, trialId, count, rate, sendModeOf(receiver.spec));
    this.producer!.send(`send ${trialId} ${count} ${rate} ${this.payloadBytes}`);
    return this.producer!.nextMessage<SenderReport>();
  }
}

/**
 * DRAIN_DATAGRAMS when every receiver got DRAIN_BUFFER_BYTES to hold them (a socket is granted
 * twice its request when SO_RCVBUFFORCE is allowed, a ring exactly its bytes); otherwise
 * FALLBACK_DRAIN_DATAGRAMS, which the sweep's 4 MiB holds.
 */
function chooseDrainBacklog(bench: ReceiverBench): DrainBacklog {
  const bufferBytes = bench.receiveBufferBytes();
  const fellBack = Object.values(bufferBytes).some((bytes) => bytes < DRAIN_BUFFER_BYTES);
  return { datagrams: fellBack ? FALLBACK_DRAIN_DATAGRAMS : DRAIN_DATAGRAMS, requestedBufferBytes: DRAIN_BUFFER_BYTES, bufferBytes, fellBack };
}

/** Best and median drain rate of each running receiver, rounds interleaved across receivers. */
async function measureDrainRates(bench: ReceiverBench, backlog: number, rounds: number): Promise<Record<string, DrainRate | null>> {
  const draining = bench.names();
  const samples = new Map(draining.map((name) => [name, [] as DrainRound[]]));
  for (let round = -DRAIN_WARMUP_ROUNDS; round < rounds; round++) {
    for (const name of draining) {
      const measured = await bench.drain(name, backlog);
      if (measured !== null && round >= 0) samples.get(name)!.push(measured);
    }
  }
  return Object.fromEntries(draining.map((name) => [name, summarizeDrain(samples.get(name)!)]));
}

/**
 * Best and median of the rates; the user/kernel split summed over all rounds, since each round's
 * is a handful of timer-tick samples.
 */
function summarizeDrain(measured: readonly DrainRound[]): DrainRate | null {
  if (measured.length === 0) return null;
  const wall = measured.map((round) => round.wall);
  const cpu = measured.map((round) => round.cpu);
  const sum = (field: keyof DrainRound['usage']): number => measured.reduce((total, round) => total + round.usage[field], 0);
  const datagrams = sum('datagrams');
  return {
    best: Math.max(...wall),
    median: median(wall),
    cpuBest: Math.max(...cpu),
    cpuMedian: median(cpu),
    rounds: measured.length,
    userNsPerDatagram: sum('userNs') / datagrams,
    systemNsPerDatagram: sum('systemNs') / datagrams,
  };
}

/** Each receiver's highest loss-free rate, with the sweep's memory (4 MiB); and the sender's ceilings. */
async function sweepPayload(payloadBytes: number, ringPath: string, plan: SweepPlan, settings: TrialSettings): Promise<Omit<PayloadSweep, 'drainRates' | 'drainBacklog'>> {
  const bench = new ReceiverBench(payloadBytes, { ringPath, ...SWEEP_MEMORY });
  try {
    await bench.start((spec) => spec.drainOnly !== true);
    const ceilings: Record<SendMode, number> = { gso: await bench.senderCeiling('gso'), 'per-datagram': await bench.senderCeiling('per-datagram') };
    // A UDP trial offered more than the sender can send lasts as long as the sender needs:
    // its datagram count stops growing at the sender's ceiling, so such trials stay short.
    const trialCount = (name: string, rate: number): number => {
      const spec = bench.specOf(name);
      const deliverable = spec.load === 'udp' ? Math.min(rate, ceilings[sendModeOf(spec)]) : rate;
      return Math.max(settings.minimumTrialDatagrams, Math.round((deliverable * settings.trialDurationMs) / 1000));
    };
    const sweeps = await sweepReceivers(bench.names(), plan, (name, rate) => bench.trial(name, rate, trialCount(name, rate)));
    return { payloadBytes, senderCeiling: ceilings.gso, perDatagramSenderCeiling: ceilings['per-datagram'], sweeps, unavailable: bench.unavailable };
  } finally {
    await bench.stop();
  }
}

/** Drain rates, by receivers started afresh with the drain's memory (DRAIN_BUFFER_BYTES, forced). */
async function drainPayload(payloadBytes: number, ringPath: string, rounds: number): Promise<Pick<PayloadSweep, 'drainRates' | 'drainBacklog' | 'unavailable'>> {
  const bench = new ReceiverBench(payloadBytes, { ringPath, ...DRAIN_MEMORY });
  try {
    await bench.start((spec) => spec.sweepOnly !== true);
    const drainBacklog = chooseDrainBacklog(bench);
    if (drainBacklog.fellBack) logProgress(`${payloadBytes} B drain: a receiver got less than ${DRAIN_BUFFER_BYTES} bytes (${JSON.stringify(drainBacklog.bufferBytes)}): backlog ${drainBacklog.datagrams}`);
    const drainRates = await measureDrainRates(bench, drainBacklog.datagrams, rounds);
    logProgress(`${payloadBytes} B drain rates (per CPU second, median): ${Object.entries(drainRates).map(([name, rate]) => `${name} ${rate?.cpuMedian === undefined ? 'n/a' : formatRate(rate.cpuMedian)}`).join(', ')}`);
    return { drainRates, drainBacklog, unavailable: bench.unavailable };
  } finally {
    await bench.stop();
  }
}

export async function runPayloadSweep(payloadBytes: number, plan: SweepPlan, settings: TrialSettings): Promise<PayloadSweep> {
  const ringPath = `/dev/shm/zerotick-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const swept = await sweepPayload(payloadBytes, ringPath, plan, settings);
  const drained = await drainPayload(payloadBytes, ringPath, settings.drainRounds);
  // A receiver that ran in the sweep but could not start with the drain's memory is named as such.
  const drainProblems = Object.entries(drained.unavailable).filter(([name]) => !(name in swept.unavailable)).map(([name, reason]) => [`${name} (drain)`, reason]);
  return { ...swept, ...drained, unavailable: { ...swept.unavailable, ...Object.fromEntries(drainProblems) } };
}
