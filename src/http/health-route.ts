/**
 * `GET /health`: 200 when the gateway can trade (worker running, every feed up, exchange
 * session established), 503 with the reasons otherwise: what a load balancer or an operator's
 * probe asks.
 */
import type { FastifyPluginAsync } from 'fastify';
import { gatewayHealth } from '../metrics/health.js';
import { healthSchema } from './status-schema.js';
import type { StatusSource } from './status-source.js';

export interface HealthRouteOptions {
  source: StatusSource;
}

export const healthRoute: FastifyPluginAsync<HealthRouteOptions> = async (app, { source }) => {
  app.get('/health', { schema: { response: { 200: healthSchema, 503: healthSchema } } }, async (_request, reply) => {
    const health = gatewayHealth(source.status());
    if (health.healthy) return { status: 'ok', reasons: [] };
    return reply.code(503).send({ status: 'unavailable', reasons: health.reasons });
  });
};
