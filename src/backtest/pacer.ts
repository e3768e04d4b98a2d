/**
 * `--speed 1` (or any factor): holds each packet until its recorded time, measured from the
 * first packet, has passed on the monotonic clock, divided by the speed. Long waits block the
 * thread (usleep), the last microseconds spin (src/replay/pacing-clock.ts): a backtest
 * runs on its own thread and has nothing else to do meanwhile.
 */
import { systemClock, waitShortly, type PacingClock } from '../replay/pacing-clock.js';

/** Where the packet's recorded time is: the order flow's horizon, set just before. */
export interface RecordedHorizon {
  readonly horizonNanos: number;
}

export class Pacer {
  private firstRecordedNanos = Number.NaN;
  private startNanos = 0;

  constructor(
    readonly speed: number,
    private readonly clock: PacingClock = systemClock,
  ) {
    if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number: speed=${speed}`);
  }

  waitFor(packet: RecordedHorizon): void {
    if (Number.isNaN(this.firstRecordedNanos)) {
      this.firstRecordedNanos = packet.horizonNanos;
      this.startNanos = this.clock.nowNanos();
      return;
    }
    const deadline = this.startNanos + (packet.horizonNanos - this.firstRecordedNanos) / this.speed;
    if (deadline > this.clock.nowNanos()) waitShortly(this.clock, deadline);
  }
}
