/**
 * Walks the order entry messages in a run of SOFH frames, as each end of the backtest's order
 * path receives them: for each message, its template and where its block is, ready for the
 * generated decoder's wrap(view, body, blockLength, version, end). One reusable cursor, no
 * allocation per frame.
 */
import { FRAME_MESSAGE } from '../feed/framing/framing.js';
import { createSofhCursor } from '../feed/framing/sofh.js';
import { MessageHeaderDecoder } from '../generated/order-entry/index.js';

const SBE_HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

export class OrderEntryMessages {
  templateId = 0;
  blockLength = 0;
  version = 0;
  /** Offset of the message block (after the SBE header), and of the message's end. */
  body = 0;
  end = 0;
  /** Messages too short for their SBE header: skipped. */
  malformed = 0;
  private readonly cursor = createSofhCursor();
  private readonly header = new MessageHeaderDecoder();
  /** The region being walked. */
  view: DataView = new DataView(new ArrayBuffer(0));

  wrap(view: DataView, offset: number, length: number): this {
    this.view = view;
    this.cursor.wrap(view, offset, length);
    return this;
  }

  /** Moves to the next message; false when there is none. */
  next(): boolean {
    const cursor = this.cursor;
    while (cursor.next() === FRAME_MESSAGE) {
      if (cursor.messageLength < SBE_HEADER_LENGTH) {
        this.malformed++;
        continue;
      }
      const header = this.header.wrap(this.view, cursor.messageOffset);
      this.templateId = header.templateId();
      this.blockLength = header.blockLength();
      this.version = header.version();
      this.body = cursor.messageOffset + SBE_HEADER_LENGTH;
      this.end = cursor.messageOffset + cursor.messageLength;
      return true;
    }
    return false;
  }
}
