/**
 * The gateway's HTTP endpoint (control plane, main thread): fastify with one plugin per route
 * group. It reads the shared counters on request and never touches the hot path.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { healthRoute } from './health-route.js';
import { statusRoute } from './status-route.js';
import type { StatusSource } from './status-source.js';

export interface HttpServerOptions {
  source: StatusSource;
  /** fastify's request logging; off by default (the gateway logs what matters itself). */
  logger?: boolean;
}

export function buildHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false });
  app.register(statusRoute, { source: options.source });
  app.register(healthRoute, { source: options.source });
  return app;
}

/** Starts listening; resolves to the bound address (the real port when 0 was asked). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<{ host: string; port: number }> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') return { host, port };
  return { host: address.address, port: address.port };
}
