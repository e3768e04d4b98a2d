/**
 * Waiting until a send time with microsecond accuracy, without burning a core for long gaps:
 * far from the deadline, sleep on a timer (the event loop turns: signals, progress); closer,
 * block the thread in the kernel (usleep: wakes within the timer slack, no allocation); for the
 * last SPIN_WINDOW_NS, busy-wait on the native monotonic clock, which is what makes p99 small.
 *
 * Measured on a loaded machine (bench/replay): event-loop timers woke 0.6-1.2 ms late as a rule
 * (libuv keeps time in whole milliseconds) and up to 12 ms late at times; Atomics.wait, used for
 * the block before, woke 2-5 ms late at times and once 335 ms, on a real-time thread that C's
 * clock_nanosleep wakes within microseconds. Hence the kernel sleep, and timer sleeps that
 * always leave half the remaining time (at least TIMER_WAKE_MARGIN_NS) to the block and spin.
 *
 * Time is injected (HdrHistogramJS's habit), so the pacing arithmetic is tested without a clock.
 */
import { setTimeout as sleepOnTimer } from 'node:timers/promises';
import { CLOCK_MONOTONIC, NanosecondClock, type TimeSource } from '../io/clock.js';
import { libc } from '../io/native.js';

/**
 * Monotonic time read into a field (TimeSource: update(), then `nanos`), never returned: the
 * busy-wait reads it millions of times a second, and a double returned from a call V8 does not
 * inline is boxed (measured: a scavenge every ~55 ms, each one a late packet).
 */
export interface PacingClock extends TimeSource {
  /** Sleeps on the event loop (timers fire a millisecond or two late, more on a loaded machine). */
  sleepMs(milliseconds: number): Promise<void>;
  /** Blocks the thread for about this long (a kernel sleep: up to the timer slack, 50 us, late). */
  blockMs(milliseconds: number): void;
}

/** A timer sleep never ends closer to the deadline than this: a timer's usual lateness and more. */
export const TIMER_WAKE_MARGIN_NS = 3_000_000;
/** Deadlines further than this are first approached on a timer (a sleep of at least 1 ms). */
export const TIMER_SLEEP_THRESHOLD_NS = TIMER_WAKE_MARGIN_NS + 1_000_000;
/** The last stretch before a deadline is busy-waited: longer than a kernel sleep wakes late. */
export const SPIN_WINDOW_NS = 100_000;
const MICROS_PER_MILLI = 1000;

const usleep: (microseconds: number) => number = libc.func('int usleep(uint32_t usec)');

class SystemPacingClock extends NanosecondClock implements PacingClock {
  constructor() {
    super(CLOCK_MONOTONIC);
  }

  sleepMs(milliseconds: number): Promise<void> {
    return sleepOnTimer(milliseconds);
  }

  blockMs(milliseconds: number): void {
    usleep(Math.floor(milliseconds * MICROS_PER_MILLI));
  }
}

export const systemClock: PacingClock = new SystemPacingClock();

/**
 * True when reaching `deadline` from the clock's last reading needs a timer sleep first: the
 * caller awaits `clock.sleepMs(timerSleepMs(...))` and asks again. Split this way so the common
 * case (a short gap) never creates a promise.
 */
export function needsTimerSleep(clock: PacingClock, deadlineNanos: number): boolean {
  return deadlineNanos - clock.nanos > TIMER_SLEEP_THRESHOLD_NS;
}

/**
 * How long to sleep on a timer: half the time left, and never past TIMER_WAKE_MARGIN_NS before
 * the deadline, so a late wake-up (by less than what is left) still finds the deadline ahead.
 * Long gaps take a few sleeps, each closer.
 */
export function timerSleepMs(clock: PacingClock, deadlineNanos: number): number {
  clock.update();
  const remaining = deadlineNanos - clock.nanos;
  return Math.floor(Math.min(remaining - TIMER_WAKE_MARGIN_NS, remaining / 2) / 1e6);
}

/**
 * Blocks, then spins, until the clock reads `deadlines[index]`, starting from its last reading
 * (a caller that has just read it saves a read before the send); the clock is left at the time
 * it read last. The deadline is read from an array rather than passed: a double argument of a
 * call V8 does not inline is boxed, an allocation per wait.
 */
export function waitShortly(clock: PacingClock, deadlines: Float64Array, index: number): void {
  const deadlineNanos = deadlines[index]!;
  const blockNanos = deadlineNanos - clock.nanos - SPIN_WINDOW_NS;
  if (blockNanos > 0) {
    clock.blockMs(blockNanos / 1e6);
    clock.update();
  }
  while (clock.nanos < deadlineNanos) clock.update();
}
