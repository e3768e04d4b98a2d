/**
 * What the hot-path worker and the main thread tell each other. All of it is cold path: once at
 * start and stop, per log line, and one latency snapshot a second. Counters travel through
 * shared memory (src/metrics/counters-layout.ts), never as messages.
 */
import type { GatewayConfig } from './config.js';
import type { StageIntervals } from '../metrics/stage-latency.js';
import type { GatewayTopology } from '../metrics/status-snapshot.js';

/** workerData of the hot-path worker. */
export interface WorkerInput {
  config: GatewayConfig;
  counters: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

export type LogLevel = 'info' | 'warn' | 'error';

export type WorkerMessage =
  /** Everything opened and every strategy started: the loop runs. */
  | { type: 'ready'; topology: GatewayTopology }
  /** Start-up failed (a feed, a strategy, the order path): the worker exits. */
  | { type: 'failed'; message: string }
  | { type: 'log'; level: LogLevel; message: string }
  /** The last interval's tick-to-trade histogram, HdrHistogram compressed base64. */
  | { type: 'latency'; snapshot: string }
  /** The last interval of every stage (wire, decode, ...), same cadence. */
  | { type: 'stage-latency'; intervals: StageIntervals }
  /** onStop hooks ran, orders flushed, sources closed. */
  | { type: 'stopped' };
