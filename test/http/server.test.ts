import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { GatewayCounters } from '../../src/metrics/counters.js';
import {
  FEED_PACKETS,
  FEED_UP,
  FILLS,
  ORDERS,
  PACKETS,
  REJECTS,
  SESSION_STATE,
  SESSION_STATE_CONNECTING,
  SESSION_STATE_ESTABLISHED,
  STRATEGY_ORDERS,
  STRATEGY_STATE,
  STRATEGY_STATE_RUNNING,
  WORKER_HEARTBEAT_NANOS,
  WORKER_STATE,
  WORKER_STATE_RUNNING,
  dropSlot,
  feedSlot,
  rejectSlot,
  strategySlot,
} from '../../src/metrics/counters-layout.js';
import { readGatewayStatus, type GatewayTopology } from '../../src/metrics/status-snapshot.js';
import { buildHttpServer, listen } from '../../src/http/server.js';
import { RejectReason } from '../../src/order/order-request.js';

const topology: GatewayTopology = {
  exchange: 'tcp://127.0.0.1:9100',
  feeds: ['udp://127.0.0.1:14310', 'udp://127.0.0.1:14311'],
  strategies: [{ name: 'market-maker', path: 'strategies/market-maker.ts' }],
};
const noLatency = { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
/** The monotonic clock as the status reads it; the worker's heartbeat is set relative to it. */
let now = 5_000_000_000;

function healthyCounters(): GatewayCounters {
  const counters = new GatewayCounters();
  counters.set(WORKER_STATE, WORKER_STATE_RUNNING);
  counters.set(feedSlot(0, FEED_UP), 1);
  counters.set(feedSlot(1, FEED_UP), 1);
  counters.set(SESSION_STATE, SESSION_STATE_ESTABLISHED);
  counters.set(strategySlot(0, STRATEGY_STATE), STRATEGY_STATE_RUNNING);
  counters.set(WORKER_HEARTBEAT_NANOS, now - 2_000_000); // 2 ms ago
  return counters;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function serve(counters: GatewayCounters): FastifyInstance {
  app = buildHttpServer({ source: { status: () => readGatewayStatus(counters, topology, noLatency, now) } });
  return app;
}

describe('GET /status', () => {
  it('serves the shared counters as JSON, per feed and per strategy', async () => {
    // given counters as the worker leaves them
    const counters = healthyCounters();
    counters.set(PACKETS, 1000);
    counters.set(ORDERS, 12);
    counters.set(FILLS, 3);
    counters.set(REJECTS, 2);
    counters.set(rejectSlot(RejectReason.KillSwitch), 2);
    counters.set(dropSlot(2), 5); // msgSizePastEnd
    counters.set(feedSlot(1, FEED_PACKETS), 400);
    counters.set(strategySlot(0, STRATEGY_ORDERS), 12);

    // when
    const response = await serve(counters).inject('/status');

    // then
    expect(response.statusCode).toBe(200);
    const status = response.json();
    expect(status).toMatchObject({
      worker: 'running',
      workerHeartbeatAgeMs: 2,
      packets: 1000,
      orders: 12,
      fills: 3,
      rejects: 2,
      session: { exchange: 'tcp://127.0.0.1:9100', state: 'established', reconnects: 0 },
      risk: { killSwitch: false, openOrders: 0 },
    });
    expect(status.rejectsByReason.killSwitch).toBe(2);
    expect(status.drops.msgSizePastEnd).toBe(5);
    expect(status.feeds[1]).toMatchObject({ url: 'udp://127.0.0.1:14311', up: true, packets: 400 });
    expect(status.strategies[0]).toMatchObject({ name: 'market-maker', state: 'running', orders: 12 });
    expect(status.tickToTrade).toEqual(noLatency);
  });
});

describe('GET /health', () => {
  it('is 200 when the worker runs, the feeds are up and the session is established', async () => {
    const response = await serve(healthyCounters()).inject('/health');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', reasons: [] });
  });

  it('is 503 with every reason otherwise', async () => {
    const counters = healthyCounters();
    counters.set(feedSlot(1, FEED_UP), 0);
    counters.set(SESSION_STATE, SESSION_STATE_CONNECTING);

    const response = await serve(counters).inject('/health');

    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      status: 'unavailable',
      reasons: ['feed udp://127.0.0.1:14311 is down', 'exchange session to tcp://127.0.0.1:9100 is connecting'],
    });
  });

  it('is 503 when the worker loop has not turned for a second (a strategy that never returns)', async () => {
    const counters = healthyCounters();
    now += 1_500_000_000;

    const response = await serve(counters).inject('/health');

    expect(response.statusCode).toBe(503);
    expect(response.json().reasons).toEqual(['hot-path worker stalled: no loop pass for 1502 ms']);
    now -= 1_500_000_000;
  });

  it('answers over a real socket too', async () => {
    const server = serve(healthyCounters());
    const { port } = await listen(server, '127.0.0.1', 0);

    const response = await fetch(`http://127.0.0.1:${port}/health`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', reasons: [] });
  });
});
