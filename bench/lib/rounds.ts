/**
 * Interleaved rounds: every case runs once per round, in the same order (A B C A B C ...), so
 * that a slow stretch of the machine (the other core busy, a frequency change) lands on all
 * cases alike; each case reports the median of its rounds.
 */
import { AllocationSampler } from './allocation-sampler.js';
import { GcCounter } from '../../src/metrics/gc-counter.js';
import { median } from './stats.js';

export interface TimedCase {
  readonly name: string;
  /** One operation; returns a number the loop accumulates so the work cannot be optimised away. */
  readonly operation: () => number;
}

export interface RoundsOptions {
  /** Each case's iteration count is set in the warm-up rounds so that one round of it takes about this long. */
  targetRoundMs: number;
  rounds: number;
  /** At least 1: warm-up rounds calibrate the iteration counts and are not measured. */
  warmupRounds: number;
}

const CALIBRATION_ITERATIONS = 2_000;

export interface CaseResult {
  name: string;
  /** Median over rounds of nanoseconds per operation. */
  nsPerOperation: number;
  roundsNsPerOperation: number[];
  iterationsPerRound: number;
  /** Garbage collections that started while this case was being timed, over all rounds. */
  gcCount: number;
  /** Bytes allocated per operation (sampled, with the loop already optimised). */
  bytesPerOperation: number;
}

type Loop = (operation: () => number, iterations: number) => number;

/**
 * A loop of its own for each case. A loop shared by every case would see many different
 * `operation`s and call them megamorphically; a copy per case (distinct source, so V8 shares
 * no feedback or code between copies) calls one target and can inline it.
 */
function compileLoop(caseName: string): Loop {
  const label = caseName.replace(/\*\//g, '');
  return new Function(
    'operation',
    'iterations',
    `/* loop for ${label} */
    let sink = 0;
    for (let i = 0; i < iterations; i++) {
      sink += operation();
    }
    return sink;`,
  ) as Loop;
}

function timeLoop(loop: Loop, operation: () => number, iterations: number): { elapsedNs: number; sink: number } {
  const start = process.hrtime.bigint();
  const sink = loop(operation, iterations);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  return { elapsedNs, sink };
}

/** Keeps loop results observable so no engine can prove them unused. */
let blackhole = 0;

export function consumedSink(): number {
  return blackhole;
}

export async function runInterleavedRounds(cases: readonly TimedCase[], options: RoundsOptions, gc: GcCounter): Promise<CaseResult[]> {
  const loops = cases.map((timedCase) => compileLoop(timedCase.name));
  const iterations = cases.map(() => CALIBRATION_ITERATIONS);
  const fastestNsPerOperation = cases.map(() => Infinity);
  const samples = cases.map(() => [] as number[]);
  const windows = cases.map(() => [] as Array<[number, number]>);
  const totalRounds = Math.max(1, options.warmupRounds) + options.rounds;
  for (let round = 0; round < totalRounds; round++) {
    // Every warm-up round recalibrates: the first runs cold code and would ask for far too few iterations.
    const calibrating = round < totalRounds - options.rounds;
    const measured = !calibrating;
    for (let c = 0; c < cases.length; c++) {
      const from = gc.now();
      const { elapsedNs, sink } = timeLoop(loops[c]!, cases[c]!.operation, iterations[c]!);
      const to = gc.now();
      blackhole += sink;
      if (calibrating) {
        // The fastest round so far: warmest code, least disturbed by the rest of the machine.
        fastestNsPerOperation[c] = Math.min(fastestNsPerOperation[c]!, Math.max(elapsedNs / iterations[c]!, 1));
        iterations[c] = Math.max(100, Math.round((options.targetRoundMs * 1e6) / fastestNsPerOperation[c]!));
      } else if (measured) {
        samples[c]!.push(elapsedNs / iterations[c]!);
        windows[c]!.push([from, to]);
      }
    }
    await gc.settle();
  }
  await gc.settle();
  const bytesPerOperation = await sampleAllocations(cases, loops, iterations);
  return cases.map((timedCase, c) => ({
    name: timedCase.name,
    nsPerOperation: median(samples[c]!),
    roundsNsPerOperation: samples[c]!,
    iterationsPerRound: iterations[c]!,
    gcCount: windows[c]!.reduce((total, [from, to]) => total + gc.countBetween(from, to), 0),
    bytesPerOperation: bytesPerOperation[c]!,
  }));
}

function collectGarbageIfExposed(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * Runs each case's own (hot) loop for one more round under the allocation sampler. A round is
 * many operations for a fast case, so the sampler's fixed noise (about 1 KB) is spread thin
 * exactly where a small allocation per operation would matter.
 */
async function sampleAllocations(cases: readonly TimedCase[], loops: readonly Loop[], iterations: readonly number[]): Promise<number[]> {
  const sampler = await AllocationSampler.create();
  try {
    const bytes: number[] = [];
    for (let c = 0; c < cases.length; c++) {
      collectGarbageIfExposed(); // the previous case's garbage is not collected (and sampled) inside this one
      const allocated = await sampler.bytesAllocatedBy(() => {
        blackhole += loops[c]!(cases[c]!.operation, iterations[c]!);
      });
      bytes.push(allocated / iterations[c]!);
    }
    return bytes;
  } finally {
    sampler.close();
  }
}
