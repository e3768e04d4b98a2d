/**
 * The gateway's HTTP endpoint (control plane, main thread): fastify with one plugin per route
 * group. It reads the shared counters on request and never touches the hot path.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { StageLatencyAggregate } from '../metrics/stage-latency-aggregate.js';
import { healthRoute } from './health-route.js';
import { killSwitchRoute, type KillSwitch } from './kill-switch-route.js';
import { latencyPageRoute } from './latency-page-route.js';
import { latencyRoutes } from './latency-routes.js';
import { metricsRoute } from './metrics-route.js';
import { statusRoute } from './status-route.js';
import type { StatusSource } from './status-source.js';

export interface HttpServerOptions {
  source: StatusSource;
  /** Per-stage latency: /latency, /latency/:stage.hgrm|.hlog, POST /latency/reset, /metrics and the page at /. */
  latency?: StageLatencyAggregate;
  /** POST /kill-switch. */
  killSwitch?: KillSwitch;
  /** Bearer token of the POST routes (resolveHttpToken); undefined: they answer 403. */
  token?: string;
  /** fastify's request logging; off by default (the gateway logs what matters itself). */
  logger?: boolean;
}

export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.register(statusRoute, { source: options.source });
  app.register(healthRoute, { source: options.source });
  if (options.latency !== undefined) {
    app.register(latencyRoutes, { latency: options.latency, token: options.token });
    app.register(metricsRoute, { source: options.source, latency: options.latency });
    app.register(latencyPageRoute);
  }
  if (options.killSwitch !== undefined) app.register(killSwitchRoute, { killSwitch: options.killSwitch, token: options.token });
  return app;
}

/** Starts listening; resolves to the bound address (the real port when 0 was asked). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<{ host: string; port: number }> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') return { host, port };
  return { host: address.address, port: address.port };
}
