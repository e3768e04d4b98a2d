import { afterEach, describe, expect, it } from 'vitest';
import { IO_MODES, settle, startStack, stepAndSettle, stepUntilOrdersPast, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const KILL_SWITCH = 7;
const MAX_ORDER_QUANTITY = 1;
const CANCELED = 4;
const NEW = 0;

describe.each(IO_MODES)('end to end: risk checks (%s I/O)', (io) => {
  it('denies an order over the configured limit before any byte is sent, and tells the strategy why', async () => {
    // given a limit of 0 lots per order
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/probe.ts'], config: { risk: { defaults: { maxOrderQuantity: 0 } } } });
    const { gateway, log, sim } = stack;
    await settle(stack);

    // when the probe tries its order of 1 on the next book
    await stepAndSettle(stack);
    await waitFor('the denial', () => log.matching(new RegExp(`reject 0 reason ${MAX_ORDER_QUANTITY}`)).length > 0);

    // then the strategy got the reason, the exchange got nothing, the gateway counted it
    expect(log.matching(new RegExp(`reject 0 reason ${MAX_ORDER_QUANTITY}`))[0]).toMatch(/quantity 1 > max 0 for security \d+/);
    expect(sim.counters().ordersReceived).toBe(0);
    await waitFor('the counters', () => gateway.status().rejectsByReason.maxOrderQuantity > 0);
    expect(gateway.status().orders).toBe(0);
  });

  it('kill switch: cancels the working orders and refuses new ones until released', async () => {
    // given resting orders, acknowledged
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/rester.ts'], params: [{ maxOrders: 100 }] });
    const { gateway, log, sim } = stack;
    const sent = (): number => log.matching(/sent [1-9]\d*$/).length;
    const reports = (execType: number): number => log.matching(new RegExp(`report \\d+ execType ${execType}$`)).length;
    await settle(stack);
    await stepUntilOrdersPast(stack, 0, sent);
    const working = sent();
    await waitFor('the acknowledgements', () => reports(NEW) === working);

    // when the kill switch is engaged
    gateway.setKillSwitch(true);

    // then every working order is cancelled at the exchange and the strategy hears it
    await waitFor('the cancels', () => reports(CANCELED) === working);
    expect(sim.counters().cancelsReceived).toBe(working);
    await waitFor('the kill switch in the status', () => gateway.status().risk.killSwitch && gateway.status().risk.openOrders === 0);

    // and a new order is refused with the kill switch as the reason, nothing sent
    await stepAndSettle(stack);
    await waitFor('the refusal', () => log.matching(new RegExp(`reject 0 reason ${KILL_SWITCH}`)).length > 0);
    expect(sim.counters().ordersReceived).toBe(working);

    // until it is released
    gateway.setKillSwitch(false);
    await waitFor('the release', () => !gateway.status().risk.killSwitch);
    await stepUntilOrdersPast(stack, working, sent);
    await waitFor('the new orders at the exchange', () => sim.counters().ordersReceived === sent());
    expect(gateway.status().rejectsByReason.killSwitch).toBeGreaterThan(0);
  });
});
