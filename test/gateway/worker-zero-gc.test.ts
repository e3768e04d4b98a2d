/**
 * The zero-copy worker allocates nothing in steady state, proven end to end: the real gateway
 * (hot-path worker, recvmmsg feed, writev order session) trades with ping against the exchange
 * simulator over loopback sockets, and its own GC count (GET /status workerGcCount) does not
 * move while 100k more packets, each answered with an order and its execution reports, go
 * through it.
 *
 * Why that is a proof: the worker's young generation is capped at 1 MB here (V8 reads its flags
 * when an isolate is made, so this one applies to the worker started below). 16 bytes per
 * packet, one boxed double, would be 100k x 16 B = 1.6 MB: more than the young generation
 * holds, so at least one scavenge.
 *
 * Steady state means every path the measured round takes has run before, often enough for V8
 * to optimise it: a path first taken inside the round (the heartbeats of a quiet spell, orders
 * refused when the order table is full) deoptimises the hot function around it, which then runs
 * unoptimised, boxing its doubles, until V8 has compiled it again. So the warm-up is two rounds
 * of the very traffic measured, paced so that no order is ever refused. What the worker still
 * allocates is cold, once a second: its GC profiler's report (280 B) and the interval hand-over,
 * which runs unoptimised: a few KB in a round, against the 1 MB that would make a scavenge.
 */
import v8 from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { type IdleMode } from '../../src/gateway/config.js';
import { settle, startStack, waitFor, type Stack } from '../e2e/harness.js';

v8.setFlagsFromString('--max-semi-space-size=1');

const WARM_UP_PACKETS = 30_000;
const MEASURED_PACKETS = 100_000;
/** Market steps per burst (each publishes a packet, and the trades it brings more): well within the socket's receive buffer. */
const BURST = 100;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/**
 * One round: at least `packets` packets in bursts, each answered in full (orders filled or
 * cancelled) before the next, so the order table stays small and no order is refused for want
 * of room; then a quiet spell of two latency intervals (two seconds, longer than the session's
 * keep-alive interval, so heartbeats go both ways). Returns the worker's GC count, published
 * with the first of those intervals.
 */
async function round(stack: Stack, packets: number): Promise<number> {
  const gateway = stack.gateway;
  const until = gateway.status().packets + packets;
  while (gateway.status().packets < until) {
    stack.sim.step(BURST);
    await settle(stack);
    await waitFor("the burst's orders to be done", () => gateway.status().risk.openOrders === 0);
  }
  const latency = gateway.stageLatency;
  const seen = latency.intervalCount;
  await waitFor('two latency intervals from the worker', () => latency.intervalCount >= seen + 2);
  return gateway.status().workerGcCount;
}

describe('zero-copy worker in steady state', () => {
  it.each<IdleMode>(['spin', 'block'])('runs no GC while 100k packets are answered with orders (idle %s)', async (idle) => {
    // given the gateway trading with ping, warmed up by two rounds of the traffic measured
    stack = await startStack({ strategies: ['strategies/ping.ts'], config: { idle } });
    await round(stack, WARM_UP_PACKETS);
    const gcBefore = await round(stack, WARM_UP_PACKETS);
    const before = stack.gateway.status();

    // when 100k more packets go through
    const gcAfter = await round(stack, MEASURED_PACKETS);
    const after = stack.gateway.status();

    // then each was answered with an order, none refused, and the worker collected no garbage
    const delta = (read: (status: typeof after) => number): number => read(after) - read(before);
    console.log(`idle ${idle}: ${delta((s) => s.packets)} packets, ${delta((s) => s.orders)} orders, ${delta((s) => s.rejects)} rejects, worker GC runs ${gcBefore} -> ${gcAfter}`);
    expect(delta((s) => s.packets)).toBeGreaterThanOrEqual(MEASURED_PACKETS);
    expect(delta((s) => s.orders)).toBeGreaterThanOrEqual(MEASURED_PACKETS);
    expect(delta((s) => s.rejects)).toBe(0);
    expect(gcAfter).toBe(gcBefore);
  }, 180_000);
});
