/**
 * The worker's loop with copy I/O: each datagram a DgramSource pushes goes to the tap and is
 * followed by the rest of a pass; ticks run the rest of a pass with no datagram until the stop
 * word is set; an error of the gateway's own code ends the run with it. Real loopback datagrams.
 */
import { afterEach, describe, expect, it } from 'vitest';
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

async function setUp() {
  const source = await DgramSource.open('udp://127.0.0.1:0', { line: 0 });
  cleanups.push(() => source.close());
  const sender = await openSender();
  cleanups.push(() => sender.close());
  const journal = new Journal();
  const loop = new EventDrivenLoop(journal, journal, [source], 'block', 1);
  const send = (...bytes: number[]) => sender.sendAll(bytes.map((byte) => Uint8Array.of(byte)), source.localPort);
  return { journal, loop, send };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let turn = 0; !condition(); turn++) {
    if (turn > 2000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('EventDrivenLoop', () => {
  it('follows each datagram with the rest of a pass, ticks while idle, and ends at the stop word, handing nothing on after', async () => {
    // given a running loop
    const { journal, loop, send } = await setUp();
    const running = loop.run();

    // when two datagrams arrive, some idle ticks pass, then the stop word is set
    await send(1, 2);
    await until('both datagrams and an idle tick after them', () => journal.calls.filter((call) => call === 'pass 0').length > 0 && journal.calls.includes('datagram 2'));
    journal.stopRequested = true;
    await running;
    const callsAtStop = journal.calls.length;
    await send(3);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // then each datagram was followed at once by its own pass (the idle ticks' passes, 'pass 0',
    // fall between), and nothing came after the stop
    expect(journal.calls.filter((call) => call !== 'pass 0')).toEqual(['datagram 1', 'pass 1', 'datagram 2', 'pass 1']);
    expect(journal.calls.length).toBe(callsAtStop);
  });

  it('ends the run with an error thrown on the feed path', async () => {
    const { journal, loop, send } = await setUp();
    journal.failOnDatagram = true;
    const running = loop.run();

    await send(1);

    await expect(running).rejects.toThrow('bug in the feed path');
  });
});
