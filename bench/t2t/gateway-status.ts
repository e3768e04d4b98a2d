/** A gateway's GET /status, as the suite reads it between trials. */
import { setTimeout as sleep } from 'node:timers/promises';

/** A gateway serves HTTP a moment after its order session is up. */
const STATUS_TIMEOUT_MS = 20_000;

/** The gateway's GET /status, once it answers. */
export async function gatewayStatus(statusUrl: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + STATUS_TIMEOUT_MS;
  for (;;) {
    const status = await fetch(statusUrl).then((response) => response.json() as Promise<Record<string, unknown>>, () => undefined);
    if (status !== undefined) return status;
    if (Date.now() > deadline) throw new Error(`bench t2t: ${statusUrl} did not answer within ${STATUS_TIMEOUT_MS / 1000} s`);
    await sleep(100);
  }
}
