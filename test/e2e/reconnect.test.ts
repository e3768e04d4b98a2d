import { afterEach, describe, expect, it } from 'vitest';
import { IO_MODES, settle, startStack, stepUntilOrdersPast, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') console.log(stack?.log.lines.filter((line) => !line.includes('ECONNREFUSED')).join('\n'), stack?.sim.counters());
  await stack?.stop();
  stack = undefined;
});

const NEW = 0;
const SESSION_DOWN = 8;

describe.each(IO_MODES)('end to end: the exchange connection drops and comes back (%s I/O)', (io) => {
  it('loses no order and sends none twice: what the exchange never got is rejected to its strategy, never resent', async () => {
    // given a resting order the exchange acknowledged, through a proxy we can break
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/rester.ts'], params: [{ maxOrders: 100 }], proxy: true });
    const { gateway, log, sim, proxy } = stack;
    const sentIds = (): number[] => log.matching(/sent [1-9]\d*$/).map((line) => Number(/sent (\d+)$/.exec(line)![1]));
    const acknowledged = (clOrdId: number): number => log.matching(new RegExp(`report ${clOrdId} execType ${NEW}$`)).length;
    const sendMoreThan = async (count: number): Promise<number[]> => {
      await stepUntilOrdersPast(stack!, count, () => sentIds().length);
      return sentIds();
    };
    await settle(stack);
    const delivered = await sendMoreThan(0);
    await waitFor('the first orders acknowledged', () => delivered.every((clOrdId) => acknowledged(clOrdId) === 1));

    // when the network swallows what the gateway sends next, then the connection drops
    proxy!.swallowUpstream = true;
    const swallowed = (await sendMoreThan(delivered.length)).slice(delivered.length);
    proxy!.swallowUpstream = false;
    proxy!.cut();

    // then, once the session is re-established, each swallowed order comes back to the strategy as a reject
    await waitFor('the reconnect', () => gateway.status().session.reconnects === 1 && gateway.status().session.state === 'established');
    await waitFor('the rejects', () => log.matching(/reject [1-9]\d* reason/).length === swallowed.length);
    expect(swallowed.length).toBeGreaterThan(0);
    expect(log.matching(/reject [1-9]\d* reason/)).toEqual(swallowed.map((clOrdId) => expect.stringContaining(`reject ${clOrdId} reason ${SESSION_DOWN}: `)));
    expect(sim.counters().ordersReceived).toBe(delivered.length);

    // and trading goes on: the next order reaches the exchange once, the first ones were never resent
    const beforeNext = sentIds().length;
    const all = await sendMoreThan(beforeNext);
    expect(all.length).toBeGreaterThan(beforeNext);
    const answers = (clOrdId: number): number => acknowledged(clOrdId) + log.matching(new RegExp(`reject ${clOrdId} reason`)).length;
    await waitFor('an answer to every order', () => all.every((clOrdId) => answers(clOrdId) > 0));
    await waitFor('the exchange to get the new orders', () => sim.counters().ordersReceived === all.length - swallowed.length);
    expect(sim.counters().sessionsEstablished).toBe(2);
    // every order the strategy sent is accounted for exactly once: acknowledged or rejected
    for (const clOrdId of all) expect(answers(clOrdId)).toBe(1);
    for (const clOrdId of [...delivered, ...all.slice(beforeNext)]) expect(acknowledged(clOrdId)).toBe(1);
  });
});
