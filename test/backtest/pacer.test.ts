/**
 * `--speed 1` (or any factor): each packet is held until its recorded offset from the first
 * packet, divided by the speed, has passed. Time is injected, so no wall clock is involved.
 */
import { describe, expect, it } from 'vitest';
import { Pacer } from '../../src/backtest/pacer.js';
import type { PacingClock } from '../../src/replay/pacing-clock.js';

const READ_STEP_NANOS = 1_000;

/** A clock that moves only when read (1 us a read, as a spin would see it) or blocked on. */
class SteppingClock implements PacingClock {
  nanos = 5_000_000_000;
  update(): void {
    this.nanos += READ_STEP_NANOS;
  }
  async sleepMs(): Promise<void> {}
  blockMs(milliseconds: number): void {
    this.nanos += milliseconds * 1e6;
  }
}

describe('Pacer', () => {
  it('holds each packet until start + (recorded - first recorded) / speed, and never holds the first', () => {
    // given
    const clock = new SteppingClock();
    const pacer = new Pacer(2, clock);
    const start = clock.nanos;

    // when / then: the first packet sets the anchor and goes at once (one clock read)
    pacer.waitFor({ horizonNanos: 1_000_000_000_000 });
    expect(clock.nanos).toBe(start + READ_STEP_NANOS);
    // a packet recorded 10 ms later goes 5 ms after the start at speed 2, give or take a read
    pacer.waitFor({ horizonNanos: 1_000_010_000_000 });
    expect(clock.nanos).toBeGreaterThanOrEqual(start + 5_000_000);
    expect(clock.nanos).toBeLessThanOrEqual(start + 5_000_000 + 2 * READ_STEP_NANOS);
    // one whose time has already passed is not held (one clock read)
    const now = clock.nanos;
    pacer.waitFor({ horizonNanos: 1_000_002_000_000 });
    expect(clock.nanos).toBe(now + READ_STEP_NANOS);
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => new Pacer(0)).toThrow('speed must be a positive number: speed=0');
  });
});
