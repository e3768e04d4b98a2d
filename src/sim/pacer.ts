/**
 * Runs a callback at an average rate of `rate` ticks per second. Node timers fire at best every
 * millisecond, so each wake-up runs the ticks that fell due since the start (by the monotonic
 * clock), in a burst: the long-run rate is exact and a late wake-up catches up, up to a cap.
 */
import { monotonicNanos } from '../io/native.js';

/** A wake-up runs at most this many seconds' worth of ticks: a long stall is not replayed in one burst. */
const MAX_CATCH_UP_SECONDS = 0.05;
const WAKE_UP_INTERVAL_MS = 1;

export class Pacer {
  private timer: NodeJS.Timeout | undefined;
  private startNanos = 0;
  private ticksRun = 0;

  /** @param onTicks runs `count` ticks; returns how many it ran (fewer when it must wait, e.g. for the socket). */
  constructor(
    readonly rate: number,
    private readonly onTicks: (count: number) => number,
  ) {
    if (!(rate > 0)) throw new RangeError(`rate must be positive: rate=${rate}`);
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.startNanos = monotonicNanos();
    this.ticksRun = 0;
    this.timer = setInterval(() => this.wakeUp(), WAKE_UP_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private wakeUp(): void {
    const due = Math.floor(((monotonicNanos() - this.startNanos) * this.rate) / 1e9) - this.ticksRun;
    if (due <= 0) return;
    const cap = Math.max(1, Math.ceil(this.rate * MAX_CATCH_UP_SECONDS));
    if (due > cap) this.ticksRun += due - cap; // forget what cannot be caught up
    this.ticksRun += this.onTicks(Math.min(due, cap));
  }
}
