/**
 * The gateway's main thread: the control plane. It starts the hot-path worker (worker.ts) and
 * waits until the worker has opened its feeds, loaded its strategies and started them; then it
 * starts the control plane it is given (HTTP: src/http/control-plane.ts), relays the worker's log
 * lines, keeps the latency totals, and stops it all cleanly on request (the strategies'
 * onStop hooks run in the worker).
 *
 * It never receives a message per packet: counters are read from shared memory when asked for,
 * and the latency intervals are taken from their channels when the worker publishes them.
 */
import type { Worker } from 'node:worker_threads';
import { monotonicNanos } from '../io/native.js';
import { GatewayCounters } from '../metrics/counters.js';
import { IntervalChannel, IntervalRelay } from '../metrics/interval-channel.js';
import { FEED_UP, SESSION_STATE, SESSION_STATE_DOWN, WORKER_STATE, WORKER_STATE_STOPPED, feedSlot } from '../metrics/counters-layout.js';
import { readGatewayStatus, type GatewayStatus, type GatewayTopology } from '../metrics/status-snapshot.js';
import { StageLatencyAggregate } from '../metrics/stage-latency-aggregate.js';
import { STAGE_NAMES } from '../metrics/stage-latency.js';
import { summarizeLatency } from '../metrics/latency-histogram.js';
import type { GatewayConfig, HostPort } from './config.js';
import { KILL_SWITCH_REQUESTED, STOP_REQUESTED, createControlWords } from './control-layout.js';
import { siblingModule, startWorkerWithTsx } from './worker-bootstrap.js';
import { runWorkerIsolateOnItsThread } from './worker-v8-flags.js';
import type { WorkerInput, WorkerMessage } from './worker-messages.js';

export interface GatewayLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A server beside the gateway that reads it (status, latency, kill switch); closed when the gateway stops. */
export interface ControlPlane {
  readonly address: HostPort;
  close(): Promise<void>;
}

export interface GatewayOptions {
  log: GatewayLog;
  /** Started once the worker is ready (src/http/control-plane.ts serves HTTP); none by default. */
  controlPlane?: (gateway: Gateway) => Promise<ControlPlane>;
}

/** How long stop() waits for the worker to finish its onStop hooks before terminating it. */
const STOP_TIMEOUT_MS = 5_000;

export class Gateway {
  readonly counters: GatewayCounters;
  /** Per-stage latency (wire, decode, ..., tick_to_trade, feed): interval, cumulative, interval log. */
  readonly stageLatency = new StageLatencyAggregate();
  topology!: GatewayTopology;
  private readonly control = createControlWords();
  private readonly worker: Worker;
  private readonly log: GatewayLog;
  private controlPlane: ControlPlane | undefined;
  private readonly exited: Promise<number>;
  private stopping: Promise<void> | undefined;

  private constructor(config: GatewayConfig, log: GatewayLog) {
    this.log = log;
    this.counters = new GatewayCounters();
    const stageIntervals = IntervalChannel.create(STAGE_NAMES.length);
    const input: WorkerInput = {
      config,
      counters: this.counters.buffer,
      control: this.control.buffer as SharedArrayBuffer,
      stageIntervals: stageIntervals.buffer,
    };
    runWorkerIsolateOnItsThread(); // before the worker's isolate is made
    this.worker = startWorkerWithTsx(siblingModule(import.meta.url, 'worker'), input);
    const relay = new IntervalRelay(stageIntervals, (intervals) => this.stageLatency.addIntervals(intervals));
    // Registered before `exited` resolves: whoever awaits stop() sees the last intervals.
    this.worker.once('exit', () => relay.end());
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
  }

  /** Starts the worker, waits for it to be ready, then the control plane. Rejects with the reason when anything fails to start. */
  static async start(config: GatewayConfig, options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(config, options.log);
    await gateway.waitUntilReady();
    if (options.controlPlane !== undefined) {
      try {
        gateway.controlPlane = await options.controlPlane(gateway);
      } catch (error) {
        await gateway.stop();
        throw error;
      }
    }
    return gateway;
  }

  /** Where the control plane listens (the real port when 0 was configured); undefined without one. */
  get httpAddress(): HostPort | undefined {
    return this.controlPlane?.address;
  }

  status(): GatewayStatus {
    return readGatewayStatus(this.counters, this.topology, summarizeLatency(this.stageLatency.cumulative('tick_to_trade')), monotonicNanos());
  }

  /** Blocks new orders and cancels working ones (the worker applies it on its next pass). */
  setKillSwitch(engaged: boolean): void {
    Atomics.store(this.control, KILL_SWITCH_REQUESTED, engaged ? 1 : 0);
  }

  /** Stops the worker (onStop hooks, last orders flushed, sources closed) and HTTP. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    Atomics.store(this.control, STOP_REQUESTED, 1);
    const timeout = setTimeout(() => {
      this.log.error(`the hot-path worker did not stop within ${STOP_TIMEOUT_MS} ms: terminating it`);
      void this.worker.terminate();
    }, STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timeout);
    await this.controlPlane?.close();
  }

  private waitUntilReady(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number): void => reject(new Error(`the hot-path worker exited during start (code ${code})`));
      this.worker.once('exit', onExit);
      this.worker.on('error', (error) => {
        this.log.error(`hot-path worker: ${error.stack ?? error.message}`);
        reject(error);
      });
      this.worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            this.topology = message.topology;
            this.worker.off('exit', onExit);
            this.worker.once('exit', (code) => this.onWorkerExit(code));
            resolve();
            return;
          case 'failed':
            reject(new Error(message.message));
            return;
          default:
            this.onWorkerMessage(message);
        }
      });
    });
  }

  /**
   * After a crash the worker cannot say so itself: mark it stopped (and its feeds and session
   * down) so that /health answers 503. The worker, the only writer, is gone.
   */
  private onWorkerExit(code: number): void {
    if (this.stopping !== undefined) return;
    this.log.error(`the hot-path worker exited unexpectedly (code ${code})`);
    this.counters.set(WORKER_STATE, WORKER_STATE_STOPPED);
    this.counters.set(SESSION_STATE, SESSION_STATE_DOWN);
    for (let feed = 0; feed < this.topology.feeds.length; feed++) this.counters.set(feedSlot(feed, FEED_UP), 0);
  }

  private onWorkerMessage(message: WorkerMessage): void {
    if (message.type === 'log') this.log[message.level](message.message);
  }
}
