/** What the backtest suite's child process prints (one JSON document on stdout) and the report reads. */

/** What runs in-process over the file in one configuration. */
export type BacktestConfiguration = 'books' | 'ping';

export interface BacktestRound {
  configuration: BacktestConfiguration;
  round: number;
  /** The first round of each configuration warms the JIT and is not counted in the medians. */
  warmUp: boolean;
  messages: number;
  packets: number;
  orders: number;
  fills: number;
  elapsedSeconds: number;
  messagesPerSecond: number;
  /** Garbage collections that started while the file ran (after a full collection before it). */
  gcCount: number;
  /** Those that started after the warm-up (the first tenth of the file); absent in runs saved before it was counted. */
  steadyStateGcCount?: number;
}

export interface BacktestSuiteResult {
  feed: { path: string; messages: number; packets: number; bytes: number; seed: number };
  rounds: BacktestRound[];
  pinning: string;
  goalMessagesPerSecond: number;
}
