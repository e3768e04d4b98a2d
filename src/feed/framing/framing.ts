/**
 * What the three framings (mdp3.ts, sofh.ts, b3.ts) have in common: a datagram is an optional
 * fixed packet header followed by messages, each behind a small frame header whose first field
 * is a little-endian u16 counting the whole frame (frame header included). They differ only in
 * the lengths and in whether the frame header carries an encoding type, so one cursor walks all
 * three, driven by a `FramingLayout` that each descriptor module declares.
 *
 * The cursor is for the hot path: wrap it over a datagram, call `next()` until it stops; it
 * allocates nothing, and bad input comes back as a negative result code with the offending
 * offset and value kept on the cursor, never as an exception. `describeFrameError` turns those
 * into a sentence on the cold path.
 */

/** `next()`: a message is ready at `messageOffset`/`messageLength`. */
export const FRAME_MESSAGE = 1;
/** `wrap()` succeeded, or `next()` found the datagram used up exactly. */
export const FRAME_END = 0;
/** The datagram is shorter than the packet header. */
export const FRAME_ERR_SHORT_PACKET = -1;
/** Bytes remain after the last message, but fewer than a frame header. */
export const FRAME_ERR_SHORT_FRAME_HEADER = -2;
/** A frame's size field is smaller than the frame header it is part of. */
export const FRAME_ERR_SIZE_TOO_SMALL = -3;
/** A frame's size field runs past the end of the datagram. */
export const FRAME_ERR_SIZE_OVERRUN = -4;
/** The frame header names an encoding this framing does not carry (not little-endian SBE). */
export const FRAME_ERR_ENCODING_TYPE = -5;

export type FrameResult =
  | typeof FRAME_MESSAGE
  | typeof FRAME_END
  | typeof FRAME_ERR_SHORT_PACKET
  | typeof FRAME_ERR_SHORT_FRAME_HEADER
  | typeof FRAME_ERR_SIZE_TOO_SMALL
  | typeof FRAME_ERR_SIZE_OVERRUN
  | typeof FRAME_ERR_ENCODING_TYPE;

/** No encoding type field in the frame header. */
export const NO_ENCODING_TYPE_FIELD = -1;

export interface FramingLayout {
  /** Used in error messages: 'mdp3', 'sofh', 'b3'. */
  readonly name: string;
  readonly packetHeaderLength: number;
  readonly frameHeaderLength: number;
  /** What the size field is called in the protocol's own documents (MsgSize, messageLength). */
  readonly sizeFieldName: string;
  readonly sizeOffset: number;
  /** Offset of the u16 encoding type within the frame header, or NO_ENCODING_TYPE_FIELD. */
  readonly encodingTypeOffset: number;
  /** The encoding types accepted; the second may repeat the first when only one is. */
  readonly encodingType: number;
  readonly alternateEncodingType: number;
}

export class FrameCursor {
  readonly layout: FramingLayout;
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Offset of the packet header (= the datagram's start); packet header readers take this. */
  packetOffset = 0;
  /** End of the datagram (exclusive). */
  limit = 0;
  /** Offset of the current frame header, and of the SBE message behind it. */
  frameOffset = 0;
  messageOffset = 0;
  messageLength = 0;
  /** After an error: the code, where it was found and the bad value (a size or encoding type). */
  errorCode: FrameResult = FRAME_END;
  errorOffset = 0;
  errorValue = 0;
  private position = 0;

  constructor(layout: FramingLayout) {
    this.layout = layout;
  }

  /** Starts on a datagram of `length` bytes at `offset`; FRAME_END when its packet header fits. */
  wrap(view: DataView, offset: number, length: number): FrameResult {
    this.view = view;
    this.packetOffset = offset;
    this.limit = offset + length;
    this.position = offset + this.layout.packetHeaderLength;
    this.messageLength = 0;
    if (length < this.layout.packetHeaderLength) return this.fail(FRAME_ERR_SHORT_PACKET, offset, length);
    this.errorCode = FRAME_END;
    return FRAME_END;
  }

  /** Moves to the next message: FRAME_MESSAGE, FRAME_END at the exact end, or an error (< 0). */
  next(): FrameResult {
    const layout = this.layout;
    const view = this.view;
    const frameOffset = this.position;
    const remaining = this.limit - frameOffset;
    if (remaining <= 0) return FRAME_END;
    if (remaining < layout.frameHeaderLength) return this.fail(FRAME_ERR_SHORT_FRAME_HEADER, frameOffset, remaining);
    const frameSize = view.getUint16(frameOffset + layout.sizeOffset, true);
    if (frameSize < layout.frameHeaderLength) return this.fail(FRAME_ERR_SIZE_TOO_SMALL, frameOffset, frameSize);
    if (frameSize > remaining) return this.fail(FRAME_ERR_SIZE_OVERRUN, frameOffset, frameSize);
    if (layout.encodingTypeOffset !== NO_ENCODING_TYPE_FIELD) {
      const encodingType = view.getUint16(frameOffset + layout.encodingTypeOffset, true);
      if (encodingType !== layout.encodingType && encodingType !== layout.alternateEncodingType) {
        return this.fail(FRAME_ERR_ENCODING_TYPE, frameOffset, encodingType);
      }
    }
    this.frameOffset = frameOffset;
    this.messageOffset = frameOffset + layout.frameHeaderLength;
    this.messageLength = frameSize - layout.frameHeaderLength;
    this.position = frameOffset + frameSize;
    return FRAME_MESSAGE;
  }

  /** Records an error and stops the datagram: after a bad size nothing further can be located. */
  private fail(code: FrameResult, offset: number, value: number): FrameResult {
    this.errorCode = code;
    this.errorOffset = offset;
    this.errorValue = value;
    this.position = this.limit;
    return code;
  }
}

/** The cursor's last error as a sentence naming the byte offset (cold path: allocates a string). */
export function describeFrameError(cursor: FrameCursor): string {
  const { layout, errorOffset, errorValue, limit } = cursor;
  const at = `at byte offset ${errorOffset}`;
  switch (cursor.errorCode) {
    case FRAME_ERR_SHORT_PACKET:
      return `${layout.name} packet of ${errorValue} bytes is shorter than its ${layout.packetHeaderLength}-byte packet header ${at}`;
    case FRAME_ERR_SHORT_FRAME_HEADER:
      return `${layout.name}: ${errorValue} trailing bytes are too few for a ${layout.frameHeaderLength}-byte message header ${at}`;
    case FRAME_ERR_SIZE_TOO_SMALL:
      return `${layout.name}: ${layout.sizeFieldName} ${errorValue} is smaller than its own ${layout.frameHeaderLength}-byte header ${at}`;
    case FRAME_ERR_SIZE_OVERRUN:
      return `${layout.name}: ${layout.sizeFieldName} ${errorValue} runs past the end of the datagram (${limit - errorOffset} bytes left) ${at}`;
    case FRAME_ERR_ENCODING_TYPE:
      return `${layout.name}: encoding type 0x${errorValue.toString(16)} is not little-endian SBE ${at}`;
    default:
      return `${layout.name}: no error`;
  }
}
