/**
 * Counts garbage collections during a run. PerformanceObserver delivers 'gc' entries after the
 * event loop turns, so a synchronous run's count is only complete after settle().
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

export class GcCounter {
  private readonly startTimes: number[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.startTimes.push(entry.startTime);
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** A time on the gc entries' clock (performance.now()), to mark a window with. */
  now(): number {
    return performance.now();
  }

  /** Collections that started within [fromMs, toMs], once pending entries have arrived. */
  async countBetween(fromMs: number, toMs: number): Promise<number> {
    await nextTurn();
    await nextTurn();
    return this.startTimes.filter((startTime) => startTime >= fromMs && startTime <= toMs).length;
  }

  close(): void {
    this.observer.disconnect();
  }
}
