/**
 * Keeps the backtest's order stream (order-stream-layout.ts): a SHA-256 of it always, so a
 * summary names the run's orders and fills in one value, and the bytes themselves in a file when
 * asked. Records are built in one preallocated buffer, hashed and written whole when it fills
 * and at close: nothing is allocated per frame.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import {
  ORDER_STREAM_RECORD_DIRECTION_OFFSET,
  ORDER_STREAM_RECORD_FRAME_LENGTH_OFFSET,
  ORDER_STREAM_RECORD_HEADER_LENGTH,
  ORDER_STREAM_RECORD_RESERVED_OFFSET,
  ORDER_STREAM_RECORD_SENT_AT_OFFSET,
  orderStreamFrameOffset,
} from './order-stream-layout.js';
import { copyBytes } from './copy-bytes.js';
import type { RecordedClock } from './recorded-clock.js';

const BUFFER_BYTES = 1 << 20;
const TWO_TO_32 = 0x1_0000_0000;

export class OrderStreamLog {
  /** Frames logged, and their bytes (record headers included). */
  frames = 0;
  bytes = 0;
  private readonly buffer = Buffer.alloc(BUFFER_BYTES);
  private readonly view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  private readonly hash: Hash = createHash('sha256');
  private length = 0;
  private fd: number | undefined;
  private sha256: string | undefined;

  constructor(
    private readonly clock: RecordedClock,
    /** Where the stream is written; none: only hashed. */
    readonly path?: string,
  ) {
    if (path !== undefined) this.fd = openSync(path, 'w');
  }

  /** One frame sent now in `direction`: `length` bytes of `source` from `offset`. */
  append(direction: number, source: DataView, offset: number, length: number): void {
    if (this.length + ORDER_STREAM_RECORD_HEADER_LENGTH + length > BUFFER_BYTES) this.flush();
    const view = this.view;
    const record = this.length;
    const sentAt = this.clock.nanos;
    view.setUint32(record + ORDER_STREAM_RECORD_SENT_AT_OFFSET, sentAt % TWO_TO_32, true);
    view.setUint32(record + ORDER_STREAM_RECORD_SENT_AT_OFFSET + 4, Math.floor(sentAt / TWO_TO_32), true);
    view.setUint8(record + ORDER_STREAM_RECORD_DIRECTION_OFFSET, direction);
    view.setUint8(record + ORDER_STREAM_RECORD_RESERVED_OFFSET, 0);
    view.setUint16(record + ORDER_STREAM_RECORD_FRAME_LENGTH_OFFSET, length, true);
    const frame = orderStreamFrameOffset(record);
    copyBytes(source, offset, view, frame, length);
    this.length = frame + length;
    this.frames++;
    this.bytes += ORDER_STREAM_RECORD_HEADER_LENGTH + length;
  }

  /** Hex SHA-256 of everything appended; the log takes no more frames after this. */
  digest(): string {
    this.flush();
    this.sha256 ??= this.hash.digest('hex');
    return this.sha256;
  }

  close(): void {
    this.digest();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private flush(): void {
    if (this.length === 0) return;
    const records = this.buffer.subarray(0, this.length);
    this.hash.update(records);
    if (this.fd !== undefined) for (let written = 0; written < records.length; ) written += writeSync(this.fd, records, written);
    this.length = 0;
  }
}
