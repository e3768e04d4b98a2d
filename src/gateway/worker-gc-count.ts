/**
 * Garbage collections of the hot-path worker's heap, published as WORKER_GC_COUNT (GET /status
 * workerGcCount): the proof that the hot path allocates nothing, readable from outside.
 *
 * Counted by V8's GC profiler, which records in V8's GC callbacks: a PerformanceObserver would
 * deliver its 'gc' entries through the event loop, which the spinning hot loop never turns to.
 * stop() hands over the collections since start() as an object, so it is read on the cold path,
 * never per pass. Cold, that read and the next profiler's start stall the worker 70-250 us, and
 * every packet arriving meanwhile waits: so the count is refreshed at most once a second, and
 * only in a lull of the feed, unless the feed has had none for MAX_WAIT_FOR_LULL_NANOS. The
 * report and the next profiler, about 280 bytes a refresh, are the worker's only steady-state
 * garbage: one scavenge in about an hour per MB of young generation.
 */
import { GCProfiler } from 'node:v8';
import type { TimeSource } from '../io/clock.js';
import type { GatewayCounters } from '../metrics/counters.js';
import { WORKER_GC_COUNT } from '../metrics/counters-layout.js';

const NANOS_PER_SECOND = 1_000_000_000;
/** The oldest the published count gets while the feed never pauses. */
const MAX_WAIT_FOR_LULL_NANOS = 10 * NANOS_PER_SECOND;

export class WorkerGcCount {
  private readonly profiler = new GCProfiler();
  private total = 0;
  /** CLOCK_MONOTONIC ns from which a lull refreshes the count; 0: due at once. */
  private dueNanos = 0;

  constructor(private readonly counters: GatewayCounters) {
    this.profiler.start();
  }

  /**
   * Refreshes the count when a second has passed since the last refresh and the feed is in a
   * lull (`inLull`), or when MAX_WAIT_FOR_LULL_NANOS have passed since then regardless.
   * `monotonic` was read just before: the clock, not its time, is passed, since a double passed
   * to a call V8 does not inline is boxed, and the loop calls this every 256 passes.
   */
  publishIfDue(monotonic: TimeSource, inLull: boolean): void {
    const now = monotonic.nanos;
    if (now < this.dueNanos) return;
    if (!inLull && now < this.dueNanos + MAX_WAIT_FOR_LULL_NANOS) return;
    this.publish();
    this.dueNanos = now + NANOS_PER_SECOND;
  }

  /** Adds the collections since the last call and publishes the total, now. */
  publish(): void {
    this.total += this.profiler.stop().statistics.length;
    this.profiler.start();
    this.counters.set(WORKER_GC_COUNT, this.total);
  }
}
