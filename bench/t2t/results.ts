/** What the tick-to-trade suite measures and saves (bench/build/results/t2t.json), and its report reads. */
import type { LossAccount } from './loss-account.js';
import type { ResponderSweep } from './rate-search.js';

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
  /** Orders whose price was not the touch of the packet that triggered them (a misread book). */
  priceMismatches: number;
  /** Median over rounds of each round's p99, us: how steady the figure was. */
  roundP99s: number[];
  /** Where the measured rounds' lost packets went, over all of them (absent in runs saved before it existed). */
  lossAccount?: LossAccount;
  lossyRounds?: LossyRound[];
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

/** Garbage collections of the zero-copy gateway's hot-path worker during the latency run. */
export interface WorkerGc {
  /** null: the gateway did not expose a count (GET /status has no workerGcCount). */
  runs: number | null;
  note: string;
}

export interface T2tSuiteResult {
  responders: ResponderResult[];
  sweeps: ResponderSweep[];
  zeroCopyWorkerGc: WorkerGc;
  rounds: number;
  packetsPerRound: number;
  warmUpPackets: number;
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
