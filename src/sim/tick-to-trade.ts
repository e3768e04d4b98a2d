/**
 * Wire-to-wire tick-to-trade as the exchange sees it: from the moment the simulator sent the
 * packet whose tick triggered an order (NewOrderSingle.TriggerSeqNum) to the moment it read the
 * order off the socket. Both ends are CLOCK_MONOTONIC readings on this host, in nanoseconds: a
 * CLOCK_REALTIME reading as a double is only exact to ~256 ns (2^60 ns > 2^53), too coarse for a
 * path that takes microseconds. Recorded in nanoseconds into an HdrHistogram (3 digits).
 */
import * as hdr from 'hdr-histogram-js';
import type { SendTimeRing } from './send-time-ring.js';

/** Latencies beyond this still record (the histogram resizes) but allocate when they first do. */
const PREALLOCATED_RANGE_NANOS = 10_000_000_000;

export interface LatencySummary {
  /** Orders measured. */
  count: number;
  p50Nanos: number;
  p99Nanos: number;
  p999Nanos: number;
  maxNanos: number;
}

export class TickToTrade {
  readonly histogram: hdr.Histogram = hdr.build({
    numberOfSignificantValueDigits: 3,
    highestTrackableValue: PREALLOCATED_RANGE_NANOS,
  });
  /** Orders whose TriggerSeqNum names a packet the ring does not hold (never sent, or too old). */
  unknownTriggerCount = 0;

  constructor(readonly sendTimes: SendTimeRing) {}

  /** Records one order triggered by packet `triggerSeqNum`, read at `receiveTimeNanos` (monotonic). */
  record(triggerSeqNum: number, receiveTimeNanos: number): void {
    const sentNanos = this.sendTimes.sendTime(triggerSeqNum);
    if (Number.isNaN(sentNanos)) {
      this.unknownTriggerCount++;
      return;
    }
    this.histogram.recordValue(Math.max(0, Math.round(receiveTimeNanos - sentNanos)));
  }

  summary(): LatencySummary {
    const histogram = this.histogram;
    return {
      count: histogram.totalCount,
      p50Nanos: histogram.getValueAtPercentile(50),
      p99Nanos: histogram.getValueAtPercentile(99),
      p999Nanos: histogram.getValueAtPercentile(99.9),
      // The percentile of 100, like the others a bucket's highest value (within 0.1%), so max >= p99.9 always.
      maxNanos: histogram.getValueAtPercentile(100),
    };
  }

  reset(): void {
    this.histogram.reset();
    this.unknownTriggerCount = 0;
  }
}
