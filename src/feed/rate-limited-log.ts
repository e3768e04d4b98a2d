/**
 * Logs bad input without flooding: at most one line per reason per interval, saying how many
 * more of that reason were suppressed since the last line. Messages are built by the caller
 * only when `shouldLog` says a line will be written, so the suppressed path allocates nothing.
 */

export interface FeedLogger {
  warn(message: string): void;
}

export const DEFAULT_LOG_INTERVAL_MS = 1000;

export class RateLimitedLog {
  private readonly lastLoggedAtMs: Map<string, number> = new Map();
  private readonly suppressed: Map<string, number> = new Map();

  constructor(
    private readonly logger: FeedLogger,
    /** Milliseconds from any fixed origin; injected so tests can move time. */
    private readonly clockMs: () => number = () => performance.now(),
    private readonly intervalMs: number = DEFAULT_LOG_INTERVAL_MS,
  ) {}

  /** True when a line for `reason` may be written now; false counts one suppressed line. */
  shouldLog(reason: string): boolean {
    const now = this.clockMs();
    const last = this.lastLoggedAtMs.get(reason);
    if (last !== undefined && now - last < this.intervalMs) {
      this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + 1);
      return false;
    }
    this.lastLoggedAtMs.set(reason, now);
    return true;
  }

  /** Writes the line for `reason` (after shouldLog said yes), with the count suppressed before it. */
  write(reason: string, message: string): void {
    const suppressed = this.suppressed.get(reason) ?? 0;
    this.suppressed.set(reason, 0);
    this.logger.warn(suppressed === 0 ? `${reason}: ${message}` : `${reason}: ${message} (${suppressed} more since the last report)`);
  }
}
