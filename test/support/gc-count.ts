import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Runs `work` synchronously and counts the garbage collections V8 reports during it. A loop that
 * allocates nothing per iteration triggers none, however long it runs; one that allocates even a
 * small object per iteration triggers scavenges.
 */
export async function countGarbageCollections(work: () => unknown): Promise<number> {
  const startTimes: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) startTimes.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const start = performance.now();
  work();
  const end = performance.now();
  // Entries are delivered asynchronously: give the observer a turn before reading them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return startTimes.filter((time) => time >= start && time <= end).length;
}
