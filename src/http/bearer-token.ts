/**
 * Guards the routes that change the gateway (kill switch, latency reset) with a bearer token:
 * `Authorization: Bearer <token>`, the token from the config (`http.token`) or the environment
 * (ZEROTICK_HTTP_TOKEN). Without a configured token these routes are disabled (403 saying how
 * to enable them), never open; a missing or wrong token is 401.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';

export const TOKEN_ENVIRONMENT_VARIABLE = 'ZEROTICK_HTTP_TOKEN';
const BEARER_PREFIX = 'Bearer ';

/** The configured token: the config's, else the environment's; undefined (routes disabled) when neither is set or both are empty. */
export function resolveHttpToken(configured: string | undefined, environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = configured ?? environment[TOKEN_ENVIRONMENT_VARIABLE];
  return token === undefined || token === '' ? undefined : token;
}

function sameToken(given: string, expected: string): boolean {
  const givenBytes = Buffer.from(given);
  const expectedBytes = Buffer.from(expected);
  // Compared in constant time, so the reply's timing tells nothing about a near miss.
  return givenBytes.length === expectedBytes.length && timingSafeEqual(givenBytes, expectedBytes);
}

/** An onRequest hook that lets a request through only with `token` as its bearer token. */
export function requireBearerToken(token: string | undefined): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (token === undefined) {
      return reply.code(403).send({
        error: `${request.method} ${request.url} is disabled: set http.token in the config or ${TOKEN_ENVIRONMENT_VARIABLE} in the environment to enable it`,
      });
    }
    const authorization = request.headers.authorization;
    if (authorization === undefined || !authorization.startsWith(BEARER_PREFIX) || !sameToken(authorization.slice(BEARER_PREFIX.length), token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'a valid Authorization: Bearer <token> header is required' });
    }
  };
}
