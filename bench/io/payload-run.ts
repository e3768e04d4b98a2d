/**
 * One payload size's measurements: every available receiver started once (each its own process
 * on the measured core, idle between trials), the loads started per trial on the other core,
 * the interleaved search of sweep.ts over them, then the drain rates.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ManagedProcess, runToCompletion } from '../lib/managed-process.js';
import { logProgress } from '../lib/child.js';
import { LOAD_CPU, MEASURED_CPU } from '../lib/pinning.js';
import { formatRate } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SenderReport, TrialCount } from './protocol.js';
import { cProgram, NODE_DGRAM, receivers, unavailableReason, type ReceiverSpec } from './receivers.js';
import type { DrainRate, PayloadSweep } from './results.js';
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
 * A backlog every receiver can hold while idle: the TPACKET_V2 ring has 2048 frames, and 4 MiB
 * of SO_RCVBUF holds about 3,600 1 KiB datagrams on lo (about 10,000 of 64 bytes).
 */
export const DRAIN_DATAGRAMS = 1500;

interface RunningReceiver {
  spec: ReceiverSpec;
  process: ManagedProcess;
  port: number;
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

async function startReceiver(spec: ReceiverSpec, ringPath: string): Promise<RunningReceiver> {
  const [command, args] = spec.command(ringPath);
  const process = new ManagedProcess(spec.name, command, args, MEASURED_CPU);
  const ready = await process.nextMessage<{ ready: boolean; port: number }>();
  return { spec, process, port: ready.port };
}

async function startRingProducer(ringPath: string): Promise<ManagedProcess> {
  const script = new URL('shm-ring-producer.ts', import.meta.url).pathname;
  const producer = new ManagedProcess('SPSC ring producer', process.execPath, ['--import', 'tsx', script, '--ring', ringPath], LOAD_CPU);
  await producer.nextMessage();
  return producer;
}

/** The receivers of one payload size, their load generators, and the two kinds of measurement. */
class ReceiverBench {
  readonly unavailable: Record<string, string> = {};
  private readonly running = new Map<string, RunningReceiver>();
  private producer: ManagedProcess | undefined;

  constructor(
    private readonly payloadBytes: number,
    private readonly ringPath: string,
  ) {}

  /** Starts every receiver the build has, together: each is a tsx process that takes a second or two to come up. */
  async start(): Promise<void> {
    await Promise.all(receivers.map(async (spec) => {
      const reason = unavailableReason(spec);
      if (reason !== undefined) {
        this.unavailable[spec.name] = reason;
        return;
      }
      try {
        this.running.set(spec.name, await startReceiver(spec, this.ringPath));
        if (spec.load === 'ring') this.producer = await startRingProducer(this.ringPath);
      } catch (error) {
        this.unavailable[spec.name] = `failed to start: ${(error as Error).message}`;
      }
    }));
  }

  specOf(name: string): ReceiverSpec {
    return this.running.get(name)!.spec;
  }

  /** Names of the receivers running, in the order of `receivers`, that `include` accepts. */
  names(include: (spec: ReceiverSpec) => boolean): string[] {
    return receivers.filter((spec) => this.running.has(spec.name) && include(spec)).map((spec) => spec.name);
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
   * Drain rate: DRAIN_DATAGRAMS are queued while the receiver is idle, then it is told to read
   * them; datagrams per second from its first poll to the last datagram, by the wall clock and
   * by the receiving thread's CPU time. The sender is out of the way, so this is the receiver's
   * own capacity. Null when the backlog did not all arrive.
   */
  async drain(name: string): Promise<{ wall: number; cpu: number } | null> {
    const receiver = this.running.get(name)!;
    const trialId = nextTrialId++;
    await this.offer(receiver, trialId, DRAIN_DATAGRAMS, FLAT_OUT_RATE);
    receiver.process.send(`trial ${trialId} ${DRAIN_DATAGRAMS}`);
    await receiver.process.nextMessage(); // armed
    const counted = await receiver.process.nextMessage<TrialCount>();
    if (counted.received !== DRAIN_DATAGRAMS) return null;
    return { wall: (counted.received * 1e9) / counted.elapsedNs, cpu: (counted.received * 1e9) / counted.cpuNs };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.running.values()].map((receiver) => receiver.process.stop()));
    await this.producer?.stop();
    rmSync(this.ringPath, { force: true });
  }

  private async offer(receiver: RunningReceiver, trialId: number, count: number, rate: number): Promise<SenderReport> {
    if (receiver.spec.load === 'udp') return sendUdp(receiver.port, this.payloadBytes, trialId, count, rate, sendModeOf(receiver.spec));
    this.producer!.send(`send ${trialId} ${count} ${rate} ${this.payloadBytes}`);
    return this.producer!.nextMessage<SenderReport>();
  }
}

/** Best and median drain rate of each receiver in `draining`, rounds interleaved across receivers. */
async function measureDrainRates(bench: ReceiverBench, draining: readonly string[], rounds: number): Promise<Record<string, DrainRate | null>> {
  const samples = new Map(draining.map((name) => [name, { wall: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const name of draining) {
      const rate = await bench.drain(name);
      if (rate === null) continue;
      samples.get(name)!.wall.push(rate.wall);
      samples.get(name)!.cpu.push(rate.cpu);
    }
  }
  return Object.fromEntries(draining.map((name) => {
    const { wall, cpu } = samples.get(name)!;
    if (wall.length === 0) return [name, null];
    return [name, { best: Math.max(...wall), median: median(wall), cpuBest: Math.max(...cpu), cpuMedian: median(cpu) }];
  }));
}

export async function runPayloadSweep(payloadBytes: number, plan: SweepPlan, settings: TrialSettings): Promise<PayloadSweep> {
  const bench = new ReceiverBench(payloadBytes, `/dev/shm/zerotick-bench-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await bench.start();
    const ceilings: Record<SendMode, number> = { gso: await bench.senderCeiling('gso'), 'per-datagram': await bench.senderCeiling('per-datagram') };
    // A UDP trial offered more than the sender can send lasts as long as the sender needs:
    // its datagram count stops growing at the sender's ceiling, so such trials stay short.
    const trialCount = (name: string, rate: number): number => {
      const spec = bench.specOf(name);
      const deliverable = spec.load === 'udp' ? Math.min(rate, ceilings[sendModeOf(spec)]) : rate;
      return Math.max(settings.minimumTrialDatagrams, Math.round((deliverable * settings.trialDurationMs) / 1000));
    };
    const swept = bench.names((spec) => spec.drainOnly !== true);
    const sweeps = await sweepReceivers(swept, plan, (name, rate) => bench.trial(name, rate, trialCount(name, rate)));
    // node:dgram reads continuously, so it cannot hold a backlog to drain.
    const draining = bench.names((spec) => spec.name !== NODE_DGRAM);
    const drainRates = await measureDrainRates(bench, draining, settings.drainRounds);
    logProgress(`${payloadBytes} B drain rates (best): ${Object.entries(drainRates).map(([name, rate]) => `${name} ${rate === null ? 'n/a' : formatRate(rate.best)}`).join(', ')}`);
    return { payloadBytes, senderCeiling: ceilings.gso, perDatagramSenderCeiling: ceilings['per-datagram'], sweeps, drainRates, unavailable: bench.unavailable };
  } finally {
    await bench.stop();
  }
}
