/**
 * What the hot-path worker and the main thread tell each other. All of it is cold path: once at
 * start and stop, and per log line. Counters and latency intervals travel through shared memory
 * (src/metrics/counters-layout.ts, src/metrics/interval-channel-layout.ts), never as messages.
 */
import type { GatewayConfig } from './config.js';
import type { GatewayTopology } from '../metrics/status-snapshot.js';

/** workerData of the hot-path worker. */
export interface WorkerInput {
  config: GatewayConfig;
  counters: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** IntervalChannel of every stage's histogram, in STAGE_NAMES order. */
  stageIntervals: SharedArrayBuffer;
}

export type LogLevel = 'info' | 'warn' | 'error';

export type WorkerMessage =
  /** Everything opened and every strategy started: the loop runs. */
  | { type: 'ready'; topology: GatewayTopology }
  /** Start-up failed (a feed, a strategy, the order path): the worker exits. */
  | { type: 'failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** onStop hooks ran, orders flushed, sources closed. */
  | { type: 'stopped' };
