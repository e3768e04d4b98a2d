/**
 * The receiver protocol every receiver under test speaks (the C one in bench/c/udp_receiver.c
 * too), so the harness drives them all the same way:
 *
 *   stdout: {"ready":true,"port":<port>}   once the receiver is listening (on a port of the
 *                                           kernel's choice; the SPSC ring receiver says 0)
 *   stdin:  trial <id> <count>             one line per trial
 *   stdout: {"armed":<id>}                  the receiver is polling: the harness starts the load
 *   stdout: {"trial":<id>,"received":…,"maxSequence":…,"elapsedNs":…}
 *                                           after <count> datagrams of the trial, or when none
 *                                           came for IDLE_TIMEOUT_MS (FIRST_DATAGRAM_TIMEOUT_MS
 *                                           before the first one)
 *
 * The load generators answer one JSON line per trial: SenderReport.
 */
import { createInterface } from 'node:readline';

export const IDLE_TIMEOUT_MS = 300;
/** The ring's producer is a tsx process: give it time to start. */
export const FIRST_DATAGRAM_TIMEOUT_MS = 10_000;

export interface TrialCount {
  trial: number;
  received: number;
  maxSequence: number;
  elapsedNs: number;
}

export interface SenderReport {
  sent: number;
  elapsedNs: number;
  offeredRate: number;
  achievedRate: number;
  sendErrors: number;
}

const TRIAL_COMMAND = /^trial (\d+) (\d+)$/;

/** Busy-pollers return synchronously; event-driven receivers (node:dgram) return a promise. */
export type TrialRunner = (trial: number, count: number) => TrialCount | Promise<TrialCount>;

function writeLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Receiver side: announces readiness, then runs one trial per command line until stdin closes. */
export async function serveTrials(port: number, runTrial: TrialRunner): Promise<void> {
  writeLine({ ready: true, port });
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
 * The end-of-trial rule shared by the busy-polling receivers: counts datagrams of one trial and
 * says when to stop. One instance per receiver process, reset per trial: nothing is allocated
 * while datagrams arrive.
 */
export class TrialTally {
  trial = 0;
  count = 0;
  received = 0;
  maxSequence = 0;
  private startMs = 0;
  private lastDatagramMs = 0;

  begin(trial: number, count: number, nowMs: number): void {
    this.trial = trial;
    this.count = count;
    this.received = 0;
    this.maxSequence = 0;
    this.startMs = nowMs;
    this.lastDatagramMs = nowMs;
  }

  /** One datagram or record: counted when it belongs to the current trial. */
  record(trial: number, sequence: number): void {
    if (trial !== this.trial) return;
    this.received++;
    if (sequence > this.maxSequence) this.maxSequence = sequence;
  }

  sawTraffic(nowMs: number): void {
    this.lastDatagramMs = nowMs;
  }

  isComplete(): boolean {
    return this.received >= this.count;
  }

  isIdle(nowMs: number): boolean {
    const timeoutMs = this.received === 0 ? FIRST_DATAGRAM_TIMEOUT_MS : IDLE_TIMEOUT_MS;
    return nowMs - this.lastDatagramMs > timeoutMs;
  }

  result(nowMs: number): TrialCount {
    return { trial: this.trial, received: this.received, maxSequence: this.maxSequence, elapsedNs: Math.round((nowMs - this.startMs) * 1e6) };
  }
}
