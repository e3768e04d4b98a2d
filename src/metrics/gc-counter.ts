/**
 * Counts garbage collections by their start time, so a count can be attributed to a measured
 * window after the fact. PerformanceObserver delivers 'gc' entries asynchronously: a window
 * measured inside a synchronous loop is only complete once the event loop has turned
 * (`settle()`): between rounds or after a run, never inside a timed loop. Used by the backtest's
 * summary and by the benchmarks.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

export class GcCounter {
  private readonly startTimes: number[] = [];
  private readonly observer: PerformanceObserver;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.startTimes.push(entry.startTime);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** A timestamp on the same clock as the gc entries (performance.now()). */
  now(): number {
    return performance.now();
  }

  /** Lets pending 'gc' entries reach the observer. */
  async settle(): Promise<void> {
    await nextTurn();
    await nextTurn();
  }

  /** Collections that started within [fromMs, toMs]. Call after settle(). */
  countBetween(fromMs: number, toMs: number): number {
    let count = 0;
    for (const startTime of this.startTimes) {
      if (startTime >= fromMs && startTime <= toMs) {
        count++;
      }
    }
    return count;
  }

  close(): void {
    this.observer.disconnect();
  }
}
