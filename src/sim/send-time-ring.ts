/**
 * When each feed packet left, by MsgSeqNum: the start of the tick-to-trade measurement. A ring
 * indexed by the low bits of the sequence number, with the sequence number stored beside the
 * time so a lookup of a packet the ring has already forgotten (or never sent) is recognised.
 */
export const DEFAULT_SEND_TIME_CAPACITY = 1 << 16;

export class SendTimeRing {
  private readonly seqNums: Float64Array;
  private readonly sendTimes: Float64Array;
  private readonly mask: number;

  constructor(readonly capacity: number = DEFAULT_SEND_TIME_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity <= 0 || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`send time ring capacity must be a power of 2: capacity=${capacity}`);
    }
    this.seqNums = new Float64Array(capacity).fill(-1);
    this.sendTimes = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  record(seqNum: number, sendTimeNanos: number): void {
    const slot = seqNum & this.mask;
    this.seqNums[slot] = seqNum;
    this.sendTimes[slot] = sendTimeNanos;
  }

  /** The send time of packet `seqNum`, or NaN when the ring does not hold it. */
  sendTime(seqNum: number): number {
    const slot = seqNum & this.mask;
    return this.seqNums[slot] === seqNum ? this.sendTimes[slot]! : Number.NaN;
  }
}
