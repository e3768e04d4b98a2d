/** What the suite reads from a gateway between trials: GET /status, its stage latency (GET /latency). */
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

/** One stage's latency as GET /latency summarises it, in microseconds. */
export interface StageSummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
}

/** The gateway's per-stage latency since its last reset (GET /latency, beside GET /status). */
export async function gatewayStageLatency(statusUrl: string): Promise<Record<string, StageSummary>> {
  const response = await fetch(statusUrl.replace(/status$/, 'latency'));
  if (!response.ok) throw new Error(`bench t2t: GET ${response.url} answered ${response.status}`);
  return (await response.json()) as Record<string, StageSummary>;
}

/** Forgets what the gateway's stages recorded so far (POST /latency/reset, a control route: `token` is the gateway's bearer token). */
export async function resetGatewayStageLatency(statusUrl: string, token: string): Promise<void> {
  const url = statusUrl.replace(/status$/, 'latency/reset');
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`bench t2t: POST ${url} answered ${response.status}`);
}
