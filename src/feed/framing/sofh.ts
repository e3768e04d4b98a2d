/**
 * Simple Open Framing Header, in the 4-byte little-endian form CME iLink 3 and B3's binary
 * entrypoint put in front of each SBE message on a stream:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------+-------------------------------+
 * |  Message_Length (u16, LE)     |  Encoding_Type (u16, LE)      |  0
 * +-------------------------------+-------------------------------+
 * |        SBE message header + body ...                          |  4
 *
 * Message_Length counts the 4-byte header too. There is no packet header: a datagram (or a
 * stream buffer) is just frames back to back.
 *
 * Byte order, on purpose: the FIX SOFH standard itself is a 6-byte header in network byte order
 * (u32 length, u16 encoding type; SBE 1.0 little-endian is 0xEB50). The venues this gateway
 * talks to do not use that form: CME iLink 3 writes u16 length + u16 0xCAFE, both
 * little-endian, and B3 writes u16 length + u16 0xEB50, little-endian (as real-logic/artio's
 * SimpleOpenFramingHeader does for both). We read that form and accept either encoding type.
 */
import { FrameCursor, type FramingLayout } from './framing.js';

export const SOFH_MESSAGE_LENGTH_OFFSET = 0;
export const SOFH_ENCODING_TYPE_OFFSET = 2;
export const SOFH_HEADER_LENGTH = 4;
/** CME iLink 3's encoding type for its little-endian SBE. */
export const SOFH_ENCODING_CME_SBE = 0xcafe;
/** The FIX-registered encoding type of SBE 1.0 little-endian (B3 uses it too). */
export const SOFH_ENCODING_SBE_LITTLE_ENDIAN = 0xeb50;

export const SOFH_LAYOUT: FramingLayout = {
  name: 'sofh',
  packetHeaderLength: 0,
  frameHeaderLength: SOFH_HEADER_LENGTH,
  sizeFieldName: 'Message_Length',
  sizeOffset: SOFH_MESSAGE_LENGTH_OFFSET,
  encodingTypeOffset: SOFH_ENCODING_TYPE_OFFSET,
  encodingType: SOFH_ENCODING_CME_SBE,
  alternateEncodingType: SOFH_ENCODING_SBE_LITTLE_ENDIAN,
};

export function sofhMessageLength(view: DataView, frameOffset: number): number {
  return view.getUint16(frameOffset + SOFH_MESSAGE_LENGTH_OFFSET, true);
}

export function sofhEncodingType(view: DataView, frameOffset: number): number {
  return view.getUint16(frameOffset + SOFH_ENCODING_TYPE_OFFSET, true);
}

/** A cursor over SOFH-framed messages; create one and reuse it. */
export function createSofhCursor(): FrameCursor {
  return new FrameCursor(SOFH_LAYOUT);
}
