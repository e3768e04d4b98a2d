/**
 * mulberry32: a 32-bit state PRNG, small, fast and good enough for synthetic markets. The same
 * seed gives the same sequence on every machine (integer arithmetic only, via Math.imul), which
 * is what makes the simulator's feed reproducible byte for byte.
 *
 * Allocation-free by construction: the state stays an int32 and what leaves a method is either
 * a small integer or computed from 30 random bits, because V8 boxes a returned number that does
 * not fit a small integer (31 bits signed) whenever the call is not inlined.
 */
/** 2^30: the scale of the 30 random bits `nextInt` draws from. */
const THIRTY_BITS = 1073741824;

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** Uniform integer in [0, bound), bound <= 2^30. */
  nextInt(bound: number): number {
    const state = (this.state + 0x6d2b79f5) | 0;
    this.state = state;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const bits = (t ^ (t >>> 14)) >>> 2; // the top 30 bits
    return Math.floor((bits / THIRTY_BITS) * bound);
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
