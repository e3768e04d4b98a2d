/** What the I/O suite measures and saves (bench/build/results/io.json), and its report reads. */
import type { ReceiverSweep } from './sweep.js';

/**
 * Over the drain rounds: the best is the receiver's capacity with the least interference (other
 * work on the machine only ever slows a drain down), the median what a typical round saw.
 */
export interface DrainRate {
  best: number;
  median: number;
  /** Datagrams per CPU second of the receiving thread (best and median): its own cost, steady on a busy machine. */
  cpuBest?: number;
  cpuMedian?: number;
  /** Rounds measured (those whose whole backlog arrived). */
  rounds?: number;
  /**
   * The receiving thread's CPU time per datagram in user space and in the kernel (getrusage
   * RUSAGE_THREAD), over all rounds: which side of the system call a difference is on.
   */
  userNsPerDatagram?: number;
  systemNsPerDatagram?: number;
}

/** The backlog each drain round queues, and the memory that held it. */
export interface DrainBacklog {
  datagrams: number;
  /** SO_RCVBUF asked of each socket (by SO_RCVBUFFORCE), and each ring's bytes. */
  requestedBufferBytes: number;
  /** What each receiver got: SO_RCVBUF as granted (twice the request when allowed), or the ring's bytes. */
  bufferBytes: Record<string, number>;
  /** Some receiver got less than requested (no CAP_NET_ADMIN): the backlog fell back to one 4 MiB holds. */
  fellBack: boolean;
}

export interface PayloadSweep {
  payloadBytes: number;
  /** Datagrams per second the sender of the socket receivers (UDP GSO) reached alone, flat out, into a socket nobody reads. */
  senderCeiling?: number;
  /** The same for the datagram-per-message sender (sendmmsg) the TPACKET rings get. */
  perDatagramSenderCeiling?: number;
  sweeps: ReceiverSweep[];
  /** Datagrams per second each receiver drains a backlog at (null: the backlog never fully arrived). */
  drainRates?: Record<string, DrainRate | null>;
  drainBacklog?: DrainBacklog;
  /** Receivers that could not run, with the reason. */
  unavailable: Record<string, string>;
}

export interface IoSuiteResult {
  payloads: PayloadSweep[];
  trialDurationMs: number;
  /** Backlog size (as planned: PayloadSweep.drainBacklog says what each payload used) and rounds of the drain measurement. */
  drainDatagrams?: number;
  drainRounds?: number;
  /** Rounds per receiver before the measured ones, not counted. */
  drainWarmupRounds?: number;
  ladder: number[];
  bisectionSteps: number;
  receiveBufferBytes: number;
  batch: number;
  pinning: string;
}
