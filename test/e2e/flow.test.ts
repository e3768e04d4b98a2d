import { afterEach, describe, expect, it } from 'vitest';
import { IO_MODES, settle, startStack, stepAndSettle, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe.each(IO_MODES)('end to end: simulator -> gateway -> strategy -> order -> fill -> report -> strategy (%s I/O)', (io) => {
  it('fills the probe order and reports it to the strategy that sent it', async () => {
    // given the gateway running the probe against the simulator, session established
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/probe.ts'] });
    const { sim, gateway, log } = stack;
    await settle(stack);

    // when the market moves until the probe sends its order (a deterministic seed)
    for (let step = 0; log.matching(/sent [1-9]/).length === 0 && step < 20; step++) await stepAndSettle(stack);
    await waitFor('the fill report', () => log.matching(/report \d+ execType 2/).length > 0);

    // then the strategy saw its order acknowledged, then filled, its position moved
    const sent = log.matching(/\[probe\] (sent [1-9]|report)/).map((line) => line.replace(/^info \[probe\] /, ''));
    expect(sent).toEqual(['sent 1', 'report 1 execType 0 lastQty 0 position 0', 'report 1 execType 2 lastQty 1 position 1']);
    // the exchange got one order and filled it
    expect(sim.counters()).toMatchObject({ ordersReceived: 1, fills: 1 });
    // and the gateway counted it, overall and for the strategy
    await waitFor('the counters', () => gateway.status().fills === 1);
    const status = gateway.status();
    expect(status).toMatchObject({ orders: 1, executionReports: 2, fills: 1 });
    expect(status.strategies[0]).toMatchObject({ name: 'probe', state: 'running', orders: 1, executionReports: 2, fills: 1 });
    // the exchange measured the order's tick-to-trade from the packet it named as its trigger
    expect(sim.tickToTrade().count).toBe(1);

    // and the gateway's own tick-to-trade sample arrives with the last snapshot at stop
    await gateway.stop();
    expect(gateway.status().tickToTrade.count).toBe(1);
  });
});
