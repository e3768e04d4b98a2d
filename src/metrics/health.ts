/**
 * Whether the gateway can trade: its worker runs, every feed source is open and the exchange
 * session is established. `GET /health` answers 200 or 503 from this.
 */
import type { GatewayStatus } from './status-snapshot.js';

export interface GatewayHealth {
  healthy: boolean;
  /** One sentence per problem, empty when healthy. */
  reasons: string[];
}

export function gatewayHealth(status: GatewayStatus): GatewayHealth {
  const reasons: string[] = [];
  if (status.worker !== 'running') reasons.push(`hot-path worker is ${status.worker}`);
  for (const feed of status.feeds) {
    if (!feed.up) reasons.push(`feed ${feed.url} is down`);
  }
  if (status.session.state !== 'established') {
    reasons.push(`exchange session to ${status.session.exchange} is ${status.session.state}`);
  }
  return { healthy: reasons.length === 0, reasons };
}
