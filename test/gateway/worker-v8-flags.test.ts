/**
 * The hot-path worker's V8 work stays on its own thread: what it would otherwise wait for on
 * V8's platform threads, which run off the worker's core. Read from V8's own traces of a child
 * process: --trace-opt (how each optimisation was compiled) and --trace-gc-nvp (the helper
 * threads' share of each scavenge, the pages left for the unmapper job).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

function traceOf(fixture: string, v8Flags: string[]): string[] {
  const child = fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url));
  const trace = execFileSync(process.execPath, [...v8Flags, '--import', 'tsx', child], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return trace.split('\n');
}

/**
 * Each whole "[compiling method ...]" record of a --trace-opt trace: the function and its
 * ConcurrencyMode. Both threads print to the same stdout, so one thread's record is now and then
 * cut by the other's text; such a record is not whole, and is left out.
 */
function compileRecords(lines: string[]): Array<{ name: string; mode: string }> {
  const record = /\[compiling method 0x[0-9a-f]+ <JSFunction (\S+) \(sfi = 0x[0-9a-f]+\)> \(target \w+\), mode: ConcurrencyMode::(\w+)\]/g;
  return [...lines.join('\n').matchAll(record)].map(([, name, mode]) => ({ name: name!, mode: mode! }));
}

describe('runWorkerIsolateOnItsThread', () => {
  it("compiles the worker's optimised code on the worker's thread, the main thread's still concurrently", () => {
    const compiles = compileRecords(traceOf('warmed-gateway-child.ts', ['--trace-opt']));
    // HotLoop's passes run in the worker only
    const hotLoopCompiles = compiles.filter(({ name }) => name === 'runPass' || name === 'completePass');

    expect(hotLoopCompiles.length).toBeGreaterThan(0);
    expect(hotLoopCompiles.filter(({ mode }) => mode !== 'kSynchronous')).toEqual([]);
    expect(compiles.some(({ mode }) => mode === 'kConcurrent')).toBe(true);
  }, 120_000);

  it("leaves no share of the worker's scavenges to the helper threads", () => {
    const lines = traceOf('worker-collections-child.ts', ['--expose-gc', '--trace-gc-nvp']);
    // from the child's full collection, right after the call
    const helperTimes = lines
      .slice(lines.findIndex((line) => line.includes(' gc=mc ')))
      .filter((line) => line.includes(' gc=s '))
      .map((line) => Number(/background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1] ?? Number.NaN));

    expect(helperTimes.length).toBeGreaterThan(5);
    expect(helperTimes.filter((ms) => ms !== 0)).toEqual([]);
  });

  it("frees the worker's spent heap pages itself, leaving none queued for a helper", () => {
    const lines = traceOf('worker-collections-child.ts', ['--expose-gc', '--trace-gc-nvp']);
    // every collection from the child's full one on, the worker's closing full one among them
    const collections = lines.slice(lines.findIndex((line) => line.includes(' gc=mc '))).filter((line) => / gc=(s|mc) /.test(line));
    const queuedChunks = collections.map((line) => Number(/ unmapper_chunks=(\d+)/.exec(line)?.[1] ?? Number.NaN));

    expect(collections.filter((line) => line.includes(' gc=mc ')).length).toBe(2);
    expect(queuedChunks.filter((chunks) => chunks !== 0)).toEqual([]);
  });
});
