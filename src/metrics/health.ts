/**
 * Whether the gateway can trade: its worker runs and its loop turns, every feed source is open
 * and the exchange session is established. `GET /health` answers 200 or 503 from this.
 */
import type { GatewayStatus } from './status-snapshot.js';

export interface GatewayHealth {
  healthy: boolean;
  /** One sentence per problem, empty when healthy. */
  reasons: string[];
}

/**
 * A loop pass publishes at least every few milliseconds (when idle, or every 256 busy passes):
 * a heartbeat this old means the loop is stuck, most likely in a strategy that never returns.
 */
export const WORKER_STALL_MS = 1000;

export function gatewayHealth(status: GatewayStatus): GatewayHealth {
  const reasons: string[] = [];
  if (status.worker !== 'running') reasons.push(`hot-path worker is ${status.worker}`);
  else if (status.workerHeartbeatAgeMs >= WORKER_STALL_MS) reasons.push(`hot-path worker stalled: no loop pass for ${status.workerHeartbeatAgeMs} ms`);
  for (const feed of status.feeds) {
    if (!feed.up) reasons.push(`feed ${feed.url} is down`);
  }
  if (status.session.state !== 'established') {
    reasons.push(`exchange session to ${status.session.exchange} is ${status.session.state}`);
  }
  return { healthy: reasons.length === 0, reasons };
}
