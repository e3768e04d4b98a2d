import { afterEach, describe, expect, it } from 'vitest';
import { settle, startStack, stepAndSettle, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const KILL_SWITCH = 7;
const MAX_ORDER_QUANTITY = 1;
const CANCELED = 4;

describe('end to end: risk checks', () => {
  it('denies an order over the configured limit before any byte is sent, and tells the strategy why', async () => {
    // given a limit of 0 lots per order
    stack = await startStack({ strategies: ['test/e2e/fixtures/probe.ts'], config: { risk: { defaults: { maxOrderQuantity: 0 } } } });
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
    // given a resting order, acknowledged
    stack = await startStack({ strategies: ['test/e2e/fixtures/rester.ts'], params: [{ maxOrders: 2 }] });
    const { gateway, log, sim } = stack;
    await settle(stack);
    for (let step = 0; log.matching(/sent [1-9]/).length === 0 && step < 20; step++) await stepAndSettle(stack);
    await waitFor('the acknowledgement', () => log.matching(/report 1 execType 0/).length > 0);

    // when the kill switch is engaged
    gateway.setKillSwitch(true);

    // then the order is cancelled at the exchange and the strategy hears it
    await waitFor('the cancel', () => log.matching(new RegExp(`execType ${CANCELED}`)).length > 0);
    expect(sim.counters().cancelsReceived).toBe(1);
    await waitFor('the kill switch in the status', () => gateway.status().risk.killSwitch);
    expect(gateway.status().risk.openOrders).toBe(0);

    // and a new order is refused with the kill switch as the reason, nothing sent
    await stepAndSettle(stack);
    await waitFor('the refusal', () => log.matching(new RegExp(`reject 0 reason ${KILL_SWITCH}`)).length > 0);
    expect(sim.counters().ordersReceived).toBe(1);

    // until it is released
    gateway.setKillSwitch(false);
    await waitFor('the release', () => !gateway.status().risk.killSwitch);
    for (let step = 0; log.matching(/sent [2-9]/).length === 0 && step < 20; step++) await stepAndSettle(stack);
    await waitFor('the second order at the exchange', () => sim.counters().ordersReceived === 2);
    expect(gateway.status().rejectsByReason.killSwitch).toBeGreaterThan(0);
  });
});
