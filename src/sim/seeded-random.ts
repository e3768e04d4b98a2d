/**
 * mulberry32: a 32-bit state PRNG, small, fast and good enough for synthetic markets. The same
 * seed gives the same sequence on every machine (integer arithmetic only, via Math.imul), which
 * is what makes the simulator's feed reproducible byte for byte.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 2^32). */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform integer in [0, bound). */
  nextInt(bound: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * bound);
  }

  /** Uniform integer in [min, max]. */
  nextIntBetween(min: number, max: number): number {
    return min + this.nextInt(max - min + 1);
  }

  /** True with probability `numerator / denominator`. */
  chance(numerator: number, denominator: number): boolean {
    return this.nextInt(denominator) < numerator;
  }
}
