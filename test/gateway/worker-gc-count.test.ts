/**
 * The worker's GC count: exact (V8's GC profiler), but its refresh stalls the worker, so it is
 * refreshed at most once a second and only in a lull of the feed, unless the feed has had no
 * lull for ten seconds. Real collections are made here by allocating far past the young
 * generation; the clock is the caller's, so the policy is tested without waiting.
 */
import { describe, expect, it } from 'vitest';
import { WorkerGcCount } from '../../src/gateway/worker-gc-count.js';
import { WORKER_GC_COUNT } from '../../src/metrics/counters-layout.js';
import { GatewayCounters } from '../../src/metrics/counters.js';
import type { TimeSource } from '../../src/io/clock.js';

const SECOND = 1_000_000_000;
/** A monotonic time well past boot, as the worker's clock reads. */
const T0 = 1_000 * SECOND;

/** The worker's monotonic clock, as last read. */
function at(nanos: number): TimeSource {
  return { nanos, update: () => {} };
}

/** Allocates some 50 MB of short-lived arrays: several scavenges, whatever the young generation's size. */
function makeGarbage(): void {
  const keep: number[][] = new Array(1000);
  for (let i = 0; i < 200_000; i++) keep[i % 1000] = new Array<number>(32).fill(i);
}

describe('WorkerGcCount', () => {
  it('refreshes in a lull at most once a second, and without one once the count is ten seconds overdue', () => {
    // given a count published at T0
    const counters = new GatewayCounters();
    const gcCount = new WorkerGcCount(counters);
    gcCount.publishIfDue(at(T0), false); // due at once: the first
    const first = counters.get(WORKER_GC_COUNT);

    // when collections happen
    makeGarbage();

    // then the count stays as it was within the second, even in a lull
    gcCount.publishIfDue(at(T0 + SECOND / 2), true);
    expect(counters.get(WORKER_GC_COUNT)).toBe(first);
    // and after it, while the feed is busy
    gcCount.publishIfDue(at(T0 + 2 * SECOND), false);
    expect(counters.get(WORKER_GC_COUNT)).toBe(first);
    // until a lull
    gcCount.publishIfDue(at(T0 + 2 * SECOND), true);
    const second = counters.get(WORKER_GC_COUNT);
    expect(second).toBeGreaterThan(first);

    // and under unbroken load, not before ten seconds past the next refresh was due (T0 + 3 s)
    makeGarbage();
    gcCount.publishIfDue(at(T0 + 12.9 * SECOND), false);
    expect(counters.get(WORKER_GC_COUNT)).toBe(second);
    gcCount.publishIfDue(at(T0 + 13 * SECOND), false);
    expect(counters.get(WORKER_GC_COUNT)).toBeGreaterThan(second);
  });

  it('publishes the collections so far whenever told to (at stop)', () => {
    const counters = new GatewayCounters();
    const gcCount = new WorkerGcCount(counters);
    makeGarbage();
    gcCount.publish();
    expect(counters.get(WORKER_GC_COUNT)).toBeGreaterThan(0);
  });
});
