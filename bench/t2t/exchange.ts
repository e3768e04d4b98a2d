/**
 * The TypeScript end of bench/c/t2t_exchange.c: one exchange process per responder (its own
 * feed and its own order entry port), pinned to the load core, driven in lines (see the C file's
 * comment for the protocol). A trial's latencies come back through a file of int64 nanoseconds.
 */
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ManagedProcess } from '../lib/managed-process.js';
import { LOAD_CPU, measurementNiceness } from '../lib/pinning.js';
import { cProgram } from '../io/receivers.js';
import { REALTIME, realtimeCommand } from './realtime.js';

/**
 * Where the exchange publishes: a UDP address (with `sink`, the exchange binds it itself and never
 * reads it, for a responder that reads the wire: see --sink), or a zerotick SPSC ring (shm://name).
 */
export type FeedTarget = { kind: 'udp'; port: number; sink?: boolean } | { kind: 'shm'; name: string; capacityBytes?: number };

/** What t2t_exchange answers to `trial` (field names as it prints them). */
export interface TrialReport {
  trial: number;
  firstSeqNum: number;
  sent: number;
  intervalNs: number;
  offeredRate: number;
  achievedRate: number;
  matched: number;
  lost: number;
  duplicates: number;
  /** Orders that came after their packet's trial had ended (lost to the drain time), since the last report. */
  late: number;
  priceMismatches: number;
  ringFull: number;
  sendErrors: number;
  maxSendLagNs: number;
  /** Time the exchange waited for its CPU during the trial (schedstat): a generator that was not running sends late. */
  runQueueWaitNs: number;
  sessionUp: boolean;
}

export interface Trial {
  report: TrialReport;
  /** Per packet, in MsgSeqNum order: ns from intended send to the order's arrival; -1 when lost. */
  latencyNs: BigInt64Array;
  /** Per packet, in MsgSeqNum order: ns the packet left after its intended send; -1 when it never did. */
  sendLagNs: BigInt64Array;
}

/** The order is lost when it has not arrived this long after its packet's intended send. */
export const DRAIN_MS = 200;

/**
 * Added to the measured processes' niceness for the exchange: it stands for the outside world,
 * which the system under test must not slow, but it shares the load core with the gateways' main
 * threads and V8 helpers. At the same niceness it waited for its CPU 0.5 s in a zero-copy quick
 * run against 0.3 s in the C reference's (which has nothing on that core), and caught up in
 * bursts of 32 packets a pass: 952 of zero-copy's 961 lost packets had left late.
 */
const EXCHANGE_EXTRA_NICENESS = -5;

/**
 * The exchange's command: SCHED_FIFO with ZEROTICK_T2T_REALTIME, as the responders' hot paths;
 * otherwise reniced above the responders when the harness may raise priorities at all.
 */
function exchangeCommand(args: readonly string[]): [string, string[]] {
  const program = cProgram('t2t_exchange');
  if (REALTIME) return realtimeCommand(program, args);
  return measurementNiceness() === 0 ? [program, [...args]] : ['nice', ['-n', String(EXCHANGE_EXTRA_NICENESS), program, ...args]];
}

/** The niceness the exchanges run at. */
export function exchangeNiceness(): number {
  return measurementNiceness() === 0 ? 0 : measurementNiceness() + EXCHANGE_EXTRA_NICENESS;
}

let nextTrialId = 1;

export class Exchange {
  private constructor(
    private readonly process: ManagedProcess,
    readonly tcpPort: number,
    private readonly latencyFile: string,
  ) {}

  /** `cpu` undefined: not pinned (tests). */
  static async start(label: string, feed: FeedTarget, drainMs = DRAIN_MS, cpu: number | undefined = LOAD_CPU): Promise<Exchange> {
    const feedArgs = feed.kind === 'udp'
      ? ['--udp', `127.0.0.1:${feed.port}`, ...(feed.sink === true ? ['--sink'] : [])]
      : ['--shm', feed.name, ...(feed.capacityBytes === undefined ? [] : ['--shm-capacity', String(feed.capacityBytes)])];
    const args = [...feedArgs, '--listen', '0', '--drain-ms', String(drainMs)];
    const child = new ManagedProcess(`t2t_exchange (${label})`, ...exchangeCommand(args), cpu);
    const ready = await child.nextMessage<{ ready: boolean; tcpPort: number }>();
    const latencyFile = path.join(os.tmpdir(), `zerotick-t2t-${process.pid}-${label.replace(/[^A-Za-z0-9]+/g, '-')}.bin`);
    return new Exchange(child, ready.tcpPort, latencyFile);
  }

  /** True once a responder has sent Establish and been answered. */
  async waitEstablished(timeoutMs: number): Promise<boolean> {
    this.process.send(`wait-established ${timeoutMs}`);
    return (await this.process.nextMessage<{ established: boolean }>()).established;
  }

  /** `count` packets, one every `intervalNs`; resolves after the last order or the drain time. */
  async trial(count: number, intervalNs: number): Promise<Trial> {
    this.process.send(`trial ${nextTrialId++} ${count} ${Math.round(intervalNs)} ${this.latencyFile}`);
    const report = await this.process.nextMessage<TrialReport>();
    const bytes = readFileSync(this.latencyFile);
    // Copied out: a BigInt64Array needs an 8-byte aligned offset, which a Buffer does not promise.
    const values = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    return { report, latencyNs: values.subarray(0, count), sendLagNs: values.subarray(count, 2 * count) };
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.latencyFile, { force: true });
  }
}
