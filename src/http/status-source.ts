/** What the HTTP routes read the gateway through: the control plane's view of the counters. */
import type { GatewayStatus } from '../metrics/status-snapshot.js';

export interface StatusSource {
  /** A fresh read of the shared counters (cheap: called per request). */
  status(): GatewayStatus;
}
