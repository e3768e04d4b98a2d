/**
 * Interleaved rounds: every case runs once per round, in the same order (A B C A B C ...), so
 * that a slow stretch of the machine (the other core busy, a frequency change) lands on all
 * cases alike; each case reports the median of its rounds.
 */
import { GcCounter } from './gc-counter.js';
import { median } from './stats.js';

export interface TimedCase {
  readonly name: string;
  /** One operation; returns a number the loop accumulates so the work cannot be optimised away. */
  readonly operation: () => number;
}

export interface RoundsOptions {
  /** Each case's iteration count is set in the first warm-up round so that one round of it takes about this long. */
  targetRoundMs: number;
  rounds: number;
  /** At least 1: the first warm-up round calibrates. */
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
  const samples = cases.map(() => [] as number[]);
  const windows = cases.map(() => [] as Array<[number, number]>);
  const totalRounds = Math.max(1, options.warmupRounds) + options.rounds;
  for (let round = 0; round < totalRounds; round++) {
    const calibrating = round === 0;
    const measured = round >= totalRounds - options.rounds;
    for (let c = 0; c < cases.length; c++) {
      const from = gc.now();
      const { elapsedNs, sink } = timeLoop(loops[c]!, cases[c]!.operation, iterations[c]!);
      const to = gc.now();
      blackhole += sink;
      if (calibrating) {
        const nsPerOperation = Math.max(elapsedNs / iterations[c]!, 1);
        iterations[c] = Math.max(100, Math.round((options.targetRoundMs * 1e6) / nsPerOperation));
      } else if (measured) {
        samples[c]!.push(elapsedNs / iterations[c]!);
        windows[c]!.push([from, to]);
      }
    }
    await gc.settle();
  }
  await gc.settle();
  return cases.map((timedCase, c) => ({
    name: timedCase.name,
    nsPerOperation: median(samples[c]!),
    roundsNsPerOperation: samples[c]!,
    iterationsPerRound: iterations[c]!,
    gcCount: windows[c]!.reduce((total, [from, to]) => total + gc.countBetween(from, to), 0),
  }));
}
