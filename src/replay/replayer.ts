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
 * The hot loop allocates nothing per packet at max speed: one reused UdpDatagram, offsets into
 * the mapped file written into the sender's native batch table, numbers only. Paced, 10-40
 * bytes a packet remain on average (V8's sampling heap profiler, varying run to run; 0-2
 * scavenges per 15,000-packet round in bench/replay, against one every 55 ms when the clock
 * boxed every read). It yields to the event loop
 * on timer sleeps and at least every YIELD_INTERVAL_NS, so stop() from a signal handler and
 * the progress callback both run.
 */
import * as hdr from 'hdr-histogram-js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CaptureFormatError, CaptureReader, UdpDatagram } from '../io/pcap.js';
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

/** Values above this (10 s) are clamped: a packet that late is still counted. */
const HIGHEST_TRACKABLE_NANOS = 10_000_000_000;
/** The event loop turns about this often... */
const YIELD_INTERVAL_NS = 50_000_000;
/** ...when a paced send is at least this far away, as a turn (a progress redraw) takes a while... */
const YIELD_ROOM_NS = 1_000_000;
/** ...and at the latest this often, even if a send is then late. */
const MAX_YIELD_INTERVAL_NS = 1_000_000_000;
const NANOS_PER_SECOND = 1e9;

/** What the paced loop does next: wait on a timer, turn the event loop, or send. */
const enum PacedStep {
  Sleep,
  Yield,
  Send,
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
  private readonly pacingErrors = buildNanosHistogram();
  private readonly sendDurations = buildNanosHistogram();
  /** Scheduled send time of each packet of the batch in hand, by batch position. */
  private readonly batchScheduledNs: Float64Array;
  private stopRequested = false;
  private startNs = 0;
  private lastYieldNs = 0;
  /** The paced loop's last clock reading, handed from the step decision to the wait. */
  private clockReadNs = 0;
  // The current pass: its anchor and the first packet's capture time.
  private anchorNs = 0;
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
    this.startNs = this.clock.nowNanos();
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
    this.stats.elapsedNs = this.clock.nowNanos() - this.startNs;
    this.stats.pacingError = this.paced ? summarize(this.pacingErrors) : undefined;
    this.stats.sendDuration = this.paced ? summarize(this.sendDurations) : undefined;
    return this.stats;
  }

  private beginPass(): void {
    this.anchorNs = this.clock.nowNanos();
    this.firstSeconds = this.datagram.timestampSeconds;
    this.firstNanoseconds = this.datagram.timestampNanoseconds;
    this.packetInPass = 0;
  }

  /** When the datagram in hand is due: start + (t_i - t_0) / speed, or start + i / rate. */
  private scheduledNs(): number {
    if (this.fixedIntervalNs > 0) return this.anchorNs + this.packetInPass * this.fixedIntervalNs;
    const datagram = this.datagram;
    const captureOffsetNs =
      (datagram.timestampSeconds - this.firstSeconds) * NANOS_PER_SECOND + (datagram.timestampNanoseconds - this.firstNanoseconds);
    return this.anchorNs + captureOffsetNs * this.scheduleScale;
  }

  /**
   * Each send waits for its first packet's time and takes along the packets already due. This
   * async loop only decides between sleeping, yielding and sending: it keeps no time in a local,
   * because a double that lives across an await is boxed on every write.
   */
  private async sendPaced(onProgress: ((stats: ReplayStats) => void) | undefined): Promise<void> {
    let pending = true;
    while (pending && !this.stopRequested) {
      const step = this.nextPacedStep();
      if (step === PacedStep.Sleep) {
        this.reportProgress(onProgress);
        await this.clock.sleepMs(timerSleepMs(this.clock, this.scheduledNs()));
        this.lastYieldNs = this.clock.nowNanos();
      } else if (step === PacedStep.Yield) {
        await this.yieldNow(onProgress);
      } else {
        pending = this.sendWhenDue();
      }
    }
  }

  /** Reads the clock once (kept in `clockReadNs` for the wait) and says what the paced loop does next. */
  private nextPacedStep(): PacedStep {
    const due = this.scheduledNs();
    const now = this.clock.nowNanos();
    this.clockReadNs = now;
    if (needsTimerSleep(this.clock, due, now)) return PacedStep.Sleep;
    return this.mayYieldBefore(due, now) ? PacedStep.Yield : PacedStep.Send;
  }

  /**
   * Sends the datagram in hand at its time, with the packets due by then. The first packet is
   * put in the batch before the wait, so the syscall follows the deadline at once.
   */
  private sendWhenDue(): boolean {
    const clock = this.clock;
    const batchSize = this.sender.batchSize;
    const scheduledNs = this.batchScheduledNs;
    const due = this.scheduledNs();
    scheduledNs[0] = due;
    let pending = this.addToBatch(0);
    let count = 1;
    const readyNs = waitShortly(clock, due, this.clockReadNs);
    while (pending && count < batchSize) {
      const scheduled = this.scheduledNs();
      if (scheduled > readyNs) break;
      scheduledNs[count] = scheduled;
      pending = this.addToBatch(count++);
    }
    this.flushBatch(count);
    const sentNs = clock.nowNanos();
    this.recordPacingErrors(count, sentNs);
    this.sendDurations.recordValue(clampError(sentNs - readyNs));
    return pending;
  }

  /** Actual - scheduled send time of the batch just sent, which left at `sentNs`. */
  private recordPacingErrors(count: number, sentNs: number): void {
    const scheduledNs = this.batchScheduledNs;
    for (let i = 0; i < count; i++) this.pacingErrors.recordValue(clampError(sentNs - scheduledNs[i]!));
  }

  /**
   * Whether to turn the event loop (signals, progress) now: when it is due and the next send is
   * far enough away for the turn not to make it late, or when it is long overdue.
   */
  private mayYieldBefore(dueNs: number, now: number): boolean {
    const sinceYield = now - this.lastYieldNs;
    return (sinceYield >= YIELD_INTERVAL_NS && dueNs - now >= YIELD_ROOM_NS) || sinceYield >= MAX_YIELD_INTERVAL_NS;
  }

  private async sendAtFullSpeed(onProgress: ((stats: ReplayStats) => void) | undefined): Promise<void> {
    const batchSize = this.sender.batchSize;
    let pending = true;
    while (pending && !this.stopRequested) {
      let count = 0;
      do pending = this.addToBatch(count++);
      while (pending && count < batchSize);
      this.countBatch(this.sender.sendSegmented(this.reader.bytes, count), count);
      if (this.clock.nowNanos() - this.lastYieldNs >= YIELD_INTERVAL_NS) await this.yieldNow(onProgress);
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
    this.lastYieldNs = this.clock.nowNanos();
  }

  private reportProgress(onProgress: ((stats: ReplayStats) => void) | undefined): void {
    if (onProgress === undefined) return;
    this.stats.elapsedNs = this.clock.nowNanos() - this.startNs;
    onProgress(this.stats);
  }
}

function buildNanosHistogram(): hdr.Histogram {
  return hdr.build({
    bitBucketSize: 32,
    autoResize: false,
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_NANOS,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

function summarize(histogram: hdr.Histogram): PacingErrorSummary {
  return {
    count: histogram.totalCount,
    p50Nanos: histogram.getValueAtPercentile(50),
    p99Nanos: histogram.getValueAtPercentile(99),
    maxNanos: histogram.maxValue,
  };
}

/** The histogram takes positive integers; a packet is never sent early, so 0 means on time. */
function clampError(errorNanos: number): number {
  if (errorNanos < 1) return 1;
  return errorNanos > HIGHEST_TRACKABLE_NANOS ? HIGHEST_TRACKABLE_NANOS : Math.round(errorNanos);
}
