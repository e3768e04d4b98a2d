import * as hdr from 'hdr-histogram-js';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveHttpToken } from '../../src/http/bearer-token.js';
import { buildHttpServer } from '../../src/http/server.js';
import { GatewayCounters } from '../../src/metrics/counters.js';
import { FILLS, GAPS, MESSAGES, ORDERS, PACKETS, STRATEGY_ERRORS, dropSlot, rejectSlot } from '../../src/metrics/counters-layout.js';
import { StageLatencyAggregate } from '../../src/metrics/stage-latency-aggregate.js';
import { STAGE_NAMES } from '../../src/metrics/stage-latency.js';
import { readGatewayStatus } from '../../src/metrics/status-snapshot.js';
import { RejectReason } from '../../src/order/order-request.js';
import { EXPECTED_NANOS, recorderWith, takeInterval } from '../metrics/stage-latency-fixture.js';

const TOKEN = 's3cret-token';
const topology = { exchange: 'tcp://127.0.0.1:9100', feeds: ['udp://127.0.0.1:14310'], strategies: [] };
const noLatency = { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

interface Served {
  app: FastifyInstance;
  latency: StageLatencyAggregate;
  counters: GatewayCounters;
  killSwitchCalls: boolean[];
}

/** A server over an aggregate holding two intervals: 2 packets, then 3. */
/** `token` null: none configured. */
function serve(token: string | null = TOKEN): Served {
  const latency = new StageLatencyAggregate();
  latency.addIntervals({ ...takeInterval(recorderWith(2).histograms), startTimeMs: 1_764_000_000_000, endTimeMs: 1_764_000_001_000 });
  latency.addIntervals({ ...takeInterval(recorderWith(3).histograms), startTimeMs: 1_764_000_001_000, endTimeMs: 1_764_000_002_000 });
  const counters = new GatewayCounters();
  const killSwitchCalls: boolean[] = [];
  app = buildHttpServer({
    source: { status: () => readGatewayStatus(counters, topology, noLatency, 0) },
    latency,
    killSwitch: { setKillSwitch: (engaged) => void killSwitchCalls.push(engaged) },
    token: token ?? undefined,
  });
  return { app, latency, counters, killSwitchCalls };
}

describe('GET /latency', () => {
  it('gives every stage count, min, mean and percentiles in microseconds with 3 significant digits', async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'GET', url: '/latency' });
    expect(response.statusCode).toBe(200);
    const body = response.json() as Record<string, Record<string, number>>;
    expect(Object.keys(body)).toEqual([...STAGE_NAMES]);
    expect(body.tick_to_trade).toEqual({ count: 5, min: 6, mean: 6, p50: 6, p90: 6, p99: 6, p999: 6, p9999: 6, max: 6 });
    expect(body.risk_encode).toMatchObject({ count: 5, p50: 0.4, p9999: 0.4 });
  });
});

describe('GET /latency/:stage.hgrm', () => {
  it("is HdrHistogram's percentile distribution of the stage, in microseconds", async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'GET', url: '/latency/send.hgrm' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toMatch(/^\s+Value\s+Percentile\s+TotalCount 1\/\(1-Percentile\)/);
    // every row: the value (0.900 us) at a percentile, with the total count so far
    const rows = text.split('\n').filter((line) => /^\s+\d/.test(line)).map((line) => line.trim().split(/\s+/));
    expect(rows.length).toBeGreaterThan(0);
    for (const [value, , totalCount] of rows) expect([Number(value), Number(totalCount)]).toEqual([0.9, 5]);
    expect(text).toMatch(/#\[Max\s+=\s+0\.900, Total count\s+=\s+5\]/);
  });

  it('answers 404 naming the valid stages for an unknown one', async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'GET', url: '/latency/parse.hgrm' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe('unknown stage "parse": the stages are wire, decode, strategy, risk_encode, send, tick_to_trade, feed');
  });
});

describe('GET /latency/:stage.hlog', () => {
  it("is an HdrHistogram v1.3 interval log that hdr-histogram-js's reader reads back, interval by interval", async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'GET', url: '/latency/wire.hlog' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^#\[Histogram log format version 1\.3\]$/m);
    expect(response.body).toMatch(/^#\[StartTime: 1764000000\.000/m);

    const reader = new hdr.HistogramLogReader(response.body);
    const intervals: { count: number; max: number; start: number; end: number }[] = [];
    for (let histogram = reader.nextIntervalHistogram(); histogram !== null; histogram = reader.nextIntervalHistogram()) {
      intervals.push({ count: histogram.totalCount, max: histogram.maxValue, start: histogram.startTimeStampMsec, end: histogram.endTimeStampMsec });
    }
    expect(intervals.map(({ count }) => count)).toEqual([2, 3]);
    // values in nanoseconds, within the histogram's 3 significant digits
    for (const { max } of intervals) expect(Math.abs(max - EXPECTED_NANOS.wire)).toBeLessThanOrEqual(EXPECTED_NANOS.wire / 1000);
    expect(intervals.map(({ start, end }) => [start, end])).toEqual([
      [1_764_000_000_000, 1_764_000_001_000],
      [1_764_000_001_000, 1_764_000_002_000],
    ]);
  });

  it('answers 404 for an unknown stage', async () => {
    const { app } = serve();
    expect((await app.inject({ method: 'GET', url: '/latency/nope.hlog' })).statusCode).toBe(404);
  });
});

describe('GET /metrics', () => {
  it('exposes the stages as Prometheus histograms in seconds and the counters, per reason where there are reasons', async () => {
    const { app, counters } = serve();
    counters.set(PACKETS, 120);
    counters.set(MESSAGES, 340);
    counters.set(GAPS, 2);
    counters.set(dropSlot(0), 3);
    counters.set(ORDERS, 17);
    counters.set(rejectSlot(RejectReason.MaxOrderQuantity), 4);
    counters.set(FILLS, 9);
    counters.set(STRATEGY_ERRORS, 1);
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const lines = response.body.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE zerotick_stage_latency_seconds histogram',
        // tick_to_trade: 5 samples of 6 us
        'zerotick_stage_latency_seconds_bucket{stage="tick_to_trade",le="0.000005"} 0',
        'zerotick_stage_latency_seconds_bucket{stage="tick_to_trade",le="0.00001"} 5',
        'zerotick_stage_latency_seconds_bucket{stage="tick_to_trade",le="+Inf"} 5',
        'zerotick_stage_latency_seconds_count{stage="tick_to_trade"} 5',
        'zerotick_stage_latency_seconds_bucket{stage="decode",le="0.000001"} 5',
        'zerotick_packets_total 120',
        'zerotick_messages_total 340',
        'zerotick_gaps_total 2',
        'zerotick_orders_total 17',
        'zerotick_rejects_total{reason="maxOrderQuantity"} 4',
        'zerotick_fills_total 9',
        'zerotick_strategy_errors_total 1',
      ]),
    );
    expect(lines.some((line) => /^zerotick_drops_total\{reason="\w+"\} 3$/.test(line))).toBe(true);
    const sum = lines.find((line) => line.startsWith('zerotick_stage_latency_seconds_sum{stage="tick_to_trade"}'))!;
    expect(Number(sum.split(' ')[1])).toBeCloseTo(5 * 6e-6, 7);
  });
});

describe('POST /latency/reset and POST /kill-switch: bearer token', () => {
  it('resets the latency with the right token', async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'POST', url: '/latency/reset', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    const latency = (await app.inject({ method: 'GET', url: '/latency' })).json() as Record<string, { count: number }>;
    expect(STAGE_NAMES.map((stage) => latency[stage]!.count)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('engages and releases the kill switch with the right token', async () => {
    const { app, killSwitchCalls } = serve();
    const headers = { authorization: `Bearer ${TOKEN}` };
    expect((await app.inject({ method: 'POST', url: '/kill-switch', headers })).json()).toEqual({ engaged: true });
    expect((await app.inject({ method: 'POST', url: '/kill-switch', headers, payload: { engaged: false } })).json()).toEqual({ engaged: false });
    expect(killSwitchCalls).toEqual([true, false]);
  });

  it.each(['/latency/reset', '/kill-switch'])('%s: 401 without the token or with a wrong one, and nothing happens', async (url) => {
    const { app, killSwitchCalls, latency } = serve();
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
      const response = await app.inject({ method: 'POST', url, headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(killSwitchCalls).toEqual([]);
    expect(latency.summaries().wire.count).toBe(5);
  });

  it.each(['/latency/reset', '/kill-switch'])('%s: disabled (403 saying how to enable it) when no token is configured, even with a header', async (url) => {
    const { app, killSwitchCalls } = serve(null);
    const response = await app.inject({ method: 'POST', url, headers: { authorization: 'Bearer ' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toBe(`POST ${url} is disabled: set http.token in the config or ZEROTICK_HTTP_TOKEN in the environment to enable it`);
    expect(killSwitchCalls).toEqual([]);
  });
});

describe('resolveHttpToken', () => {
  it("takes the config's token, else ZEROTICK_HTTP_TOKEN; empty means none", () => {
    expect(resolveHttpToken('from-config', { ZEROTICK_HTTP_TOKEN: 'from-env' })).toBe('from-config');
    expect(resolveHttpToken(undefined, { ZEROTICK_HTTP_TOKEN: 'from-env' })).toBe('from-env');
    expect(resolveHttpToken(undefined, {})).toBeUndefined();
    expect(resolveHttpToken(undefined, { ZEROTICK_HTTP_TOKEN: '' })).toBeUndefined();
  });
});

describe('GET /', () => {
  it('is the self-contained latency page: inline script, the plot and the table, nothing from elsewhere', async () => {
    const { app } = serve();
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<svg id="plot"');
    expect(response.body).toContain('<table id="summary">');
    expect(response.body).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    // the only absolute URL is SVG's namespace name, which is never fetched
    expect(new Set(response.body.match(/https?:\/\/[^'"\s]+/g))).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });
});
