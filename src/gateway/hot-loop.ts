/**
 * One pass of the hot path, repeated by the worker until asked to stop:
 *
 *   poll every feed source (busy-poll; or, with idle 'block', wait on line A when all were empty)
 *     -> feed tap -> sequencer -> MDP3 handler -> strategies (orders queued in the response pool)
 *   -> order path flush (one writev for the whole batch) -> tick-to-trade samples
 *   -> every 32 passes (every pass with idle 'block'): order session poll (execution reports ->
 *      strategies; heartbeats, reconnects), strategy timers -> flush what those queued
 *   -> control words (stop, kill switch); counters published every 256 passes (with idle
 *      'block', also on each pass that found nothing); latency intervals handed over once a
 *      second, the worker's GC count refreshed at most once a second, in a lull of the feed
 *   -> while the order session connects, which it does on the event loop: a yield to that loop
 *      every 1024 passes (every pass with idle 'block')
 *
 * A busy-polling pass that finds nothing must cost little more than its recvmmsg: a packet
 * that arrives during the rest of the pass waits for it. So such a pass reads no clock (the
 * send is timed only when orders were queued), leaves the exchange's socket and the timers'
 * clock to every 32nd pass (that recv costs as much as the recvmmsg; the C reference reads it
 * every 1024 polls), and publishes counters every 256th.
 *
 * Everything it touches is allocated before the first pass. With copy I/O the feeds push their
 * datagrams as events (event-driven-loop.ts), and everything after the poll is completePass().
 */
import type { FeedSource } from '../feed/datagram.js';
import type { Sequencer } from '../feed/sequencer.js';
import type { TimeSource } from '../io/clock.js';
import type { IntervalChannel } from '../metrics/interval-channel.js';
import type { StageLatencyRecorder } from '../metrics/stage-latency.js';
import type { StrategyHost } from '../strategy/host.js';
import type { IdleMode } from './config.js';
import { KILL_SWITCH_REQUESTED, STOP_REQUESTED } from './control-layout.js';
import type { CounterPublisher } from './counter-publisher.js';
import type { FeedTap } from './feed-tap.js';
import type { OrderPath } from './order-path.js';
import type { WorkerGcCount } from './worker-gc-count.js';

/** Passes between two counter publications: a few ms at most under load, well under 1 ms idle. */
const PUBLISH_EVERY_PASSES = 256;
/**
 * Busy-polling passes between two reads of the order session and of the strategies' timers
 * (millisecond intervals): execution reports reach strategies some tens of microseconds later
 * when idle, and under load one recv takes many of them at once.
 */
const HOUSEKEEPING_EVERY_PASSES = 32;
/**
 * Busy-polling passes in a row that found nothing, about a millisecond, after which the feed is
 * in a lull: the time for work that stalls the worker, which a packet arriving meanwhile would
 * wait for. With idle 'block' one such pass is a lull: it waited idleTimeoutMs for nothing.
 */
const LULL_PASSES = 1024;
/**
 * Busy-polling passes between two yields to the event loop while the order path waits on it
 * (connecting), about a millisecond: the connection is taken up within one, and the feed is
 * handled at full speed meanwhile, so the books stay current through a reconnect. A yield on
 * every pass allocated a promise and an Immediate each time: in the t2t bench, a reconnect under
 * 400 k packets/s ran 130 scavenges in 0.4 s.
 */
const YIELD_EVERY_PASSES = 1024;
const NANOS_PER_SECOND = 1_000_000_000;

export interface HotLoopParts {
  sources: readonly FeedSource[];
  tap: FeedTap;
  sequencer: Sequencer;
  orderPath: OrderPath;
  host: StrategyHost;
  publisher: CounterPublisher;
  /** Per-stage latency, tick-to-trade among them; the loop times the batch's send and hands over the intervals. */
  stages: StageLatencyRecorder;
  /** Control words (control-layout.ts). */
  control: Int32Array;
  idle: IdleMode;
  idleTimeoutMs: number;
  batchSize: number;
  /**
   * CLOCK_REALTIME (comparable with kernel receive timestamps) and CLOCK_MONOTONIC, read into a
   * field: a koffi call returning a double would allocate on every pass. The stage recorder
   * reads the same two: its endSend() leaves the send's time in `realtime`.
   */
  realtime: TimeSource;
  monotonic: TimeSource;
  /** Where the stages' interval histograms go, about once a second. */
  stageIntervals: IntervalChannel;
  gcCount: Pick<WorkerGcCount, 'publishIfDue' | 'publish'>;
}

export class HotLoop {
  private readonly parts: HotLoopParts;
  private passesSincePublish = 0;
  private passesSinceHousekeeping = 0;
  private emptyPassesInARow = 0;
  private passesSinceYield = 0;
  /**
   * Set by each pass: the caller must now yield to the event loop, which the order path waits on
   * (connecting). Not every such pass asks (YIELD_EVERY_PASSES).
   */
  yieldDue = false;
  /** idle 'block': each pass may have slept, so it does all its housekeeping. */
  private readonly blocks: boolean;
  private readonly lullPasses: number;
  private nextIntervalsNanos: number;
  private killSwitchApplied = 0;
  /** The strategies' queued-message tally at the last flush: a change means this flush sends orders. */
  private queuedAtLastSend = 0;

  constructor(parts: HotLoopParts) {
    this.parts = parts;
    this.blocks = parts.idle === 'block';
    this.lullPasses = this.blocks ? 1 : LULL_PASSES;
    parts.stageIntervals.recordInto(parts.stages.histograms);
    parts.monotonic.update();
    this.nextIntervalsNanos = parts.monotonic.nanos + NANOS_PER_SECOND;
  }

  get stopRequested(): boolean {
    return Atomics.load(this.parts.control, STOP_REQUESTED) === 1;
  }

  /** One pass; returns the datagrams delivered. */
  runPass(): number {
    const delivered = this.pollFeeds();
    this.completePass(delivered);
    return delivered;
  }

  /**
   * The rest of a pass once the feeds delivered `delivered` datagrams to the tap: the batch's
   * send, the session, timers, control words, counters. The event-driven loop (copy I/O), whose
   * datagrams arrive as events, calls it after each event-loop turn's datagrams and on each idle tick.
   */
  completePass(delivered: number): void {
    const parts = this.parts;
    const orderPath = parts.orderPath;
    if (parts.host.tally.queuedMessages !== this.queuedAtLastSend) this.sendBatch();
    else orderPath.flush(); // nothing new from the strategies: only what a partial send left, if anything

    const sequencer = parts.sequencer;
    if (sequencer.holding) {
      parts.realtime.update();
      sequencer.expire(parts.realtime.nanos);
    }
    if (this.blocks || ++this.passesSinceHousekeeping >= HOUSEKEEPING_EVERY_PASSES) {
      this.passesSinceHousekeeping = 0;
      orderPath.poll();
      parts.host.pollTimers();
      orderPath.flush();
      // what timers and execution reports queued left untimed here: the next send sample is the next batch's
      this.queuedAtLastSend = parts.host.tally.queuedMessages;
    }

    this.applyKillSwitchRequest();
    // counted up to the lull and no further: a count past 2^30 would no longer be a small integer
    if (delivered !== 0) this.emptyPassesInARow = 0;
    else if (this.emptyPassesInARow < this.lullPasses) this.emptyPassesInARow++;
    if (++this.passesSincePublish >= PUBLISH_EVERY_PASSES || (delivered === 0 && this.blocks)) this.publish();
    this.yieldDue = orderPath.needsEventLoop && (this.blocks || ++this.passesSinceYield >= YIELD_EVERY_PASSES);
    if (this.yieldDue) this.passesSinceYield = 0;
  }

  /**
   * The strategies queued orders during the batch: sends them, timed (send), and records a
   * tick-to-trade sample per triggering packet against the time the send returned, which
   * endSend() leaves in the realtime clock the loop shares with the stage recorder.
   */
  private sendBatch(): void {
    const parts = this.parts;
    parts.stages.beginSend();
    parts.orderPath.flush();
    parts.stages.endSend();
    parts.tap.recordTickToTrade();
    this.queuedAtLastSend = parts.host.tally.queuedMessages;
  }

  /** Counters, the last intervals and the GC count, at stop. */
  publishNow(): void {
    this.publish();
    this.publishIntervals();
    this.parts.gcCount.publish();
  }

  private pollFeeds(): number {
    const { sources, tap, batchSize } = this.parts;
    let delivered = 0;
    for (let i = 0; i < sources.length; i++) {
      const count = sources[i]!.poll(tap, batchSize, 0);
      if (count > 0) delivered += count;
    }
    if (delivered === 0 && this.parts.idle === 'block') {
      // Nothing anywhere: sleep in the kernel on line A rather than spin; line B waits at most idleTimeoutMs.
      const count = sources[0]!.poll(tap, batchSize, this.parts.idleTimeoutMs);
      if (count > 0) delivered += count;
    }
    return delivered;
  }

  private applyKillSwitchRequest(): void {
    const requested = Atomics.load(this.parts.control, KILL_SWITCH_REQUESTED);
    if (requested === this.killSwitchApplied) return;
    this.killSwitchApplied = requested;
    this.parts.orderPath.setKillSwitch(requested === 1);
    this.parts.orderPath.flush();
  }

  /** Counters now; the latency intervals too when a second has passed since the last, and the GC count when due. */
  publish(): void {
    this.passesSincePublish = 0;
    const monotonic = this.parts.monotonic;
    monotonic.update();
    this.parts.publisher.publish(monotonic);
    const now = monotonic.nanos;
    if (now >= this.nextIntervalsNanos) {
      this.nextIntervalsNanos = now + NANOS_PER_SECOND;
      this.publishIntervals();
    }
    this.parts.gcCount.publishIfDue(monotonic, this.emptyPassesInARow >= this.lullPasses);
  }

  /**
   * Hands the interval histograms to the control plane; when its reader is behind, the channel
   * refuses, and the interval goes on until the next hand-over.
   */
  private publishIntervals(): void {
    const parts = this.parts;
    parts.realtime.update();
    parts.stageIntervals.offer(parts.realtime);
  }
}
