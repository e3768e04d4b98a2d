/**
 * `GET /metrics`: Prometheus text exposition. The per-stage latency as histograms in seconds
 * with microsecond-scale buckets (cumulative since start or the last reset), and the gateway's
 * counters: packets, messages, gaps, drops per reason, orders, rejects per reason, fills,
 * strategy errors. The histograms are rendered once per change of the data (once a second).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { StageLatencyAggregate } from '../metrics/stage-latency-aggregate.js';
import { STAGE_NAMES } from '../metrics/stage-latency.js';
import { PrometheusText } from './prometheus-text.js';
import type { StatusSource } from './status-source.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Bucket upper bounds in seconds: 1 us to 1 s, 1-2-5 steps. */
export const LATENCY_BUCKETS_SECONDS = [
  1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1,
] as const;
const NANOS_PER_SECOND = 1e9;
const MICROS_PER_SECOND = 1e6;
const BUCKETS_NANOS = LATENCY_BUCKETS_SECONDS.map((seconds) => Math.round(seconds * NANOS_PER_SECOND));
const STAGE_HISTOGRAM = 'zerotick_stage_latency_seconds';

export interface MetricsRouteOptions {
  source: StatusSource;
  latency: StageLatencyAggregate;
}

export function renderMetrics(source: StatusSource, latency: StageLatencyAggregate): string {
  const status = source.status();
  const text = new PrometheusText()
    .counter('zerotick_packets_total', 'MDP 3.0 packets handled (after A/B arbitration)', status.packets)
    .counter('zerotick_messages_total', 'MDP 3.0 messages handled', status.messages)
    .counter('zerotick_gaps_total', 'Sequence gaps detected', status.gaps)
    .labelledCounter('zerotick_drops_total', 'Datagrams or messages dropped, by reason', 'reason', status.drops)
    .counter('zerotick_orders_total', 'New orders sent', status.orders)
    .labelledCounter('zerotick_rejects_total', 'Order requests refused, by reason', 'reason', status.rejectsByReason)
    .counter('zerotick_fills_total', 'Fills and partial fills received', status.fills)
    .counter('zerotick_strategy_errors_total', 'Exceptions thrown by strategy handlers', status.strategyErrors);
  return text.toString() + latency.derived('prometheus histograms', () => renderStageHistograms(latency));
}

function renderStageHistograms(latency: StageLatencyAggregate): string {
  const text = new PrometheusText().histogramHeader(
    STAGE_HISTOGRAM,
    'Hot-path latency per stage (wire, decode, strategy, risk_encode, send, tick_to_trade, feed), since start or the last reset',
  );
  const summaries = latency.summaries();
  for (const stage of STAGE_NAMES) {
    const { count, mean } = summaries[stage];
    // the mean to 3 significant digits: the sum is for averages, which need no more
    const sumSeconds = (mean * count) / MICROS_PER_SECOND;
    text.histogramSeries(STAGE_HISTOGRAM, `stage="${stage}"`, LATENCY_BUCKETS_SECONDS, latency.countsAtOrBelow(stage, BUCKETS_NANOS), sumSeconds, count);
  }
  return text.toString();
}

export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (app, { source, latency }) => {
  app.get('/metrics', async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(renderMetrics(source, latency)));
};
