/**
 * What the order path counts, as plain numbers the gateway copies into shared memory. Session
 * level counts (bytes, reconnects, heartbeats, malformed input) live on OrderSession.
 */
import { REJECT_REASON_COUNT } from './order-reject.js';
import type { RejectReason } from './order-request.js';

export class OrderCounters {
  ordersSent = 0;
  cancelsSent = 0;
  replacesSent = 0;
  /** Rejects delivered to strategies, all reasons. */
  rejects = 0;
  /** Indexed by RejectReason (names in REJECT_REASON_NAMES). */
  readonly rejectsByReason = new Float64Array(REJECT_REASON_COUNT);
  executionReports = 0;
  /** Reports whose ClOrdID names nothing live (already closed, or never ours). */
  unknownExecutionReports = 0;
  businessRejects = 0;
  fills = 0;
  filledQuantity = 0;
  /** Cancels sent by the kill switch. */
  killSwitchCancels = 0;

  rejectCount(reason: RejectReason): number {
    return this.rejectsByReason[reason]!;
  }
}
