import { afterEach, describe, expect, it } from 'vitest';
import { IO_MODES, settle, startStack, stepAndSettle, waitFor, type Stack } from './harness.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe.each(IO_MODES)('end to end: A/B arbitration and gaps (%s I/O)', (io) => {
  it('fills a packet lost on one line from the other, drops the duplicates, declares no gap', async () => {
    // given lines A and B through relays
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/tape.ts'], lines: 2, relays: true });
    const { gateway, log, relays } = stack;
    const [lineA, lineB] = relays as [typeof relays[0], typeof relays[0]];
    await settle(stack);
    const last = lineA.lastSeqNum;

    // when A loses one packet, B another, and A repeats a third
    lineA.drop.add(last + 1);
    lineB.drop.add(last + 2);
    lineA.duplicate.add(last + 3);
    for (let step = 0; lineA.lastSeqNum < last + 4 && step < 50; step++) await stepAndSettle(stack);
    await settle(stack);

    // then every packet was handed on exactly once, none declared lost
    const unique = new Set([...lineA.seen, ...lineB.seen]).size;
    await waitFor('the counters', () => gateway.status().packets === unique);
    const status = gateway.status();
    expect(status).toMatchObject({ gaps: 0, packetsLost: 0, latePackets: 0 });
    // every copy after the first is dropped as a duplicate
    expect(status.duplicates).toBe(lineA.forwarded + lineB.forwarded - unique);
    expect(status.feeds.map((feed) => feed.packets)).toEqual([lineA.forwarded, lineB.forwarded]);
    expect(log.matching(/gap /)).toEqual([]);
    // the packet A lost reached the strategy from B, and B's from A
    const messagesOf = (seqNum: number): string[] => log.matching(new RegExp(`message seq ${seqNum} line`));
    // (log lines travel as messages from the worker: wait for them, the counters may be ahead)
    await waitFor('the messages of both lost packets', () => messagesOf(last + 1).length > 0 && messagesOf(last + 2).length > 0);
    expect(messagesOf(last + 1).every((line) => line.endsWith('line 1'))).toBe(true);
    expect(messagesOf(last + 2).every((line) => line.endsWith('line 0'))).toBe(true);
  });

  it('declares a packet lost on both lines a gap, to the strategy and the counters, and goes on', async () => {
    stack = await startStack({ io, strategies: ['test/e2e/fixtures/tape.ts'], relays: true });
    const { gateway, log, relays } = stack;
    const line = relays[0]!;
    await settle(stack);
    const lost = line.lastSeqNum + 1;

    // when one packet never arrives
    line.drop.add(lost);
    for (let step = 0; line.lastSeqNum < lost + 2 && step < 50; step++) await stepAndSettle(stack);

    // then, once the reorder window has passed, a gap event names it
    await waitFor('the gap event', () => log.matching(/gap /).length > 0);
    expect(log.matching(/gap /)).toEqual([`info [tape] gap ${lost}-${lost} total 1`]);
    await waitFor('the counters', () => gateway.status().gaps === 1);
    expect(gateway.status()).toMatchObject({ gaps: 1, packetsLost: 1 });
    // and the packets after it were still handed on
    await waitFor('the packets after the gap', () => gateway.status().packets === line.forwarded);
  });
});
