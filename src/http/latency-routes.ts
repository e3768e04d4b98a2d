/**
 * The per-stage latency routes (control plane; the data comes from the worker once a second):
 *
 *   GET  /latency                JSON per stage: count, min, mean, p50 ... p99.99, max (us, 3 significant digits)
 *   GET  /latency/:stage.hgrm    HdrHistogram percentile distribution (outputPercentileDistribution), us
 *   GET  /latency/:stage.hlog    HdrHistogram interval log, format v1.3, ns
 *   POST /latency/reset          forgets what was recorded (bearer token)
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { StageLatencyAggregate } from '../metrics/stage-latency-aggregate.js';
import { STAGE_NAMES, type StageName } from '../metrics/stage-latency.js';
import { requireBearerToken } from './bearer-token.js';

export interface LatencyRoutesOptions {
  latency: StageLatencyAggregate;
  /** Bearer token of POST /latency/reset; undefined: the route is disabled. */
  token: string | undefined;
}

const micros = { type: 'number' } as const;
const stageSummarySchema = {
  type: 'object',
  properties: { count: { type: 'integer' }, min: micros, mean: micros, p50: micros, p90: micros, p99: micros, p999: micros, p9999: micros, max: micros },
} as const;
const latencySchema = {
  type: 'object',
  description: 'Per stage, since start or the last reset; times in microseconds, 3 significant digits',
  properties: Object.fromEntries(STAGE_NAMES.map((name) => [name, stageSummarySchema])),
} as const;
const stageParams = { type: 'object', properties: { stage: { type: 'string' } }, required: ['stage'] } as const;
const errorSchema = { type: 'object', properties: { error: { type: 'string' } } } as const;

function isStage(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

function unknownStage(reply: FastifyReply, stage: string): FastifyReply {
  return reply.code(404).send({ error: `unknown stage ${JSON.stringify(stage)}: the stages are ${STAGE_NAMES.join(', ')}` });
}

export const latencyRoutes: FastifyPluginAsync<LatencyRoutesOptions> = async (app, { latency, token }) => {
  app.get('/latency', { schema: { response: { 200: latencySchema } } }, async () => latency.summaries());

  app.get<{ Params: { stage: string } }>(
    '/latency/:stage.hgrm',
    { schema: { params: stageParams, response: { 404: errorSchema } } },
    async (request, reply) => {
      const { stage } = request.params;
      if (!isStage(stage)) return unknownStage(reply, stage);
      return reply.type('text/plain; charset=utf-8').send(latency.percentileDistribution(stage));
    },
  );

  app.get<{ Params: { stage: string } }>(
    '/latency/:stage.hlog',
    { schema: { params: stageParams, response: { 404: errorSchema } } },
    async (request, reply) => {
      const { stage } = request.params;
      if (!isStage(stage)) return unknownStage(reply, stage);
      return reply.type('text/plain; charset=utf-8').send(latency.intervalLog(stage));
    },
  );

  app.post(
    '/latency/reset',
    { onRequest: requireBearerToken(token), schema: { response: { 200: { type: 'object', properties: { reset: { type: 'boolean' } } }, 401: errorSchema, 403: errorSchema } } },
    async () => {
      latency.reset();
      return { reset: true };
    },
  );
};
