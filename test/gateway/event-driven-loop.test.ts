/**
 * The worker's loop with copy I/O: the datagrams a DgramSource pushes in one event-loop turn go
 * to the tap and are followed by one rest of a pass counting them all, in that turn; ticks run
 * the rest of a pass with no datagram until the stop word is set; an error of the gateway's own
 * code ends the run with it. Real loopback datagrams, with both idle modes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { IdleMode } from '../../src/gateway/config.js';
import type { DatagramHandler } from '../../src/feed/datagram.js';
import { DgramSource } from '../../src/feed/sources/dgram-source.js';
import { EventDrivenLoop, type LoopPass } from '../../src/gateway/event-driven-loop.js';
import { openSender } from '../io/fixtures/datagrams.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Writes down, in order, what the loop called: `datagram <first byte>` and `pass <delivered>`. */
class Journal implements LoopPass, DatagramHandler {
  readonly calls: string[] = [];
  stopRequested = false;
  failOnDatagram = false;

  onDatagram(view: DataView, offset: number): void {
    if (this.failOnDatagram) throw new Error('bug in the feed path');
    this.calls.push(`datagram ${view.getUint8(offset)}`);
  }

  completePass(delivered: number): void {
    this.calls.push(`pass ${delivered}`);
  }
}

async function setUp(idle: IdleMode, maxBatchDatagrams = 32) {
  const source = await DgramSource.open('udp://127.0.0.1:0', { line: 0 });
  cleanups.push(() => source.close());
  const sender = await openSender();
  cleanups.push(() => sender.close());
  const journal = new Journal();
  const loop = new EventDrivenLoop(journal, journal, [source], idle, 1, maxBatchDatagrams);
  const send = (...bytes: number[]) => sender.sendAll(bytes.map((byte) => Uint8Array.of(byte)), source.localPort);
  /** Sends without yielding: node:dgram tries the send at once, so all are queued on the source's socket before the loop's next turn. */
  const sendInOneTurn = (...bytes: number[]) => {
    for (const byte of bytes) sender.socket.send(Uint8Array.of(byte), source.localPort, '127.0.0.1');
  };
  return { journal, loop, send, sendInOneTurn };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** The journal without the idle ticks' passes. */
function withoutIdlePasses(calls: readonly string[]): string[] {
  return calls.filter((call) => call !== 'pass 0');
}

describe.each<IdleMode>(['spin', 'block'])('EventDrivenLoop, idle %s', (idle) => {
  it('follows the datagrams of one turn with one pass counting them, a later datagram with a pass of its own, and ends at the stop word, handing nothing on after', async () => {
    // given a running loop
    const { journal, loop, send, sendInOneTurn } = await setUp(idle);
    const running = loop.run();

    // when three datagrams arrive together, then one more, some idle ticks pass, then the stop word is set
    sendInOneTurn(1, 2, 3);
    await until('the three datagrams and a pass after them', () => journal.calls.includes('datagram 3') && withoutIdlePasses(journal.calls).at(-1) !== 'datagram 3');
    await send(4);
    await until('the fourth datagram, its pass and an idle tick after', () => journal.calls.at(-1) === 'pass 0' && journal.calls.includes('datagram 4'));
    journal.stopRequested = true;
    await running;
    const callsAtStop = journal.calls.length;
    await send(5);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // then the batch got one pass right after it (no idle tick between), the later datagram its
    // own, and nothing came after the stop
    expect(withoutIdlePasses(journal.calls)).toEqual(['datagram 1', 'datagram 2', 'datagram 3', 'pass 3', 'datagram 4', 'pass 1']);
    expect(journal.calls.slice(journal.calls.indexOf('datagram 1'), journal.calls.indexOf('pass 3') + 1)).toEqual(['datagram 1', 'datagram 2', 'datagram 3', 'pass 3']);
    expect(journal.calls.length).toBe(callsAtStop);
  });

  it('answers a full batch at once: no pass takes more datagrams than a zero-copy pass would', async () => {
    // given a loop whose passes take 2 datagrams at most
    const { journal, loop, sendInOneTurn } = await setUp(idle, 2);
    const running = loop.run();

    // when five datagrams arrive together
    sendInOneTurn(1, 2, 3, 4, 5);
    await until('the five datagrams and a pass after them', () => journal.calls.includes('datagram 5') && withoutIdlePasses(journal.calls).at(-1) !== 'datagram 5');
    journal.stopRequested = true;
    await running;

    // then
    expect(withoutIdlePasses(journal.calls)).toEqual(['datagram 1', 'datagram 2', 'pass 2', 'datagram 3', 'datagram 4', 'pass 2', 'datagram 5', 'pass 1']);
  });

  it('ends the run with an error thrown on the feed path', async () => {
    const { journal, loop, send } = await setUp(idle);
    journal.failOnDatagram = true;
    const running = loop.run();

    await send(1);

    await expect(running).rejects.toThrow('bug in the feed path');
  });
});
