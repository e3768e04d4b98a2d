/**
 * One payload size's sweep: every available receiver started once (each its own process on the
 * measured core, idle between trials), the loads started per trial on the other core, and the
 * interleaved search of sweep.ts over them.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { rmSync } from 'node:fs';
import { ManagedProcess, runToCompletion } from '../lib/managed-process.js';
import { logProgress } from '../lib/child.js';
import { LOAD_CPU, MEASURED_CPU } from '../lib/pinning.js';
import { formatRate } from '../lib/markdown.js';
import type { SenderReport, TrialCount } from './protocol.js';
import { cProgram, receivers, unavailableReason, type ReceiverSpec } from './receivers.js';
import type { PayloadSweep } from './results.js';
import { SENDER_KEEPS_UP, sweepReceivers, type SweepPlan, type TrialOutcome } from './sweep.js';

export interface TrialSettings {
  trialDurationMs: number;
  minimumTrialDatagrams: number;
}

interface RunningReceiver {
  spec: ReceiverSpec;
  process: ManagedProcess;
  port: number;
}

let nextTrialId = 1;

/** Far above anything this machine sends: the sender runs flat out. */
const FLAT_OUT_RATE = 100_000_000;
const CEILING_DATAGRAMS = 50_000;

/** A UDP port nobody listens on (bound, read back, released). */
async function unusedPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/**
 * What the sender alone reaches on this machine, flat out to a port with no receiver: the
 * ceiling every "sender limit" in the tables is read against.
 */
async function measureSenderCeiling(payloadBytes: number): Promise<number> {
  const report = await sendUdp(await unusedPort(), payloadBytes, nextTrialId++, CEILING_DATAGRAMS, FLAT_OUT_RATE);
  return report.achievedRate;
}

async function startReceiver(spec: ReceiverSpec, ringPath: string): Promise<RunningReceiver> {
  const [command, args] = spec.command(ringPath);
  const process = new ManagedProcess(spec.name, command, args, MEASURED_CPU);
  const ready = await process.nextMessage<{ ready: boolean; port: number }>();
  return { spec, process, port: ready.port };
}

async function startRingProducer(ringPath: string): Promise<ManagedProcess> {
  const producer = new ManagedProcess('SPSC ring producer', process.execPath, ['--import', 'tsx', new URL('shm-ring-producer.ts', import.meta.url).pathname, '--ring', ringPath], LOAD_CPU);
  await producer.nextMessage();
  return producer;
}

function sendUdp(port: number, payloadBytes: number, trial: number, count: number, rate: number): Promise<SenderReport> {
  const args = ['--port', String(port), '--size', String(payloadBytes), '--count', String(count), '--rate', String(rate), '--trial', String(trial)];
  return runToCompletion<SenderReport>('udp_sender', cProgram('udp_sender'), args, LOAD_CPU);
}

async function sendRing(producer: ManagedProcess, payloadBytes: number, trial: number, count: number, rate: number): Promise<SenderReport> {
  producer.send(`send ${trial} ${count} ${rate} ${payloadBytes}`);
  return producer.nextMessage<SenderReport>();
}

export async function runPayloadSweep(payloadBytes: number, plan: SweepPlan, settings: TrialSettings): Promise<PayloadSweep> {
  const ringPath = `/dev/shm/zerotick-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const unavailable: Record<string, string> = {};
  const running = new Map<string, RunningReceiver>();
  let producer: ManagedProcess | undefined;
  try {
    // Started together: each is a tsx process that takes a second or two to come up.
    await Promise.all(receivers.map(async (spec) => {
      const reason = unavailableReason(spec);
      if (reason !== undefined) {
        unavailable[spec.name] = reason;
        return;
      }
      try {
        running.set(spec.name, await startReceiver(spec, ringPath));
        if (spec.load === 'ring') producer = await startRingProducer(ringPath);
      } catch (error) {
        unavailable[spec.name] = `failed to start: ${(error as Error).message}`;
      }
    }));
    const names = receivers.map((spec) => spec.name).filter((name) => running.has(name));

    const trial = async (name: string, offeredRate: number): Promise<TrialOutcome> => {
      const receiver = running.get(name)!;
      const trialId = nextTrialId++;
      const count = Math.max(settings.minimumTrialDatagrams, Math.round((offeredRate * settings.trialDurationMs) / 1000));
      receiver.process.send(`trial ${trialId} ${count}`);
      await receiver.process.nextMessage(); // armed
      const report = receiver.spec.load === 'ring'
        ? await sendRing(producer!, payloadBytes, trialId, count, offeredRate)
        : await sendUdp(receiver.port, payloadBytes, trialId, count, offeredRate);
      const counted = await receiver.process.nextMessage<TrialCount>();
      const outcome: TrialOutcome = {
        offeredRate,
        achievedRate: report.achievedRate,
        sent: report.sent,
        received: counted.received,
        lost: report.sent - counted.received,
        senderBound: report.achievedRate < offeredRate * SENDER_KEEPS_UP,
      };
      logProgress(`${payloadBytes} B ${name} @ ${formatRate(offeredRate)}: sent ${outcome.sent} at ${formatRate(outcome.achievedRate)}, lost ${outcome.lost}${outcome.senderBound ? ' (sender-bound)' : ''}`);
      return outcome;
    };
    const senderCeiling = await measureSenderCeiling(payloadBytes);
    const sweeps = await sweepReceivers(names, plan, trial);
    return { payloadBytes, senderCeiling, sweeps, unavailable };
  } finally {
    await Promise.all([...running.values()].map((receiver) => receiver.process.stop()));
    await producer?.stop();
    rmSync(ringPath, { force: true });
  }
}
