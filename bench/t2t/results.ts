/** What the tick-to-trade suite measures and saves (bench/build/results/t2t.json), and its report reads. */
import type { ReceiverSweep, TrialOutcome } from '../io/sweep.js';
import type { StageSummary } from './gateway-status.js';
import type { LossAccount } from './loss-account.js';
import type { RateTrial, ResponderSweep } from './rate-search.js';

/** Latency run figures of one responder, microseconds, over every measured round. */
export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
  /** Orders matched per second of the measured trials' intended send span. */
  ordersPerSecond: number;
  /** Packets that got no order within the drain time, and all packets sent. */
  lost: number;
  sent: number;
  /**
   * p99 and p99.9 over every packet sent, a lost one counted as never answered (null: the lost
   * reach that far); the goals compare these, so a responder's losses cannot flatter it. Absent
   * in runs saved before it existed.
   */
  ofSent?: { p99: number | null; p999: number | null };
  /** Orders whose price was not the touch of the packet that triggered them (a misread book). */
  priceMismatches: number;
  /** Median over rounds of each round's p99, us: how steady the figure was. */
  roundP99s: number[];
  /** Where the measured rounds' lost packets went, over all of them (absent in runs saved before it existed). */
  lossAccount?: LossAccount;
  lossyRounds?: LossyRound[];
  /** The exchange's send lag (us) over the measured trials: how late it sent, which every packet's latency includes. */
  sendLag?: { p99: number; p999: number; max: number };
  /** A gateway's hot-path worker: its GC runs over the latency run, warm-ups included (absent for the C reference, and in runs saved before it was read). */
  workerGc?: WorkerGc;
  /**
   * A gateway's own tick-to-trade over the latency run, warm-ups excluded (GET /latency, us):
   * from the kernel's receive timestamp to the order's send, so the gateway's part of the
   * figures above, without the exchange's lateness or the loopback's delivery.
   */
  ownTickToTrade?: StageSummary;
}

/** A latency round that lost packets, and where they went. */
export interface LossyRound {
  /** From 1. */
  round: number;
  account: LossAccount;
}

/** One point of the percentile spectrum: value (us) at percentile p (0..100). */
export interface SpectrumPoint {
  percentile: number;
  us: number;
}

export interface ResponderResult {
  name: string;
  /** What it is, for the table (command line in short). */
  description: string;
  /** Why it could not be measured; the other fields are then absent. */
  unavailable?: string;
  latency?: LatencyFigures;
  spectrum?: SpectrumPoint[];
  /** Where its latency histogram was written, relative to bench/. */
  hgrmPath?: string;
  hlogPath?: string;
}

/**
 * A responder's sweep as saved: a ResponderSweep, or one saved before trials carried their attempt
 * and loss account (every trial then its own rate; a lossy one was retried once, the retry kept).
 */
export type SavedSweep = ReceiverSweep & Partial<Pick<ResponderSweep, 'failureGeneratorBound' | 'failurePreempted'>> & { trials: SavedTrial[] };
export type SavedTrial = TrialOutcome & Partial<Pick<RateTrial, 'attempt' | 'account'>>;

/** The sweep's trials grouped per judged rate, in the order they ran: a rate's attempts are recorded together, the first as attempt 1. */
export function trialsByRate(sweep: SavedSweep): SavedTrial[][] {
  const byRate: SavedTrial[][] = [];
  for (const trial of sweep.trials) {
    if ((trial.attempt ?? 1) <= 1 || byRate.length === 0) byRate.push([trial]);
    else byRate.at(-1)!.push(trial);
  }
  return byRate;
}

/** The attempts of the lowest rate every attempt of which lost: what set the loss-free rate; empty when none failed. */
export function decidingFailure(sweep: SavedSweep): SavedTrial[] {
  const failed = trialsByRate(sweep).filter((attempts) => attempts.every((trial) => trial.lost > 0));
  return failed.reduce<SavedTrial[]>((lowest, attempts) => (lowest.length === 0 || attempts[0]!.offeredRate < lowest[0]!.offeredRate ? attempts : lowest), []);
}

/** Garbage collections of a gateway's hot-path worker during the latency run (the zero-copy one's is a goal). */
export interface WorkerGc {
  /** null: the gateway did not expose a count (GET /status has no workerGcCount). */
  runs: number | null;
  note: string;
}

export interface T2tSuiteResult {
  responders: ResponderResult[];
  sweeps: SavedSweep[];
  zeroCopyWorkerGc: WorkerGc;
  rounds: number;
  packetsPerRound: number;
  warmUpPackets: number;
  /** Each responder's warm-up alone before the rounds (absent in runs saved before it was recorded). */
  settle?: { packets: number; minTrials: number; quietSpellMs: number };
  latencyIntervalNs: number;
  sweepLadder: readonly number[];
  sweepTrialMs: number;
  /** Trials a sweep rate gets before it counts as lossy (absent: one retry, as before). */
  sweepAttempts?: number;
  drainMs: number;
  pinning: string;
  /** Wall-clock seconds the suite took, start-ups included. */
  durationSeconds: number;
}
