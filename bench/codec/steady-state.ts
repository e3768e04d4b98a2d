/**
 * The zero-allocation proof: 10,000,000 zerotick decode+encode of each message in one loop
 * (--quick: Car 2,000,000), after warm-up and a full collection, counting the garbage
 * collections that start during the loop (PerformanceObserver 'gc'). Zero means the hot path
 * allocated nothing the young generation had to reclaim. Prints one SteadyStateSuiteResult.
 *
 *   node --expose-gc --import tsx bench/codec/steady-state.ts [--quick]
 */
import type { Codec, MessageKind } from './codec.js';
import { loadZerotickCodecs } from './zerotick.js';
import type { SteadyStateResult, SteadyStateSuiteResult } from './results.js';
import { GcCounter } from '../../src/metrics/gc-counter.js';
import { consumedSink } from '../lib/rounds.js';
import { isQuick, logProgress, writeResult } from '../lib/child.js';

const STEADY_STATE_ITERATIONS = 10_000_000;
/** --quick keeps the 10-million loop for Book46 (the gateway's message) and shortens Car's. */
const QUICK_ITERATIONS: Record<MessageKind, number> = { book46: STEADY_STATE_ITERATIONS, car: 2_000_000 };
const WARMUP_ITERATIONS = 200_000;

function decodeAndEncode(codec: Codec, iterations: number): number {
  const { decode, encode } = codec;
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += decode() + encode();
  }
  return sink;
}

function collectGarbageNow(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error('steady-state.ts needs node --expose-gc');
  }
  gc();
}

async function measure(message: MessageKind, codec: Codec, iterations: number, gcCounter: GcCounter): Promise<SteadyStateResult> {
  decodeAndEncode(codec, WARMUP_ITERATIONS);
  collectGarbageNow();
  await gcCounter.settle();
  const from = gcCounter.now();
  const sink = decodeAndEncode(codec, iterations);
  const to = gcCounter.now();
  await gcCounter.settle();
  const result = { message, iterations, elapsedMs: to - from, gcCount: gcCounter.countBetween(from, to) };
  logProgress(`steady state ${message}: ${result.iterations} decode+encode in ${result.elapsedMs.toFixed(0)} ms, ${result.gcCount} GCs (sink ${sink + consumedSink()})`);
  return result;
}

async function main(): Promise<void> {
  const zerotick = await loadZerotickCodecs();
  if ('unavailable' in zerotick) {
    writeResult({ loops: [], unavailable: zerotick.unavailable } satisfies SteadyStateSuiteResult);
    return;
  }
  const gcCounter = new GcCounter();
  const loops: SteadyStateResult[] = [];
  for (const [message, codec] of Object.entries(zerotick.steadyState) as Array<[MessageKind, Codec]>) {
    loops.push(await measure(message, codec, isQuick() ? QUICK_ITERATIONS[message] : STEADY_STATE_ITERATIONS, gcCounter));
  }
  gcCounter.close();
  writeResult({ loops } satisfies SteadyStateSuiteResult);
}

await main();
