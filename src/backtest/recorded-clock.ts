/**
 * The backtest's one clock: recorded time, in ns since the epoch. It reads the SendingTime of
 * the packet being handled, and the due time of an order or report while the simulated order
 * path delivers it. Strategies (ctx.now()), the order router (risk windows, SendingTimeEpoch)
 * and the simulated exchange (TransactTime) all read it, so a run never depends on the wall
 * clock and the same file gives the same bytes.
 *
 * A TimeSource (src/io/clock.ts): the runner stores the time into `nanos`; update() has nothing
 * to read.
 */
import type { TimeSource } from '../io/clock.js';

export class RecordedClock implements TimeSource {
  /** A double from the start, so the field never changes representation. */
  nanos = 0.5;

  update(): void {}
}
