import { afterEach, describe, expect, it } from 'vitest';
import { IO_MODES, settle, startStack, stepAndSettle, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe.each(IO_MODES)('end to end: a throwing strategy (%s I/O)', (io) => {
  it('is stopped, logged with its stack and counted, while the other strategy goes on trading', async () => {
    // given a strategy that throws on its second book beside the probe
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/thrower.ts', 'test/e2e/fixtures/probe.ts'] });
    const { gateway, log, sim } = stack;
    await settle(stack);

    // when the market moves until the probe's order fills
    for (let step = 0; log.matching(/sent [1-9]/).length === 0 && step < 20; step++) await stepAndSettle(stack);
    await waitFor('the probe fill', () => log.matching(/\[probe\] report \d+ execType 2/).length > 0);
    await waitFor('the counters', () => gateway.status().fills === 1);

    // then the thrower failed, with its stack in the log, and the probe kept trading
    const status = gateway.status();
    expect(status.strategies.map(({ name, state, errors }) => ({ name, state, errors }))).toEqual([
      { name: 'thrower', state: 'failed', errors: 1 },
      { name: 'probe', state: 'running', errors: 0 },
    ]);
    expect(status.strategyErrors).toBe(1);
    const errorLine = log.matching(/onBook threw/)[0]!;
    expect(errorLine).toContain('error strategy thrower');
    expect(errorLine).toContain('RangeError: thrower: deliberate failure on book 2');
    expect(errorLine).toMatch(/at .*thrower\.ts:\d+/);
    expect(log.matching(/strategy thrower: stopped after the error/)).toHaveLength(1);
    expect(sim.counters().fills).toBe(1);
  });
});

describe.each(IO_MODES)('end to end: /status and /health over HTTP (%s I/O)', (io) => {
  it('serves the counters, 200 while healthy and 503 with the reason once the exchange is gone', async () => {
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/probe.ts'] });
    const { gateway, sim } = stack;
    await settle(stack);
    const base = `http://${gateway.httpAddress!.host}:${gateway.httpAddress!.port}`;

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const status = (await (await fetch(`${base}/status`)).json()) as { packets: number; feeds: { up: boolean }[]; session: { state: string } };
    expect(status.packets).toBe(sim.counters().packetsSent);
    expect(status.feeds[0]!.up).toBe(true);
    expect(status.session.state).toBe('established');

    // when the exchange goes away
    await sim.stop();
    await waitFor('the session to drop', () => gateway.status().session.state !== 'established');

    // then /health says why
    const unhealthy = await fetch(`${base}/health`);
    expect(unhealthy.status).toBe(503);
    const body = (await unhealthy.json()) as { status: string; reasons: string[] };
    expect(body.status).toBe('unavailable');
    expect(body.reasons[0]).toMatch(/^exchange session to tcp:\/\/127\.0\.0\.1:\d+ is (down|connecting)$/);
  });
});

describe.each(IO_MODES)('end to end: the hot-path worker dies (%s I/O)', (io) => {
  it('is reported, and /health turns 503 naming the worker', async () => {
    // given a strategy that ends the worker thread on its first book
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/exiter.ts'], waitHealthy: false });
    const { gateway, log, sim } = stack;

    // when the market opens (the opening books are already on their way)
    sim.step(1);
    await waitFor('the exit report', () => log.matching(/hot-path worker exited unexpectedly \(code 7\)/).length === 1);

    // then health says so
    const response = await fetch(`http://${gateway.httpAddress!.host}:${gateway.httpAddress!.port}/health`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { reasons: string[] }).reasons).toContain('hot-path worker is stopped');
  });
});

describe.each(IO_MODES)('end to end: a strategy that never returns (%s I/O)', (io) => {
  it('shows as a stalled worker in /health, and stop() still ends it (terminating the stuck thread)', async () => {
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/spinner.ts'], waitHealthy: false });
    const { gateway, log, sim } = stack;

    sim.step(1);
    await waitFor('the stall', () => gateway.status().workerHeartbeatAgeMs >= 1000);

    const response = await fetch(`http://${gateway.httpAddress!.host}:${gateway.httpAddress!.port}/health`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { reasons: string[] }).reasons[0]).toMatch(/^hot-path worker stalled: no loop pass for \d+ ms$/);

    await gateway.stop();
    expect(log.matching(/did not stop within 5000 ms: terminating it/)).toHaveLength(1);
  });
});
