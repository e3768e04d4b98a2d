/**
 * A clock function (realtimeNanos, a test's counter) as the TimeSource the order session reads
 * TransactTime from. The function's own result may be boxed (koffi boxes every double it
 * returns); a backtest passes its RecordedClock, a TimeSource already, and boxes nothing.
 */
import type { TimeSource } from '../io/clock.js';

export class FunctionClock implements TimeSource {
  /** A double from the start, so the field never changes representation. */
  nanos = 0.5;

  constructor(private readonly read: () => number) {}

  update(): void {
    this.nanos = this.read();
  }
}
