/**
 * Replays the UDP datagrams of a capture: from the mapped file (CaptureReader) to the network
 * (a sendmmsg sender), zero copy, paced like the original or as fast as possible: at max speed,
 * runs of equal-length datagrams leave by UDP GSO (sendSegmented), one sendmsg per run.
 *
 * Pacing is anchored at the start of each pass, as tcpreplay does since it fixed its drift:
 * packet i is due at start + (t_i - t_0) / speed, never at "previous send + gap", so a late
 * packet does not delay every packet after it. Packets already due when one is sent go in the
 * same sendmmsg (a burst in the capture leaves as a burst). The pacing error of every packet
 * (actual - scheduled send time) goes into an HdrHistogram; "actual" is the clock read once
 * sendmmsg has returned, so the error includes the send syscall itself (on loopback, the
 * delivery to the receiving socket too): what a receiver sees, never flattered.
 *
 * The hot loop allocates nothing per packet, paced or not: one reused UdpDatagram, offsets into
 * the mapped file written into the sender's native batch table, numbers only, and times kept
 * in fields and arrays, never passed to or returned from a call (test/replay/zero-alloc). Paced,
 * it sends synchronously between the pauses where it awaits: a timer sleep before a long gap,
 * and a turn of the event loop at least every YIELD_INTERVAL_NS, so stop() from a signal
 * handler and the progress callback both run.
 */
import type * as hdr from 'hdr-histogram-js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CaptureFormatError, CaptureReader, UdpDatagram } from '../io/pcap.js';
import { buildHistogram, recordNanos, summarizeLatency } from '../metrics/latency-histogram.js';
import { needsTimerSleep, systemClock, timerSleepMs, waitShortly, type PacingClock } from './pacing-clock.js';

/** A multiplier of the capture's own pace (1 = as recorded), or as fast as the sender goes. */
export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  /** Default 1. */
  speed?: ReplaySpeed;
  /** A fixed rate, ignoring the capture's timestamps; overrides speed. */
  packetsPerSecond?: number;
  /** Passes over the file. Default 1. */
  loops?: number;
}

/** What the replayer needs of a sender (UdpSender is the real one). */
export interface PacketSender {
  readonly batchSize: number;
  setPacket(index: number, offset: number, length: number): void;
  /** Sends packets 0..count-1 from `region`, each to every destination before the next; returns datagrams sent. */
  send(region: Uint8Array, count: number): number;
  /** As send(), for throughput: runs of equal-length packets may leave together (UDP GSO), each destination in turn. */
  sendSegmented(region: Uint8Array, count: number): number;
}

export interface PacingErrorSummary {
  /** Values measured: packets for the pacing error, sends for the send duration. */
  count: number;
  p50Nanos: number;
  p99Nanos: number;
  maxNanos: number;
}

export interface ReplayStats {
  /** Packets sent (each once, however many destinations). */
  packets: number;
  /** UDP payload bytes of those packets. */
  payloadBytes: number;
  /** Datagrams handed to the kernel: packets times destinations. */
  datagrams: number;
  /** Batches handed to the sender (a sendmmsg each; at max speed, a GSO sendmsg per run and destination). */
  sends: number;
  /** Passes completed (one stopped part-way does not count). */
  passes: number;
  elapsedNs: number;
  /** Undefined at 'max' speed, where nothing is scheduled. */
  pacingError: PacingErrorSummary | undefined;
  /**
   * How long each paced send took, from the end of its wait to sendmmsg's return: the part of
   * the pacing error that is the kernel's, not the wait's. Undefined at 'max' speed.
   */
  sendDuration: PacingErrorSummary | undefined;
  /** Where the file's structure broke, if it did: each pass replayed the packets before it. */
  fileError: CaptureFormatError | undefined;
}

/** The event loop turns about this often... */
const YIELD_INTERVAL_NS = 50_000_000;
/** ...when a paced send is at least this far away, as a turn (a progress redraw) takes a while... */
const YIELD_ROOM_NS = 1_000_000;
/** ...and at the latest this often, even if a send is then late. */
const MAX_YIELD_INTERVAL_NS = 1_000_000_000;
const NANOS_PER_SECOND = 1e9;

/** Why the paced sending stopped: to wait on a timer, to turn the event loop, or at the end of the pass. */
const enum PacedPause {
  Sleep,
  Yield,
  PassEnd,
}


export class Replayer {
  readonly stats: ReplayStats = {
    packets: 0,
    payloadBytes: 0,
    datagrams: 0,
    sends: 0,
    passes: 0,
    elapsedNs: 0,
    pacingError: undefined,
    sendDuration: undefined,
    fileError: undefined,
  };

  private readonly reader: CaptureReader;
  private readonly sender: PacketSender;
  private readonly clock: PacingClock;
  private readonly loops: number;
  /** Nanoseconds of schedule per nanosecond of capture time; 0 at 'max'. */
  private readonly scheduleScale: number;
  /** Nanoseconds between packets at a fixed rate; 0 when following the capture's times. */
  private readonly fixedIntervalNs: number;
  private readonly datagram = new UdpDatagram();
  private readonly pacingErrors = buildHistogram();
  private readonly sendDurations = buildHistogram();
  /** Scheduled send time of each packet of the batch in hand, by batch position; once sent, its pacing error. */
  private readonly batchScheduledNs: Float64Array;
  private stopRequested = false;
  // Times in ns, doubles from the start so their fields never change representation. On the
  // per-packet path they stay in fields and arrays rather than being passed or returned: a
  // double crossing a call V8 does not inline is boxed (it was ~46 bytes a paced packet).
  private startNs = 0.5;
  private lastYieldNs = 0.5;
  /** When the datagram in hand is due (updateDue()). */
  private dueNs = 0.5;
  // The current pass: its anchor and the first packet's capture time.
  private anchorNs = 0.5;
  private firstSeconds = 0;
  private firstNanoseconds = 0;
  private packetInPass = 0;

  constructor(reader: CaptureReader, sender: PacketSender, options: ReplayOptions = {}, clock: PacingClock = systemClock) {
    const speed = options.speed ?? 1;
    if (speed !== 'max' && !(speed > 0 && Number.isFinite(speed))) throw new RangeError(`speed must be a positive number or 'max': speed=${speed}`);
    const loops = options.loops ?? 1;
    if (!Number.isInteger(loops) || loops < 1) throw new RangeError(`loops must be a positive integer: loops=${loops}`);
    const rate = options.packetsPerSecond;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) throw new RangeError(`packetsPerSecond must be positive: packetsPerSecond=${rate}`);
    this.reader = reader;
    this.sender = sender;
    this.clock = clock;
    this.loops = loops;
    this.fixedIntervalNs = rate === undefined ? 0 : NANOS_PER_SECOND / rate;
    this.scheduleScale = rate !== undefined || speed === 'max' ? 0 : 1 / speed;
    this.batchScheduledNs = new Float64Array(sender.batchSize);
  }

  private get paced(): boolean {
    return this.scheduleScale > 0 || this.fixedIntervalNs > 0;
  }

  /** Asks run() to stop after the batch in hand. Safe from a signal handler. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * Sends every pass, then returns the stats. `onProgress` is called at every yield to the
   * event loop. A file whose structure breaks (CaptureFormatError) is replayed up to the
   * break on every pass, and the error is kept in `stats.fileError`.
   */
  async run(onProgress?: (stats: ReplayStats) => void): Promise<ReplayStats> {
    this.clock.update();
    this.startNs = this.clock.nanos;
    this.lastYieldNs = this.startNs;
    for (let pass = 0; pass < this.loops && !this.stopRequested; pass++) {
      this.reader.rewind();
      if (!this.readNext()) break; // nothing to send in this file
      this.beginPass();
      if (this.paced) {
        await this.sendPaced(onProgress);
      } else {
        await this.sendAtFullSpeed(onProgress);
      }
      if (!this.stopRequested) this.stats.passes++;
    }
    this.clock.update();
    this.stats.elapsedNs = this.clock.nanos - this.startNs;
    this.stats.pacingError = this.paced ? summarize(this.pacingErrors) : undefined;
    this.stats.sendDuration = this.paced ? summarize(this.sendDurations) : undefined;
    return this.stats;
  }

  private beginPass(): void {
    this.clock.update();
    this.anchorNs = this.clock.nanos;
    this.firstSeconds = this.datagram.timestampSeconds;
    this.firstNanoseconds = this.datagram.timestampNanoseconds;
    this.packetInPass = 0;
  }

  /** When the datagram in hand is due, into `dueNs`: start + (t_i - t_0) / speed, or start + i / rate. */
  private updateDue(): void {
    if (this.fixedIntervalNs > 0) {
      this.dueNs = this.anchorNs + this.packetInPass * this.fixedIntervalNs;
      return;
    }
    const datagram = this.datagram;
    const captureOffsetNs =
      (datagram.timestampSeconds - this.firstSeconds) * NANOS_PER_SECOND + (datagram.timestampNanoseconds - this.firstNanoseconds);
    this.dueNs = this.anchorNs + captureOffsetNs * this.scheduleScale;
  }

  /** Sends at the packets' times; awaits only for timer sleeps and turns of the event loop. */
  private async sendPaced(onProgress: ((stats: ReplayStats) => void) | undefined): Promise<void> {
    for (;;) {
      const pause = this.sendUntilPause();
      if (pause === PacedPause.PassEnd) return;
      if (pause === PacedPause.Sleep) {
        this.reportProgress(onProgress);
        await this.clock.sleepMs(timerSleepMs(this.clock, this.dueNs));
        this.clock.update();
        this.lastYieldNs = this.clock.nanos;
      } else {
        await this.yieldNow(onProgress);
      }
    }
  }

  /**
   * Sends batch after batch, each at its first packet's time, until the next one is far enough
   * away for a timer sleep, the event loop is due a turn, or the pass ends (or stop() was asked).
   * Synchronous, unlike its async caller, whose locals are boxed on every write across an await.
   */
  private sendUntilPause(): PacedPause {
    const clock = this.clock;
    while (!this.stopRequested) {
      this.updateDue();
      clock.update();
      if (needsTimerSleep(clock, this.dueNs)) return PacedPause.Sleep;
      if (this.yieldIsDue()) return PacedPause.Yield;
      if (!this.sendWhenDue()) break;
    }
    return PacedPause.PassEnd;
  }

  /**
   * Sends the datagram in hand at its time (`dueNs`), with the packets due by then. The first
   * packet is put in the batch before the wait, so the syscall follows the deadline at once.
   * Returns false at the end of the pass.
   */
  private sendWhenDue(): boolean {
    const clock = this.clock;
    const batchSize = this.sender.batchSize;
    const scheduledNs = this.batchScheduledNs;
    scheduledNs[0] = this.dueNs;
    let pending = this.addToBatch(0);
    let count = 1;
    waitShortly(clock, scheduledNs, 0);
    const readyNs = clock.nanos;
    while (pending && count < batchSize) {
      this.updateDue();
      if (this.dueNs > readyNs) break;
      scheduledNs[count] = this.dueNs;
      pending = this.addToBatch(count++);
    }
    this.flushBatch(count);
    clock.update();
    // The batch left when sendmmsg returned: each packet's error (actual - scheduled) replaces
    // its scheduled time, to be recorded from the array.
    const sentNs = clock.nanos;
    for (let i = 0; i < count; i++) {
      scheduledNs[i] = sentNs - scheduledNs[i]!;
      recordNanos(this.pacingErrors, scheduledNs, i);
    }
    scheduledNs[0] = sentNs - readyNs;
    recordNanos(this.sendDurations, scheduledNs, 0);
    return pending;
  }

  /**
   * Whether to turn the event loop (signals, progress) before the send due at `dueNs`: when a
   * turn is due and the send far enough away for the turn not to make it late, or when a turn
   * is long overdue.
   */
  private yieldIsDue(): boolean {
    const now = this.clock.nanos;
    const sinceYield = now - this.lastYieldNs;
    return (sinceYield >= YIELD_INTERVAL_NS && this.dueNs - now >= YIELD_ROOM_NS) || sinceYield >= MAX_YIELD_INTERVAL_NS;
  }

  private async sendAtFullSpeed(onProgress: ((stats: ReplayStats) => void) | undefined): Promise<void> {
    const batchSize = this.sender.batchSize;
    let pending = true;
    while (pending && !this.stopRequested) {
      let count = 0;
      do pending = this.addToBatch(count++);
      while (pending && count < batchSize);
      this.countBatch(this.sender.sendSegmented(this.reader.bytes, count), count);
      this.clock.update();
      if (this.clock.nanos - this.lastYieldNs >= YIELD_INTERVAL_NS) await this.yieldNow(onProgress);
    }
  }

  /** Puts the datagram in hand at batch position `index` and reads the next; false at the end of the file. */
  private addToBatch(index: number): boolean {
    const datagram = this.datagram;
    this.sender.setPacket(index, datagram.payloadOffset, datagram.payloadLength);
    this.stats.payloadBytes += datagram.payloadLength;
    this.packetInPass++;
    return this.readNext();
  }

  /** The next datagram into `this.datagram`; false at the end of the file or where it breaks. */
  private readNext(): boolean {
    try {
      return this.reader.next(this.datagram);
    } catch (error) {
      if (!(error instanceof CaptureFormatError)) throw error;
      this.stats.fileError = error;
      return false;
    }
  }

  private flushBatch(count: number): void {
    this.countBatch(this.sender.send(this.reader.bytes, count), count);
  }

  private countBatch(datagrams: number, packets: number): void {
    this.stats.datagrams += datagrams;
    this.stats.packets += packets;
    this.stats.sends++;
  }

  private async yieldNow(onProgress: ((stats: ReplayStats) => void) | undefined): Promise<void> {
    this.reportProgress(onProgress);
    await yieldToEventLoop();
    this.clock.update();
    this.lastYieldNs = this.clock.nanos;
  }

  private reportProgress(onProgress: ((stats: ReplayStats) => void) | undefined): void {
    if (onProgress === undefined) return;
    this.clock.update();
    this.stats.elapsedNs = this.clock.nanos - this.startNs;
    onProgress(this.stats);
  }
}

function summarize(histogram: hdr.Histogram): PacingErrorSummary {
  const { count, p50, p99, max } = summarizeLatency(histogram);
  return { count, p50Nanos: p50, p99Nanos: p99, maxNanos: max };
}

