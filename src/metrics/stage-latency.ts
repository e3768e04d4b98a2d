/**
 * Per-stage latency of the hot path, recorded in the worker into preallocated HdrHistograms
 * (nanoseconds), one per stage:
 *
 *   feed          SendingTime of the packet        -> kernel receive timestamp
 *   wire          kernel receive timestamp         -> feed handler start (CLOCK_REALTIME, native read)
 *   decode        feed handler start               -> first strategy call of the packet
 *   strategy      time inside strategy handlers, minus the order path's share
 *   risk_encode   time inside the order path's newOrder/cancel/replace (risk checks + encoding)
 *   send          the batch's flush (writev) start -> writev returned
 *   tick_to_trade kernel receive timestamp of a triggering packet -> writev returned
 *
 * feed and tick_to_trade are recorded for every packet: they need no clock read of their own
 * (the batch's send time is read once). The breakdown in between costs about ten clock reads a
 * packet, each a koffi call of about 70 ns, so it is timed on every `sampleEvery`th packet (and
 * on the send of that packet's batch); 1 times every packet.
 *
 * Nothing is allocated per sample: times are read by NanosecondClocks into a field and kept in
 * a Float64Array of marks; every call takes small integers only (a double passed to a call V8
 * does not inline is boxed), and even the value recorded is handed over through the marks. About once a
 * second the worker hands the intervals to the control plane through an IntervalChannel (shared
 * memory, interval-channel.ts), which resets them; stage-latency-aggregate.ts adds them up.
 */
import { MDP3_SENDING_TIME_OFFSET } from '../feed/framing/mdp3.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, NanosecondClock, type TimeSource } from '../io/clock.js';
import type { ShiftIndexedHistogram } from './shift-indexed-histogram.js';
import { buildHistogram, recordNanos } from './latency-histogram.js';

/** The stage names: the interface of /latency, /metrics and the page. Index = STAGE_* below. */
export const STAGE_NAMES = ['wire', 'decode', 'strategy', 'risk_encode', 'send', 'tick_to_trade', 'feed'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const STAGE_WIRE = 0;
export const STAGE_DECODE = 1;
export const STAGE_STRATEGY = 2;
export const STAGE_RISK_ENCODE = 3;
export const STAGE_SEND = 4;
export const STAGE_TICK_TO_TRADE = 5;
export const STAGE_FEED = 6;

// Marks: the times of the packet and batch being handled. CLOCK_REALTIME (ns since 1970 exceed
// 2^53, so a double holds them to 256 ns) only where a kernel timestamp is compared; CLOCK_MONOTONIC
// (exact ns) for the durations measured in this thread.
/** Kernel receive timestamp of the packet (CLOCK_REALTIME): the feed tap stores it here. */
export const MARK_RECEIVED = 0;
const MARK_HANDLER_START_REALTIME = 1;
const MARK_HANDLER_START = 2;
const MARK_SENDING_TIME = 3;
const MARK_STRATEGY_ENTERED = 4;
const MARK_ORDER_PATH_ENTERED = 5;
/** Accumulated ns in strategy handlers during the packet. */
const MARK_STRATEGY_NANOS = 6;
/** Accumulated ns in the order path during the packet. */
const MARK_ORDER_PATH_NANOS = 7;
const MARK_SEND_START = 8;
const MARK_SENT_REALTIME = 9;
/** The value being recorded: handed over here, not as an argument, so it is never boxed. */
const MARK_SAMPLE = 10;
const MARK_COUNT = 11;

const TWO_TO_32 = 0x1_0000_0000;

export interface StageLatencyOptions {
  /** CLOCK_REALTIME, to compare with kernel timestamps (a stand-in in tests). */
  realtime?: TimeSource;
  /** CLOCK_MONOTONIC, for durations (a stand-in in tests). */
  monotonic?: TimeSource;
  /** Every how many packets the breakdown (wire, decode, strategy, risk_encode, send) is timed; default 1, every packet. */
  sampleEvery?: number;
}

export class StageLatencyRecorder {
  /** Times by MARK_* index; the feed tap writes MARK_RECEIVED. */
  readonly marks = new Float64Array(MARK_COUNT);
  /** The current interval's histograms, by STAGE_* index, for IntervalChannel.recordInto. */
  readonly histograms: readonly ShiftIndexedHistogram[] = STAGE_NAMES.map(() => buildHistogram());
  private readonly realtime: TimeSource;
  private readonly monotonic: TimeSource;
  private readonly sampleEvery: number;
  /** Counts down to the next packet timed stage by stage: the first packet is. */
  private packetsUntilSample = 1;
  /** The packet being handled is timed stage by stage. */
  private sampling = false;
  /** A packet of the batch being handled was: its send is timed. */
  private batchSampled = false;
  private strategyCalled = false;
  private orderPathCalled = false;

  constructor(options: StageLatencyOptions = {}) {
    const sampleEvery = options.sampleEvery ?? 1;
    if (!Number.isInteger(sampleEvery) || sampleEvery < 1) throw new RangeError(`sampleEvery must be a positive integer, not ${sampleEvery}`);
    this.realtime = options.realtime ?? new NanosecondClock(CLOCK_REALTIME);
    this.monotonic = options.monotonic ?? new NanosecondClock(CLOCK_MONOTONIC);
    this.sampleEvery = sampleEvery;
  }

  /**
   * A packet reaches the feed handler, its kernel receive timestamp in marks[MARK_RECEIVED]:
   * records feed (SendingTime -> kernel) and, on a sampled packet, wire (kernel -> now).
   *
   * Each public method is a guard in front of the sampled work, which lives in its own method:
   * the guards are what V8 inlines into the feed handler and the strategy calls, and the rarely
   * run bodies, left out of line, do not spend the inlining budget those callers share with the
   * strategies' own code (a strategy's `book.bids.price(0)` left out of line boxes its double).
   */
  beginPacket(view: DataView, packetOffset: number): void {
    const marks = this.marks;
    const sendingTimeOffset = packetOffset + MDP3_SENDING_TIME_OFFSET;
    marks[MARK_SENDING_TIME] = view.getUint32(sendingTimeOffset + 4, true) * TWO_TO_32 + view.getUint32(sendingTimeOffset, true);
    if (marks[MARK_SENDING_TIME]! > 0) {
      marks[MARK_SAMPLE] = marks[MARK_RECEIVED]! - marks[MARK_SENDING_TIME]!;
      this.recordSample(STAGE_FEED);
    }
    if (--this.packetsUntilSample === 0) this.beginSampledPacket();
  }

  /** A strategy handler is about to run; the packet's first one ends its decode stage. */
  enterStrategy(): void {
    if (this.sampling) this.markStrategyEntered();
  }

  exitStrategy(): void {
    if (this.sampling) this.markStrategyExited();
  }

  /** A strategy calls the order path (risk checks and encoding of one request). */
  enterOrderPath(): void {
    if (this.sampling) this.markOrderPathEntered();
  }

  exitOrderPath(): void {
    if (this.sampling) this.markOrderPathExited();
  }

  /** The packet is handled: records the strategies' time (without the order path's) and the order path's. */
  endPacket(): void {
    if (this.sampling) this.endSampledPacket();
  }

  /** Just before the batch's flush. */
  beginSend(): void {
    if (this.batchSampled) this.markSendStarted();
  }

  /**
   * Just after the flush of a batch that had orders; records send when the batch had a sampled
   * packet. Leaves the realtime clock at the send's time, for a caller that shares it (the hot
   * loop's tick-to-trade).
   */
  endSend(): void {
    if (this.batchSampled) this.recordSampledSend();
    this.realtime.update();
    this.marks[MARK_SENT_REALTIME] = this.realtime.nanos;
  }

  /** tick_to_trade of a triggering packet received at receiveTimes[index] (CLOCK_REALTIME), sent at the last endSend(). */
  recordTickToTrade(receiveTimes: Float64Array, index: number): void {
    this.marks[MARK_SAMPLE] = this.marks[MARK_SENT_REALTIME]! - receiveTimes[index]!;
    this.recordSample(STAGE_TICK_TO_TRADE);
  }

  count(stage: number): number {
    return this.histograms[stage]!.totalCount;
  }

  private beginSampledPacket(): void {
    const marks = this.marks;
    this.packetsUntilSample = this.sampleEvery;
    this.sampling = true;
    this.batchSampled = true;
    this.realtime.update();
    marks[MARK_HANDLER_START_REALTIME] = this.realtime.nanos;
    this.monotonic.update();
    marks[MARK_HANDLER_START] = this.monotonic.nanos;
    marks[MARK_STRATEGY_NANOS] = 0;
    marks[MARK_ORDER_PATH_NANOS] = 0;
    this.strategyCalled = false;
    this.orderPathCalled = false;
    marks[MARK_SAMPLE] = marks[MARK_HANDLER_START_REALTIME]! - marks[MARK_RECEIVED]!;
    this.recordSample(STAGE_WIRE);
  }

  private markStrategyEntered(): void {
    const marks = this.marks;
    this.monotonic.update();
    marks[MARK_STRATEGY_ENTERED] = this.monotonic.nanos;
    if (!this.strategyCalled) {
      this.strategyCalled = true;
      marks[MARK_SAMPLE] = marks[MARK_STRATEGY_ENTERED]! - marks[MARK_HANDLER_START]!;
      this.recordSample(STAGE_DECODE);
    }
  }

  private markStrategyExited(): void {
    this.monotonic.update();
    this.marks[MARK_STRATEGY_NANOS] += this.monotonic.nanos - this.marks[MARK_STRATEGY_ENTERED]!;
  }

  private markOrderPathEntered(): void {
    this.monotonic.update();
    this.marks[MARK_ORDER_PATH_ENTERED] = this.monotonic.nanos;
  }

  private markOrderPathExited(): void {
    this.monotonic.update();
    this.marks[MARK_ORDER_PATH_NANOS] += this.monotonic.nanos - this.marks[MARK_ORDER_PATH_ENTERED]!;
    this.orderPathCalled = true;
  }

  private endSampledPacket(): void {
    // (order calls from timers and execution reports, outside any packet, are not timed)
    this.sampling = false;
    if (!this.strategyCalled) return;
    const marks = this.marks;
    marks[MARK_SAMPLE] = marks[MARK_STRATEGY_NANOS]! - marks[MARK_ORDER_PATH_NANOS]!;
    this.recordSample(STAGE_STRATEGY);
    if (this.orderPathCalled) {
      marks[MARK_SAMPLE] = marks[MARK_ORDER_PATH_NANOS]!;
      this.recordSample(STAGE_RISK_ENCODE);
    }
  }

  private markSendStarted(): void {
    this.monotonic.update();
    this.marks[MARK_SEND_START] = this.monotonic.nanos;
  }

  private recordSampledSend(): void {
    this.batchSampled = false;
    this.monotonic.update();
    this.marks[MARK_SAMPLE] = this.monotonic.nanos - this.marks[MARK_SEND_START]!;
    this.recordSample(STAGE_SEND);
  }

  /** Records marks[MARK_SAMPLE] (ns) into the stage's histogram. */
  private recordSample(stage: number): void {
    recordNanos(this.histograms[stage]!, this.marks, MARK_SAMPLE);
  }
}
