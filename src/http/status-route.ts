/** `GET /status`: the gateway's counters as JSON, per feed and per strategy. */
import type { FastifyPluginAsync } from 'fastify';
import { gatewayStatusSchema } from './status-schema.js';
import type { StatusSource } from './status-source.js';

export interface StatusRouteOptions {
  source: StatusSource;
}

export const statusRoute: FastifyPluginAsync<StatusRouteOptions> = async (app, { source }) => {
  app.get('/status', { schema: { response: { 200: gatewayStatusSchema } } }, async () => source.status());
};
