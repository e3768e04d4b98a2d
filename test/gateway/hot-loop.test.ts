/**
 * What one pass of the zero-copy worker's loop does, and how often: a busy-polling pass that
 * finds nothing must cost little more than its recvmmsg, since a packet arriving meanwhile
 * waits for it; a pass whose packets made strategies queue orders times their send and records
 * tick-to-trade. The loop runs with stand-ins that count what they are asked (a scripted feed
 * source, the order path, the counter publisher) and clocks that count their reads.
 */
import { describe, expect, it } from 'vitest';
import type { DatagramHandler, FeedSource, ReceiveTime } from '../../src/feed/datagram.js';
import type { Sequencer } from '../../src/feed/sequencer.js';
import type { TimeSource } from '../../src/io/clock.js';
import type { IdleMode } from '../../src/gateway/config.js';
import { createControlWords } from '../../src/gateway/control-layout.js';
import type { CounterPublisher } from '../../src/gateway/counter-publisher.js';
import { FeedTap } from '../../src/gateway/feed-tap.js';
import { HotLoop } from '../../src/gateway/hot-loop.js';
import type { OrderPath } from '../../src/gateway/order-path.js';
import { GatewayCounters } from '../../src/metrics/counters.js';
import type { IntervalChannel } from '../../src/metrics/interval-channel.js';
import { STAGE_SEND, STAGE_TICK_TO_TRADE, StageLatencyRecorder } from '../../src/metrics/stage-latency.js';
import type { StrategyHost } from '../../src/strategy/host.js';
import type { OrderTally } from '../../src/strategy/strategy-orders.js';

/** A clock that moves 1 us a read, and counts its reads. */
class CountingClock implements TimeSource {
  nanos = 1_000_000;
  reads = 0;
  update(): void {
    this.reads++;
    this.nanos += 1000;
  }
}

/** Delivers, at each poll, the next count of its script (none once it runs out), each datagram received at `receivedNanos`. */
class ScriptedSource implements FeedSource {
  readonly url = 'udp://stand-in';
  readonly droppedCount = 0;
  receivedNanos = 0;
  private readonly view = new DataView(new ArrayBuffer(64));
  constructor(
    private readonly script: number[],
    private readonly received: ReceiveTime,
  ) {}
  poll(handler: DatagramHandler, maxDatagrams: number): number {
    const count = Math.min(this.script.shift() ?? 0, maxDatagrams);
    this.received.nanos = this.receivedNanos;
    for (let i = 0; i < count; i++) handler.onDatagram(this.view, 0, 16, this.received, 0);
    return count;
  }
  close(): void {}
}

/** The strategies behind the sequencer: each datagram queues one order. */
class OrderingStrategies implements DatagramHandler {
  constructor(private readonly tally: OrderTally) {}
  onDatagram(): void {
    this.tally.queuedMessages++;
  }
}

function standInOrderPath() {
  const calls = { flush: 0, poll: 0 };
  const orderPath = {
    flush: () => void calls.flush++,
    poll: () => void calls.poll++,
    // true while the session connects, on the event loop
    needsEventLoop: false,
    setTrigger: () => {},
    clearTrigger: () => {},
    setKillSwitch: () => {},
  } as unknown as OrderPath;
  return { orderPath, calls };
}

function loopWith(idle: IdleMode, script: number[]) {
  const realtime = new CountingClock();
  const monotonic = new CountingClock();
  const stages = new StageLatencyRecorder({ realtime, monotonic });
  const tally: OrderTally = { queuedMessages: 0 };
  const { orderPath, calls } = standInOrderPath();
  const counters = new GatewayCounters();
  const tap = new FeedTap(new OrderingStrategies(tally), counters, tally, orderPath, 64, stages);
  const source = new ScriptedSource(script, { nanos: 0 } as ReceiveTime);
  let publications = 0;
  let timerPolls = 0;
  /** Each GC count refresh offer: whether the loop said the feed was in a lull. */
  const gcCountOffers: boolean[] = [];
  let gcCountsAtStop = 0;
  const noInterval = { recordInto: () => undefined, offer: () => true } as unknown as IntervalChannel;
  const loop = new HotLoop({
    sources: [source],
    tap,
    sequencer: { holding: false } as Sequencer,
    orderPath,
    host: { tally, pollTimers: () => void timerPolls++ } as unknown as StrategyHost,
    publisher: { publish: () => void publications++ } as unknown as CounterPublisher,
    stages,
    control: createControlWords(),
    idle,
    idleTimeoutMs: 1,
    batchSize: 64,
    realtime,
    monotonic,
    stageIntervals: noInterval,
    gcCount: { publishIfDue: (_monotonic, inLull) => void gcCountOffers.push(inLull), publish: () => void gcCountsAtStop++ },
  });
  return { loop, source, realtime, monotonic, stages, orderPath, calls, publications: () => publications, timerPolls: () => timerPolls, gcCountOffers, gcCountsAtStop: () => gcCountsAtStop };
}

describe('HotLoop', () => {
  it('busy-polling, a pass that finds nothing reads no clock; the session and timers are polled every 32nd pass, counters published every 256th', () => {
    // given a spinning loop with nothing to receive
    const { loop, realtime, monotonic, calls, publications, timerPolls } = loopWith('spin', []);
    const monotonicReadsBefore = monotonic.reads;

    // when it makes 512 passes
    for (let pass = 0; pass < 512; pass++) loop.runPass();

    // then the only clock reads are the two publications' heartbeats
    expect(calls.poll).toBe(512 / 32);
    expect(timerPolls()).toBe(512 / 32);
    expect(publications()).toBe(2);
    expect(realtime.reads).toBe(0);
    expect(monotonic.reads - monotonicReadsBefore).toBe(2);
  });

  it('idle block: every pass polls the session, and a pass that found nothing publishes the counters', () => {
    const { loop, calls, publications } = loopWith('block', [1, 0, 0]);
    for (let pass = 0; pass < 3; pass++) loop.runPass();
    expect(calls.poll).toBe(3);
    expect(publications()).toBe(2);
  });

  it('busy-polling, offers the GC count its refresh with each publication, in a lull only after 1024 passes in a row found nothing', () => {
    // given a feed that delivers on each of 1024 passes, then falls quiet
    const { loop, gcCountOffers, gcCountsAtStop } = loopWith('spin', new Array<number>(1024).fill(1));

    // when the loop makes 1024 passes with packets and 2048 without
    for (let pass = 0; pass < 3 * 1024; pass++) loop.runPass();

    // then of the 12 publications (every 256th pass), the 4 under load and the 3 after 256-768 empty passes are not in a lull
    expect(gcCountOffers).toEqual([...new Array<boolean>(7).fill(false), ...new Array<boolean>(5).fill(true)]);
    // and the count is published unconditionally only at stop
    expect(gcCountsAtStop()).toBe(0);
    loop.publishNow();
    expect(gcCountsAtStop()).toBe(1);
  });

  it('idle block: a pass that found nothing is a lull', () => {
    const { loop, gcCountOffers } = loopWith('block', [1, 0]);
    for (let pass = 0; pass < 2; pass++) loop.runPass();
    expect(gcCountOffers).toEqual([true]);
  });

  it('busy-polling while the session connects, asks its caller to yield to the event loop every 1024th pass, and never once connected', () => {
    // given a spinning loop fed on every pass, whose order path waits on the event loop
    const { loop, orderPath } = loopWith('spin', new Array<number>(4096).fill(1));
    (orderPath as { needsEventLoop: boolean }).needsEventLoop = true;

    // when it makes 3072 passes connecting, then 1024 connected
    const yieldsAt: number[] = [];
    for (let pass = 1; pass <= 4096; pass++) {
      if (pass === 3073) (orderPath as { needsEventLoop: boolean }).needsEventLoop = false;
      loop.runPass();
      if (loop.yieldDue) yieldsAt.push(pass);
    }

    // then each yield (which allocates) comes after 1024 passes of the feed handled at full speed
    expect(yieldsAt).toEqual([1024, 2048, 3072]);
  });

  it('idle block while the session connects: every pass asks to yield', () => {
    const { loop, orderPath } = loopWith('block', [1, 0, 0]);
    (orderPath as { needsEventLoop: boolean }).needsEventLoop = true;
    const yields = [0, 1, 2].map(() => (loop.runPass(), loop.yieldDue));
    expect(yields).toEqual([true, true, true]);
  });

  it('a pass whose packets queued orders times one send, and records tick-to-trade per triggering packet at the time the send returned', () => {
    // given two packets received at 900 us, each making a strategy queue an order
    const { loop, source, realtime, stages } = loopWith('spin', [2]);
    source.receivedNanos = 900_000;

    // when one pass handles them
    loop.runPass();
    const sentAtNanos = realtime.nanos;
    for (let pass = 0; pass < 3; pass++) loop.runPass(); // nothing more arrives

    // then one send sample, and two tick-to-trade samples from receipt to the realtime read that ended the send
    expect(stages.count(STAGE_SEND)).toBe(1);
    expect(stages.count(STAGE_TICK_TO_TRADE)).toBe(2);
    expect(stages.histograms[STAGE_TICK_TO_TRADE]!.maxValue).toBe(sentAtNanos - 900_000);
  });
});
