/**
 * The gateway's HTTP control plane: the fastify server of server.ts over a running Gateway,
 * listening on the configured address. Passed to Gateway.start, which starts it once the worker
 * is ready and closes it at stop:
 *
 *   Gateway.start(config, { log, controlPlane: httpControlPlane(config.http) })
 */
import type { HttpConfig } from '../gateway/config.js';
import type { ControlPlane, Gateway } from '../gateway/gateway.js';
import { resolveHttpToken } from './bearer-token.js';
import { buildHttpServer, listen } from './server.js';

export function httpControlPlane(config: HttpConfig): (gateway: Gateway) => Promise<ControlPlane> {
  return async (gateway) => {
    const app = buildHttpServer({ source: gateway, latency: gateway.stageLatency, killSwitch: gateway, token: resolveHttpToken(config.token) });
    try {
      const address = await listen(app, config.host, config.port);
      return { address, close: () => app.close() };
    } catch (error) {
      await app.close();
      throw new Error(`http ${config.host}:${config.port}: ${(error as Error).message}`, { cause: error });
    }
  };
}
