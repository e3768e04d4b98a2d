/**
 * JSON schemas of the status routes' responses. fastify serializes a response through its
 * schema (fast-json-stringify), so a field missing here is missing from the reply: keep this
 * in step with GatewayStatus (src/metrics/status-snapshot.ts).
 */
const count = { type: 'number' } as const;
const countsByName = { type: 'object', additionalProperties: count } as const;

const latencySummary = {
  type: 'object',
  description: 'Tick-to-trade in nanoseconds, since start',
  properties: { count, p50: count, p99: count, p999: count, max: count },
} as const;

const feedStatus = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    up: { type: 'boolean' },
    packets: count,
    bytes: count,
    sourceDrops: count,
    lastReceiveNanos: count,
  },
} as const;

const strategyStatus = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    path: { type: 'string' },
    state: { type: 'string', enum: ['loaded', 'running', 'stopped', 'failed'] },
    messages: count,
    orders: count,
    executionReports: count,
    fills: count,
    rejects: count,
    errors: count,
    restarts: count,
  },
} as const;

export const gatewayStatusSchema = {
  type: 'object',
  properties: {
    worker: { type: 'string', enum: ['starting', 'running', 'stopping', 'stopped'] },
    workerHeartbeatAgeMs: count,
    workerGcCount: count,
    packets: count,
    messages: count,
    bookUpdates: count,
    gaps: count,
    packetsLost: count,
    duplicates: count,
    latePackets: count,
    drops: countsByName,
    orders: count,
    cancels: count,
    replaces: count,
    executionReports: count,
    fills: count,
    rejects: count,
    rejectsByReason: countsByName,
    strategyErrors: count,
    session: {
      type: 'object',
      properties: { exchange: { type: 'string' }, state: { type: 'string' }, reconnects: count },
    },
    risk: { type: 'object', properties: { killSwitch: { type: 'boolean' }, openOrders: count } },
    feeds: { type: 'array', items: feedStatus },
    strategies: { type: 'array', items: strategyStatus },
    tickToTrade: latencySummary,
  },
} as const;

export const healthSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    reasons: { type: 'array', items: { type: 'string' } },
  },
} as const;
