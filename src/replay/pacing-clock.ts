/**
 * Waiting until a send time with microsecond accuracy, without burning a core for long gaps:
 * far from the deadline, sleep on a timer (the event loop turns: signals, progress); closer,
 * block the thread on a futex (Atomics.wait: sub-millisecond, no allocation); for the last
 * SPIN_WINDOW_NS, busy-wait on the native monotonic clock, which is what makes p99 small.
 *
 * Time is injected (HdrHistogramJS's habit), so the pacing arithmetic is tested without a clock.
 */
import { setTimeout as sleepOnTimer } from 'node:timers/promises';
import { CLOCK_MONOTONIC, NanosecondClock } from '../io/clock.js';

export interface PacingClock {
  /** Monotonic nanoseconds. */
  nowNanos(): number;
  /** Sleeps on the event loop (timers fire late by up to ~1 ms). */
  sleepMs(milliseconds: number): Promise<void>;
  /** Blocks the thread for about this long (futex wake-up is ~50 us late). */
  blockMs(milliseconds: number): void;
}

/** Gaps longer than this sleep on a timer: it fires up to ~1 ms late, hence the margin. */
export const TIMER_SLEEP_THRESHOLD_NS = 2_000_000;
/** The last stretch before a deadline is busy-waited: longer than a futex wake-up is late. */
export const SPIN_WINDOW_NS = 100_000;

const parkingWord = new Int32Array(new SharedArrayBuffer(4));
/**
 * Not monotonicNanos: a koffi double return boxes every read, and the busy-wait reads millions
 * of times a second (measured: a scavenge every ~55 ms, each one a late packet). This clock's
 * read is inlined into the wait loop and allocates nothing.
 */
const monotonicClock = new NanosecondClock(CLOCK_MONOTONIC);

export const systemClock: PacingClock = {
  nowNanos: () => {
    monotonicClock.update();
    return monotonicClock.nanos;
  },
  sleepMs: (milliseconds) => sleepOnTimer(milliseconds),
  blockMs: (milliseconds) => {
    // Nobody ever notifies this word: the wait always runs to its timeout.
    Atomics.wait(parkingWord, 0, 0, milliseconds);
  },
};

/**
 * True when reaching `deadline` needs a timer sleep first: the caller awaits
 * `clock.sleepMs(timerSleepMs(...))` and asks again. Split this way so the common case (a
 * short gap) never creates a promise.
 */
export function needsTimerSleep(clock: PacingClock, deadlineNanos: number, nowNanos = clock.nowNanos()): boolean {
  return deadlineNanos - nowNanos > TIMER_SLEEP_THRESHOLD_NS;
}

/** How long to sleep on a timer so as to wake, even late, before the last short stretch. */
export function timerSleepMs(clock: PacingClock, deadlineNanos: number): number {
  return Math.floor((deadlineNanos - clock.nowNanos() - TIMER_SLEEP_THRESHOLD_NS / 2) / 1e6);
}

/**
 * Blocks, then spins, until the clock reads `deadline`; returns the time it read last. A caller
 * that has just read the clock passes that reading as `nowNanos`: one read fewer before a send.
 */
export function waitShortly(clock: PacingClock, deadlineNanos: number, nowNanos = clock.nowNanos()): number {
  let now = nowNanos;
  const blockNanos = deadlineNanos - now - SPIN_WINDOW_NS;
  if (blockNanos > 0) {
    clock.blockMs(blockNanos / 1e6);
    now = clock.nowNanos();
  }
  while (now < deadlineNanos) now = clock.nowNanos();
  return now;
}
