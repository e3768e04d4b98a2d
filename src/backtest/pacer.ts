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
  /** The packet's deadline, handed to waitShortly in an array (a double argument may be boxed). */
  private readonly deadline = new Float64Array(1);

  constructor(
    readonly speed: number,
    private readonly clock: PacingClock = systemClock,
  ) {
    if (!(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number: speed=${speed}`);
  }

  waitFor(packet: RecordedHorizon): void {
    if (Number.isNaN(this.firstRecordedNanos)) {
      this.firstRecordedNanos = packet.horizonNanos;
      this.clock.update();
      this.startNanos = this.clock.nanos;
      return;
    }
    this.deadline[0] = this.startNanos + (packet.horizonNanos - this.firstRecordedNanos) / this.speed;
    this.clock.update();
    waitShortly(this.clock, this.deadline, 0);
  }
}
