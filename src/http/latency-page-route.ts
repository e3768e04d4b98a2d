/** `GET /`: the live latency page (latency-page.ts): one self-contained HTML document, no CDN. */
import type { FastifyPluginAsync } from 'fastify';
import { LATENCY_PAGE_HTML } from './latency-page.js';

export const latencyPageRoute: FastifyPluginAsync = async (app) => {
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(LATENCY_PAGE_HTML));
};
