/**
 * The receiver protocol every receiver under test speaks (the C one in bench/c/udp_receiver.c
 * too), so the harness drives them all the same way:
 *
 *   stdout: {"ready":true,"port":<port>,"receiveBufferBytes":<bytes>}
 *                                           once the receiver is listening (on a port of the
 *                                           kernel's choice; the SPSC ring receiver says 0);
 *                                           the socket buffer the kernel granted (SO_RCVBUF, twice
 *                                           the request when allowed), or the ring's memory
 *   stdin:  trial <id> <count>             one line per trial
 *   stdout: {"armed":<id>}                  the receiver is polling: the harness starts the load
 *   stdout: {"trial":<id>,"received":…,"maxSequence":…,"elapsedNs":…,"cpuNs":…,"userNs":…,"systemNs":…}
 *                                           after <count> datagrams of the trial, or when none
 *                                           came for IDLE_TIMEOUT_MS (FIRST_DATAGRAM_TIMEOUT_MS
 *                                           before the first one); cpuNs is the receiving
 *                                           thread's CPU time over the same span, userNs and
 *                                           systemNs its split into user space and kernel
 *                                           (getrusage RUSAGE_THREAD)
 *
 * The load generators answer one JSON line per trial: SenderReport.
 */
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { threadCpuNanos, threadUsage, type ThreadUsage } from './thread-cpu.js';

export const IDLE_TIMEOUT_MS = 300;
/** The ring's producer is a tsx process: give it time to start. */
export const FIRST_DATAGRAM_TIMEOUT_MS = 10_000;

export interface TrialCount {
  trial: number;
  received: number;
  maxSequence: number;
  elapsedNs: number;
  cpuNs: number;
  userNs: number;
  systemNs: number;
}

export interface SenderReport {
  sent: number;
  elapsedNs: number;
  offeredRate: number;
  achievedRate: number;
  sendErrors: number;
}

export interface ReadyLine {
  ready: true;
  port: number;
  /** What holds the backlog: SO_RCVBUF as granted, or the ring's bytes. */
  receiveBufferBytes: number;
}

const TRIAL_COMMAND = /^trial (\d+) (\d+)$/;

/** Busy-pollers return synchronously; event-driven receivers (node:dgram) return a promise. */
export type TrialRunner = (trial: number, count: number) => TrialCount | Promise<TrialCount>;

function writeLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Receiver side: announces readiness, then runs one trial per command line until stdin closes. */
export async function serveTrials(port: number, receiveBufferBytes: number, runTrial: TrialRunner): Promise<void> {
  const ready: ReadyLine = { ready: true, port, receiveBufferBytes };
  writeLine(ready);
  for await (const line of createInterface({ input: process.stdin })) {
    const match = TRIAL_COMMAND.exec(line.trim());
    if (match === null) {
      throw new Error(`expected 'trial <id> <count>', got ${JSON.stringify(line)}`);
    }
    const trial = Number(match[1]);
    writeLine({ armed: trial });
    writeLine(await runTrial(trial, Number(match[2])));
  }
}

/**
 * Empty polls between two reads of the clock. Reading it allocates (performance.now() and a koffi
 * call both return a boxed double, about 32 bytes): a receiver that read it on every empty poll
 * would make garbage, and collection pauses, that the receiver under test does not.
 */
const EMPTY_POLLS_PER_CLOCK_READ = 16_384;

/**
 * The end-of-trial rule shared by the receivers: counts datagrams of one trial and says when to
 * stop. One instance per receiver process, reset per trial: nothing is allocated while datagrams
 * arrive, and the clock is read only now and then while none do.
 */
export class TrialTally {
  trial = 0;
  count = 0;
  received = 0;
  maxSequence = 0;
  private startMs = 0;
  private startCpuNs = 0;
  private startUsage: ThreadUsage = { userNs: 0, systemNs: 0 };
  private lastTrafficMs = 0;
  private trafficSinceClockRead = false;
  private emptyPolls = 0;

  begin(trial: number, count: number, nowMs: number): void {
    this.trial = trial;
    this.count = count;
    this.received = 0;
    this.maxSequence = 0;
    this.startMs = nowMs;
    this.startCpuNs = threadCpuNanos();
    this.startUsage = threadUsage();
    this.lastTrafficMs = nowMs;
    this.trafficSinceClockRead = false;
    this.emptyPolls = 0;
  }

  /** One datagram or record: counted when it belongs to the current trial. */
  record(trial: number, sequence: number): void {
    this.trafficSinceClockRead = true;
    if (trial !== this.trial) return;
    this.received++;
    if (sequence > this.maxSequence) this.maxSequence = sequence;
  }

  isComplete(): boolean {
    return this.received >= this.count;
  }

  /** Busy-pollers call this after a poll that found nothing: true once the trial has gone idle. */
  idleAfterEmptyPoll(): boolean {
    if (++this.emptyPolls < EMPTY_POLLS_PER_CLOCK_READ) return false;
    this.emptyPolls = 0;
    return this.isIdleAt(performance.now());
  }

  /** True when nothing arrived for the idle timeout (the first-datagram timeout before any did). */
  isIdleAt(nowMs: number): boolean {
    if (this.trafficSinceClockRead) {
      this.trafficSinceClockRead = false;
      this.lastTrafficMs = nowMs;
      return false;
    }
    const timeoutMs = this.received === 0 ? FIRST_DATAGRAM_TIMEOUT_MS : IDLE_TIMEOUT_MS;
    return nowMs - this.lastTrafficMs > timeoutMs;
  }

  result(nowMs: number): TrialCount {
    const cpuNs = Math.round(threadCpuNanos() - this.startCpuNs);
    const usage = threadUsage();
    return {
      trial: this.trial,
      received: this.received,
      maxSequence: this.maxSequence,
      elapsedNs: Math.round((nowMs - this.startMs) * 1e6),
      cpuNs,
      userNs: usage.userNs - this.startUsage.userNs,
      systemNs: usage.systemNs - this.startUsage.systemNs,
    };
  }
}
