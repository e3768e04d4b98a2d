/**
 * One direction of the backtest's order path: frames go in at the recorded time they are sent
 * and come out, first in first out, once the clock reaches that time plus the latency. A frame
 * is copied in (the sender's buffer is reused at once) from an offset of the caller's region.
 *
 * Storage is one byte array and three parallel arrays of frame facts, used from `head` to
 * `tail`; when the end is reached the live part moves to the front, and only a backlog larger
 * than everything before it makes the arrays grow (doubling). Times stay in typed arrays and in
 * the clock object: a time passed to or returned from a call would be boxed.
 */
import { copyBytes } from './copy-bytes.js';
import type { RecordedClock } from './recorded-clock.js';

const INITIAL_BYTES = 64 * 1024;
const INITIAL_FRAMES = 1024;

export class FrameDelayLine {
  bytes = new Uint8Array(INITIAL_BYTES);
  view = new DataView(this.bytes.buffer);
  /** Recorded ns at which each frame arrives. */
  dueNanos = new Float64Array(INITIAL_FRAMES);
  offsets = new Int32Array(INITIAL_FRAMES);
  lengths = new Int32Array(INITIAL_FRAMES);
  /** Index of the next frame to come out; frames are `head .. tail-1`. */
  head = 0;
  tail = 0;
  private writeOffset = 0;

  constructor(
    private readonly clock: RecordedClock,
    readonly latencyNanos: number,
  ) {
    if (!(latencyNanos >= 0 && Number.isFinite(latencyNanos))) throw new RangeError(`latency must be >= 0 ns: latencyNanos=${latencyNanos}`);
  }

  get isEmpty(): boolean {
    return this.head === this.tail;
  }

  /** Sends `length` bytes of `source` from `offset` at the clock's time: they arrive latency later. */
  push(source: DataView, offset: number, length: number): void {
    if (this.tail === this.dueNanos.length || this.writeOffset + length > this.bytes.length) this.makeRoom(length);
    const at = this.writeOffset;
    copyBytes(source, offset, this.view, at, length);
    const frame = this.tail++;
    this.dueNanos[frame] = this.clock.nanos + this.latencyNanos;
    this.offsets[frame] = at;
    this.lengths[frame] = length;
    this.writeOffset = at + length;
  }

  /** Drops the frame at `head` (after its receiver read it at offsets[head]). */
  pop(): void {
    this.head++;
    if (this.head === this.tail) {
      this.head = 0;
      this.tail = 0;
      this.writeOffset = 0;
    }
  }

  private makeRoom(length: number): void {
    const liveFrames = this.tail - this.head;
    const liveStart = liveFrames === 0 ? this.writeOffset : this.offsets[this.head]!;
    const liveBytes = this.writeOffset - liveStart;
    const frameCapacity = liveFrames + 1 > this.dueNanos.length / 2 ? this.dueNanos.length * 2 : this.dueNanos.length;
    let byteCapacity = this.bytes.length;
    while (liveBytes + length > byteCapacity / 2) byteCapacity *= 2;
    const bytes = byteCapacity === this.bytes.length ? this.bytes : new Uint8Array(byteCapacity);
    if (bytes === this.bytes) bytes.copyWithin(0, liveStart, this.writeOffset);
    else bytes.set(this.bytes.subarray(liveStart, this.writeOffset), 0);
    this.moveFrames(frameCapacity, liveStart);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer);
    this.writeOffset = liveBytes;
  }

  /** Moves the live frames' facts to index 0 (into larger arrays when asked), rebasing their offsets. */
  private moveFrames(frameCapacity: number, liveStart: number): void {
    const count = this.tail - this.head;
    const dueNanos = frameCapacity === this.dueNanos.length ? this.dueNanos : new Float64Array(frameCapacity);
    const offsets = frameCapacity === this.offsets.length ? this.offsets : new Int32Array(frameCapacity);
    const lengths = frameCapacity === this.lengths.length ? this.lengths : new Int32Array(frameCapacity);
    for (let i = 0; i < count; i++) {
      const from = this.head + i;
      dueNanos[i] = this.dueNanos[from]!;
      offsets[i] = this.offsets[from]! - liveStart;
      lengths[i] = this.lengths[from]!;
    }
    this.dueNanos = dueNanos;
    this.offsets = offsets;
    this.lengths = lengths;
    this.head = 0;
    this.tail = count;
  }
}
