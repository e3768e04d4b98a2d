/**
 * Exponential reconnect backoff: initial, 2x initial, 4x ... capped at max; reset() after a
 * session is established again, so that one flap does not slow the next recovery.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Failed attempts since the last reset. */
  attempts = 0;

  constructor(initialMs: number, maxMs: number) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError(`reconnect backoff needs 0 < initial <= max: initialMs=${initialMs} maxMs=${maxMs}`);
    }
    this.initialMs = initialMs;
    this.maxMs = maxMs;
  }

  /** The delay before the next attempt, and counts it. */
  nextDelayMs(): number {
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempts, 30));
    this.attempts++;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
  }
}
