/**
 * Garbage collections of the hot-path worker's heap, published as WORKER_GC_COUNT (GET /status
 * workerGcCount): the proof that the hot path allocates nothing, readable from outside.
 *
 * Counted by V8's GC profiler, which records in V8's GC callbacks: a PerformanceObserver would
 * deliver its 'gc' entries through the event loop, which the spinning hot loop never turns to.
 * stop() hands over the collections since start() as an object, so it is read on the cold path
 * (once a second, with the latency intervals), never per pass. That object and the next
 * profiler, about 280 bytes a second, are the worker's only steady-state garbage: one scavenge
 * in about an hour per MB of young generation.
 */
import { GCProfiler } from 'node:v8';
import type { GatewayCounters } from '../metrics/counters.js';
import { WORKER_GC_COUNT } from '../metrics/counters-layout.js';

export class WorkerGcCount {
  private readonly profiler = new GCProfiler();
  private total = 0;

  constructor(private readonly counters: GatewayCounters) {
    this.profiler.start();
  }

  /** Adds the collections since the last call and publishes the total. */
  publish(): void {
    this.total += this.profiler.stop().statistics.length;
    this.profiler.start();
    this.counters.set(WORKER_GC_COUNT, this.total);
  }
}
