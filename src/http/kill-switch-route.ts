/**
 * `POST /kill-switch` (bearer token): `{"engaged": true}` (the default with no body) blocks new
 * orders and cancels the working ones; `{"engaged": false}` releases it. The worker applies it
 * on its next loop pass; GET /status shows it under risk.killSwitch.
 */
import type { FastifyPluginAsync } from 'fastify';
import { requireBearerToken } from './bearer-token.js';

export interface KillSwitch {
  setKillSwitch(engaged: boolean): void;
}

export interface KillSwitchRouteOptions {
  killSwitch: KillSwitch;
  /** Bearer token; undefined: the route is disabled. */
  token: string | undefined;
}

const errorSchema = { type: 'object', properties: { error: { type: 'string' } } } as const;

export const killSwitchRoute: FastifyPluginAsync<KillSwitchRouteOptions> = async (app, { killSwitch, token }) => {
  app.post<{ Body: { engaged?: boolean } | undefined }>(
    '/kill-switch',
    {
      onRequest: requireBearerToken(token),
      schema: {
        body: { type: ['object', 'null'], properties: { engaged: { type: 'boolean' } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { engaged: { type: 'boolean' } } }, 401: errorSchema, 403: errorSchema },
      },
    },
    async (request) => {
      const engaged = request.body?.engaged ?? true;
      killSwitch.setKillSwitch(engaged);
      return { engaged };
    },
  );
};
