/**
 * The first handler every datagram meets in the worker, ahead of the sequencer: counts it per
 * feed in shared memory once handled (so a reader of the count knows the strategies have seen
 * it) and notes the receive time of each packet whose handling made a strategy queue an order,
 * so the loop can record tick-to-trade once the batch is sent. After
 * each datagram it clears the order path's trigger, so an order from a timer or an execution
 * report never claims a packet as its trigger.
 * Feeds are indexed by line (0 = A, 1 = B). No allocation: a few typed-array stores.
 */
import type { DatagramHandler, ReceiveTime } from '../feed/datagram.js';
import type { GatewayCounters } from '../metrics/counters.js';
import { MARK_RECEIVED, type StageLatencyRecorder } from '../metrics/stage-latency.js';
import { FEED_BYTES, FEED_LAST_RECEIVE_NANOS, FEED_PACKETS, feedSlot } from '../metrics/counters-layout.js';
import type { OrderTally } from '../strategy/strategy-orders.js';
import type { OrderPath } from './order-path.js';

export class FeedTap implements DatagramHandler {
  private readonly slots: Float64Array;
  /** Receive times of this batch's packets that triggered orders. */
  private readonly triggerTimes: Float64Array;
  private triggerCount = 0;

  constructor(
    private readonly downstream: DatagramHandler,
    counters: GatewayCounters,
    private readonly tally: OrderTally,
    private readonly orderPath: OrderPath,
    /** Most triggering packets per batch: the datagrams a loop pass can take. */
    triggerCapacity: number,
    /** Per-stage latency (wire, feed, decode, strategy, tick_to_trade). */
    private readonly stages: StageLatencyRecorder,
  ) {
    this.slots = counters.slots;
    this.triggerTimes = new Float64Array(triggerCapacity);
  }

  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    const receiveTimeNanos = received.nanos;
    const stages = this.stages;
    stages.marks[MARK_RECEIVED] = receiveTimeNanos;
    stages.beginPacket(view, offset);
    const queuedBefore = this.tally.queuedMessages;
    this.downstream.onDatagram(view, offset, length, received, line);
    this.orderPath.clearTrigger();
    // Counted once handled: a reader that sees the count also sees what the strategies did with it.
    const slots = this.slots;
    slots[feedSlot(line, FEED_PACKETS)] += 1;
    slots[feedSlot(line, FEED_BYTES)] += length;
    slots[feedSlot(line, FEED_LAST_RECEIVE_NANOS)] = receiveTimeNanos;
    stages.endPacket();
    if (this.tally.queuedMessages !== queuedBefore && this.triggerCount < this.triggerTimes.length) {
      this.triggerTimes[this.triggerCount++] = receiveTimeNanos;
    }
  }

  /** After the batch's orders left (the stage recorder's endSend): one tick-to-trade sample per triggering packet. */
  recordTickToTrade(): void {
    const triggerTimes = this.triggerTimes;
    for (let i = 0; i < this.triggerCount; i++) this.stages.recordTickToTrade(triggerTimes, i);
    this.triggerCount = 0;
  }
}
