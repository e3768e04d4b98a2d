/**
 * Sequencing of one channel: A/B line arbitration, reordering and gap detection on the MDP 3.0
 * packet header's MsgSeqNum. Both lines' sources feed the same Sequencer; it hands each packet
 * on exactly once, in MsgSeqNum order, to the downstream handler.
 *
 *  - The first copy of a packet wins, whichever line brings it; a later copy of a packet already
 *    handed on is dropped and counted (duplicates), as is a copy of a packet already declared
 *    lost (lateCopies).
 *  - A packet that arrives ahead of a hole is copied into the reorder window (its source memory
 *    is only valid during the call) and handed on once the hole fills.
 *  - MsgSeqNum 1, more than the window behind and more than a second after this sequence
 *    began, is the channel starting over (a publisher restart, a replay loop), not the other
 *    line's late copy (lines lag by microseconds): the sequence restarts there.
 *  - A hole is declared lost when a packet more than `reorderWindowPackets` past it arrives, or
 *    when the first packet held behind it has waited `reorderWindowMicros` (measured on the
 *    receive timestamps, or by `expire(now)` when the line goes quiet). The listener then gets a
 *    GapEvent and the held packets after the hole are handed on.
 *
 * Everything is preallocated: the window is one byte array of fixed slots, indexed by
 * MsgSeqNum modulo the window size.
 */
import { ReceiveTime, type DatagramHandler } from './datagram.js';
import type { FeedCounters } from './feed-counters.js';
import { MDP3_MSG_SEQ_NUM_OFFSET } from './framing/mdp3.js';
import type { GapEvent } from './market-data.js';

export interface GapListener {
  onGap(gap: GapEvent): void;
}

export interface SequencerOptions {
  /** Packets held past a hole before it is declared lost. Default 16. */
  reorderWindowPackets?: number;
  /** How long the first packet held past a hole waits before the hole is declared lost. Default 1000 us. */
  reorderWindowMicros?: number;
  /** Largest datagram the window can hold. Default 2048 (MDP 3.0 packets are at most 1420 bytes). */
  maxDatagramLength?: number;
}

const DEFAULT_REORDER_WINDOW_PACKETS = 16;
const DEFAULT_REORDER_WINDOW_MICROS = 1000;
const DEFAULT_MAX_DATAGRAM_LENGTH = 2048;
/** Recent gaps remembered to tell a late copy from a duplicate. */
const REMEMBERED_GAPS = 16;
const EMPTY_SLOT = -1;
const SEQ_NUM_LENGTH = 4;
/** MsgSeqNum starts at 1: 0 means no packet seen yet. */
const NOT_STARTED = 0;
const FIRST_SEQ_NUM = 1;
/** How old a sequence must be before a MsgSeqNum 1 restarts it rather than counting as a late copy. */
const RESTART_MIN_AGE_NANOS = 1_000_000_000;

class ChannelGap implements GapEvent {
  fromSeqNum = 0;
  toSeqNum = 0;
  totalLost = 0;
}

export class Sequencer implements DatagramHandler {
  readonly reorderWindowPackets: number;
  readonly reorderWindowNanos: number;
  readonly maxDatagramLength: number;
  /** The MsgSeqNum to hand on next (0 before the first packet). */
  expectedSeqNum = NOT_STARTED;
  private readonly downstream: DatagramHandler & GapListener;
  private readonly counters: FeedCounters;
  private readonly gap = new ChannelGap();
  // The reorder window: slot = seqNum % reorderWindowPackets.
  private readonly heldBytes: Uint8Array;
  private readonly heldView: DataView;
  private readonly heldSeqNums: Float64Array;
  private readonly heldLengths: Int32Array;
  private readonly heldReceiveTimes: Float64Array;
  private readonly heldLines: Uint8Array;
  /** The receive time of a held packet as it is handed on. */
  private readonly heldReceived = new ReceiveTime();
  private heldCount = 0;
  /** Receive time of the first packet of the current sequence. */
  private sequenceStartNanos = 0;
  /** Receive time of the first packet held behind the current hole. */
  private holeSinceNanos = 0;
  // Recent gaps as [from, to] pairs, a ring.
  private readonly recentGaps = new Float64Array(REMEMBERED_GAPS * 2);
  private recentGapCount = 0;

  constructor(downstream: DatagramHandler & GapListener, counters: FeedCounters, options: SequencerOptions = {}) {
    this.downstream = downstream;
    this.counters = counters;
    this.reorderWindowPackets = positiveInteger('reorderWindowPackets', options.reorderWindowPackets ?? DEFAULT_REORDER_WINDOW_PACKETS);
    this.reorderWindowNanos = positiveInteger('reorderWindowMicros', options.reorderWindowMicros ?? DEFAULT_REORDER_WINDOW_MICROS) * 1000;
    this.maxDatagramLength = positiveInteger('maxDatagramLength', options.maxDatagramLength ?? DEFAULT_MAX_DATAGRAM_LENGTH);
    const slots = this.reorderWindowPackets;
    this.heldBytes = new Uint8Array(slots * this.maxDatagramLength);
    this.heldView = new DataView(this.heldBytes.buffer);
    this.heldSeqNums = new Float64Array(slots).fill(EMPTY_SLOT);
    this.heldLengths = new Int32Array(slots);
    this.heldReceiveTimes = new Float64Array(slots);
    this.heldLines = new Uint8Array(slots);
  }

  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    const counters = this.counters;
    if (line === 0) counters.lineAPackets++;
    else counters.lineBPackets++;
    if (length < SEQ_NUM_LENGTH) {
      counters.unsequenced++;
      this.downstream.onDatagram(view, offset, length, received, line);
      return;
    }
    const seqNum = view.getUint32(offset + MDP3_MSG_SEQ_NUM_OFFSET, true);
    if (seqNum === FIRST_SEQ_NUM && this.isRestart(received)) {
      counters.sequenceResets++;
      this.reset();
    }
    if (this.expectedSeqNum === NOT_STARTED) {
      this.expectedSeqNum = seqNum;
      this.sequenceStartNanos = received.nanos;
    }
    if (seqNum < this.expectedSeqNum) {
      if (this.wasDeclaredLost(seqNum)) counters.lateCopies++;
      else counters.duplicates++;
      return;
    }
    // Too far ahead to hold: the holes before the window's reach are lost now.
    while (seqNum - this.expectedSeqNum > this.reorderWindowPackets) {
      if (this.heldCount === 0) this.declareLost(this.expectedSeqNum, seqNum - 1);
      else this.declareHoleLost();
    }
    if (seqNum === this.expectedSeqNum) {
      this.handOn(view, offset, length, received, line);
      this.handOnHeld();
    } else {
      this.hold(view, offset, length, received, line, seqNum);
    }
    // Only while holding: passed as a number, the time is boxed unless V8 inlines expire().
    if (this.heldCount !== 0) this.expire(received.nanos);
  }

  /** True while packets wait behind a hole: only then has expire() anything to do. */
  get holding(): boolean {
    return this.heldCount !== 0;
  }

  /** Declares lost the hole whose first held packet has waited the reorder window by `nowNanos`; call it when the lines go quiet. */
  expire(nowNanos: number): void {
    while (this.heldCount !== 0 && nowNanos - this.holeSinceNanos >= this.reorderWindowNanos) {
      this.declareHoleLost();
      this.holeSinceNanos = nowNanos;
    }
  }

  /** Forgets the sequence (a channel restarting its MsgSeqNum): the next packet starts it again. */
  reset(): void {
    this.expectedSeqNum = NOT_STARTED;
    this.heldSeqNums.fill(EMPTY_SLOT);
    this.heldCount = 0;
  }

  private isRestart(received: ReceiveTime): boolean {
    return this.expectedSeqNum - FIRST_SEQ_NUM > this.reorderWindowPackets && received.nanos - this.sequenceStartNanos > RESTART_MIN_AGE_NANOS;
  }

  private handOn(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    this.expectedSeqNum++;
    this.downstream.onDatagram(view, offset, length, received, line);
  }

  /** Hands on the held packets that now follow in order. */
  private handOnHeld(): void {
    const slots = this.reorderWindowPackets;
    while (this.heldCount !== 0) {
      const slot = this.expectedSeqNum % slots;
      if (this.heldSeqNums[slot] !== this.expectedSeqNum) return;
      this.heldSeqNums[slot] = EMPTY_SLOT;
      this.heldCount--;
      this.heldReceived.nanos = this.heldReceiveTimes[slot]!;
      this.handOn(this.heldView, slot * this.maxDatagramLength, this.heldLengths[slot]!, this.heldReceived, this.heldLines[slot]!);
    }
  }

  private hold(view: DataView, offset: number, length: number, received: ReceiveTime, line: number, seqNum: number): void {
    const slot = seqNum % this.reorderWindowPackets;
    if (this.heldSeqNums[slot] === seqNum) {
      this.counters.duplicates++;
      return;
    }
    if (length > this.maxDatagramLength) {
      // Cannot be kept: it will be declared lost with its hole, as if it had not come.
      this.counters.reorderOverflow++;
      return;
    }
    copyBytes(view, offset, length, this.heldView, slot * this.maxDatagramLength);
    this.heldSeqNums[slot] = seqNum;
    this.heldLengths[slot] = length;
    this.heldReceiveTimes[slot] = received.nanos;
    this.heldLines[slot] = line;
    if (this.heldCount === 0) this.holeSinceNanos = received.nanos;
    this.heldCount++;
    this.counters.reordered++;
  }

  /** The hole at expectedSeqNum is lost up to the first held packet, which is handed on with those after it. */
  private declareHoleLost(): void {
    const slots = this.reorderWindowPackets;
    let firstHeld = this.expectedSeqNum + 1;
    while (this.heldSeqNums[firstHeld % slots] !== firstHeld) firstHeld++;
    this.declareLost(this.expectedSeqNum, firstHeld - 1);
    this.handOnHeld();
  }

  private declareLost(fromSeqNum: number, toSeqNum: number): void {
    const lost = toSeqNum - fromSeqNum + 1;
    const counters = this.counters;
    counters.gaps++;
    counters.lostPackets += lost;
    this.expectedSeqNum = toSeqNum + 1;
    const slot = (this.recentGapCount++ % REMEMBERED_GAPS) * 2;
    this.recentGaps[slot] = fromSeqNum;
    this.recentGaps[slot + 1] = toSeqNum;
    const gap = this.gap;
    gap.fromSeqNum = fromSeqNum;
    gap.toSeqNum = toSeqNum;
    gap.totalLost = counters.lostPackets;
    this.downstream.onGap(gap);
  }

  private wasDeclaredLost(seqNum: number): boolean {
    const remembered = Math.min(this.recentGapCount, REMEMBERED_GAPS) * 2;
    for (let index = 0; index < remembered; index += 2) {
      if (seqNum >= this.recentGaps[index]! && seqNum <= this.recentGaps[index + 1]!) return true;
    }
    return false;
  }
}

/** Out-of-order packets are rare: a plain copy loop allocates nothing, where a subarray per packet would. */
function copyBytes(source: DataView, sourceOffset: number, length: number, target: DataView, targetOffset: number): void {
  let index = 0;
  for (; index + 4 <= length; index += 4) target.setUint32(targetOffset + index, source.getUint32(sourceOffset + index));
  for (; index < length; index++) target.setUint8(targetOffset + index, source.getUint8(sourceOffset + index));
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer: ${name}=${value}`);
  return value;
}
