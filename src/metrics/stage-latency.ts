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
 * Nothing is allocated per sample: times are read by a NanosecondClock into a field and kept in
 * a Float64Array of marks; every call takes small integers only (a double passed to a call V8
 * does not inline is boxed), and the difference is taken here, in one frame. About once a
 * second the worker takes the intervals as HdrHistogram compressed base64 (what .hlog holds)
 * and sends them to the control plane (stage-latency-aggregate.ts).
 */
import * as hdr from 'hdr-histogram-js';
import { MDP3_SENDING_TIME_OFFSET } from '../feed/framing/mdp3.js';
import { CLOCK_REALTIME, NanosecondClock, type TimeSource } from '../order/clock.js';
import { HIGHEST_TRACKABLE_NANOS, buildHistogram } from './tick-to-trade.js';

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

// Marks: CLOCK_REALTIME ns (or accumulated ns) of the packet and batch being handled.
const MARK_RECEIVED = 0;
const MARK_HANDLER_START = 1;
const MARK_SENDING_TIME = 2;
const MARK_STRATEGY_ENTERED = 3;
const MARK_ORDER_PATH_ENTERED = 4;
/** Accumulated ns in strategy handlers during the packet. */
const MARK_STRATEGY_NANOS = 5;
/** Accumulated ns in the order path during the packet. */
const MARK_ORDER_PATH_NANOS = 6;
const MARK_SEND_START = 7;
const MARK_SENT = 8;
const MARK_COUNT = 9;

const TWO_TO_32 = 0x1_0000_0000;
/** Values below this are converted to int32 before recordValue: a Smi argument is never boxed. */
const SMALL_INTEGER_LIMIT = 0x4000_0000;

/** One interval of every stage, as the worker sends it. */
export interface StageIntervals {
  startTimeMs: number;
  endTimeMs: number;
  /** Compressed base64 histogram per stage, in STAGE_NAMES order. */
  histograms: string[];
}

export class StageLatencyRecorder {
  private readonly marks = new Float64Array(MARK_COUNT);
  private readonly histograms: hdr.Histogram[] = STAGE_NAMES.map(() => buildHistogram());
  private readonly clock: TimeSource;
  private strategyCalled = false;
  private intervalStartMs = Date.now();

  /** `clock`: CLOCK_REALTIME, to compare with kernel receive timestamps (a stand-in in tests). */
  constructor(clock: TimeSource = new NanosecondClock(CLOCK_REALTIME)) {
    this.clock = clock;
  }

  /** A packet reaches the feed handler: records feed (SendingTime -> kernel) and wire (kernel -> now). */
  beginPacket(view: DataView, packetOffset: number, receiveTimeNanos: number): void {
    const marks = this.marks;
    this.clock.update();
    marks[MARK_HANDLER_START] = this.clock.nanos;
    marks[MARK_RECEIVED] = receiveTimeNanos;
    const sendingTimeOffset = packetOffset + MDP3_SENDING_TIME_OFFSET;
    marks[MARK_SENDING_TIME] = view.getUint32(sendingTimeOffset + 4, true) * TWO_TO_32 + view.getUint32(sendingTimeOffset, true);
    marks[MARK_STRATEGY_NANOS] = 0;
    marks[MARK_ORDER_PATH_NANOS] = 0;
    this.strategyCalled = false;
    this.recordSpan(STAGE_WIRE, MARK_RECEIVED, MARK_HANDLER_START);
    if (marks[MARK_SENDING_TIME]! > 0) this.recordSpan(STAGE_FEED, MARK_SENDING_TIME, MARK_RECEIVED);
  }

  /** A strategy handler is about to run; the packet's first one ends its decode stage. */
  enterStrategy(): void {
    this.clock.update();
    this.marks[MARK_STRATEGY_ENTERED] = this.clock.nanos;
    if (!this.strategyCalled) {
      this.strategyCalled = true;
      this.recordSpan(STAGE_DECODE, MARK_HANDLER_START, MARK_STRATEGY_ENTERED);
    }
  }

  exitStrategy(): void {
    this.clock.update();
    this.marks[MARK_STRATEGY_NANOS] += this.clock.nanos - this.marks[MARK_STRATEGY_ENTERED]!;
  }

  /** A strategy calls the order path (risk checks and encoding of one request). */
  enterOrderPath(): void {
    this.clock.update();
    this.marks[MARK_ORDER_PATH_ENTERED] = this.clock.nanos;
  }

  exitOrderPath(): void {
    this.clock.update();
    this.marks[MARK_ORDER_PATH_NANOS] += this.clock.nanos - this.marks[MARK_ORDER_PATH_ENTERED]!;
  }

  /** The packet is handled: records the strategies' time and the order path's. */
  endPacket(): void {
    if (!this.strategyCalled) return;
    const marks = this.marks;
    const orderPathNanos = marks[MARK_ORDER_PATH_NANOS]!;
    this.recordValue(STAGE_STRATEGY, marks[MARK_STRATEGY_NANOS]! - orderPathNanos);
    if (orderPathNanos > 0) this.recordValue(STAGE_RISK_ENCODE, orderPathNanos);
  }

  /** Just before the batch's flush. */
  beginSend(): void {
    this.clock.update();
    this.marks[MARK_SEND_START] = this.clock.nanos;
  }

  /** Just after the flush; records send when the batch had orders (`sentOrders`). */
  endSend(sentOrders: boolean): void {
    this.clock.update();
    this.marks[MARK_SENT] = this.clock.nanos;
    if (sentOrders) this.recordSpan(STAGE_SEND, MARK_SEND_START, MARK_SENT);
  }

  /** tick_to_trade of a triggering packet received at receiveTimes[index], sent at the last endSend(). */
  recordTickToTrade(receiveTimes: Float64Array, index: number): void {
    this.recordValue(STAGE_TICK_TO_TRADE, this.marks[MARK_SENT]! - receiveTimes[index]!);
  }

  count(stage: number): number {
    return this.histograms[stage]!.totalCount;
  }

  /** Every stage's interval since the last call, encoded; the recorder starts new intervals. Cold path. */
  takeIntervals(): StageIntervals {
    const endTimeMs = Date.now();
    const histograms = this.histograms.map((histogram) => {
      const encoded = hdr.encodeIntoCompressedBase64(histogram);
      histogram.reset();
      return encoded;
    });
    const intervals = { startTimeMs: this.intervalStartMs, endTimeMs, histograms };
    this.intervalStartMs = endTimeMs;
    return intervals;
  }

  private recordSpan(stage: number, fromMark: number, toMark: number): void {
    this.recordValue(stage, this.marks[toMark]! - this.marks[fromMark]!);
  }

  /** Inlined into its callers in practice; the value reaches recordValue as a Smi. */
  private recordValue(stage: number, nanos: number): void {
    const histogram = this.histograms[stage]!;
    if (nanos < 1) histogram.recordValue(1);
    else if (nanos < SMALL_INTEGER_LIMIT) histogram.recordValue(nanos | 0);
    else histogram.recordValue(nanos < HIGHEST_TRACKABLE_NANOS ? Math.round(nanos) : HIGHEST_TRACKABLE_NANOS);
  }
}
