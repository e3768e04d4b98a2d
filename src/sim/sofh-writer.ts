/**
 * Frames outgoing order entry messages behind a SOFH header (src/feed/framing/sofh.ts) in one
 * growable buffer, so everything a read produces leaves in one socket write.
 */
import {
  SOFH_ENCODING_CME_SBE,
  SOFH_ENCODING_TYPE_OFFSET,
  SOFH_HEADER_LENGTH,
  SOFH_MESSAGE_LENGTH_OFFSET,
} from '../feed/framing/sofh.js';

/** Grow in whole pages, as undici does for its parser buffer. */
const GROWTH_STEP = 4096;

export class SofhWriter {
  buffer: Buffer;
  view: DataView;
  /** Bytes of complete frames waiting to be sent. */
  length = 0;

  constructor(initialCapacity = GROWTH_STEP) {
    this.buffer = Buffer.alloc(initialCapacity);
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
  }

  /**
   * Makes room for a message of up to `maxMessageLength` bytes (SBE header and body) and returns
   * the offset to encode it at; `commit` then frames it.
   */
  begin(maxMessageLength: number): number {
    const needed = this.length + SOFH_HEADER_LENGTH + maxMessageLength;
    if (needed > this.buffer.byteLength) this.grow(needed);
    return this.length + SOFH_HEADER_LENGTH;
  }

  commit(messageLength: number): void {
    const frameLength = SOFH_HEADER_LENGTH + messageLength;
    this.view.setUint16(this.length + SOFH_MESSAGE_LENGTH_OFFSET, frameLength, true);
    this.view.setUint16(this.length + SOFH_ENCODING_TYPE_OFFSET, SOFH_ENCODING_CME_SBE, true);
    this.length += frameLength;
  }

  /** The pending frames (a view: valid until the next write) and forgets them. */
  take(): Buffer {
    const frames = this.buffer.subarray(0, this.length);
    this.length = 0;
    return frames;
  }

  private grow(needed: number): void {
    const grown = Buffer.alloc(Math.ceil(needed / GROWTH_STEP) * GROWTH_STEP * 2);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}
