/**
 * B3 UMDF (market data, SBE) packet framing, as it arrives in each UDP datagram.
 *
 * Packet header (16 bytes), then messages, each behind a 4-byte framing header:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * | channelNumber |   reserved    |     sequenceVersion (u16)     |  0
 * +---------------+---------------+-------------------------------+
 * |                     sequenceNumber (u32)                      |  4
 * +---------------------------------------------------------------+
 * |                                                               |  8
 * +                sendingTime (u64, ns since epoch)              +
 * |                                                               |
 * +-------------------------------+-------------------------------+
 * |     messageLength (u16)       |     encodingType (u16)        |  16
 * +-------------------------------+-------------------------------+
 * |        SBE message header + body ...                          |  20
 *
 * All fields little-endian. messageLength counts the 4-byte framing header; encodingType is
 * 0xEB50 (SBE 1.0 little-endian).
 */
import { getUint64AsNumber } from '../../sbe/runtime/int64.js';
import { FrameCursor, type FramingLayout } from './framing.js';

export const B3_CHANNEL_NUMBER_OFFSET = 0;
export const B3_RESERVED_OFFSET = 1;
export const B3_SEQUENCE_VERSION_OFFSET = 2;
export const B3_SEQUENCE_NUMBER_OFFSET = 4;
export const B3_SENDING_TIME_OFFSET = 8;
export const B3_PACKET_HEADER_LENGTH = 16;
export const B3_MESSAGE_LENGTH_OFFSET = 0;
export const B3_ENCODING_TYPE_OFFSET = 2;
export const B3_FRAMING_HEADER_LENGTH = 4;
export const B3_ENCODING_SBE_LITTLE_ENDIAN = 0xeb50;

export const B3_LAYOUT: FramingLayout = {
  name: 'b3',
  packetHeaderLength: B3_PACKET_HEADER_LENGTH,
  frameHeaderLength: B3_FRAMING_HEADER_LENGTH,
  sizeFieldName: 'messageLength',
  sizeOffset: B3_MESSAGE_LENGTH_OFFSET,
  encodingTypeOffset: B3_ENCODING_TYPE_OFFSET,
  encodingType: B3_ENCODING_SBE_LITTLE_ENDIAN,
  alternateEncodingType: B3_ENCODING_SBE_LITTLE_ENDIAN,
};

export function b3ChannelNumber(view: DataView, packetOffset: number): number {
  return view.getUint8(packetOffset + B3_CHANNEL_NUMBER_OFFSET);
}

export function b3SequenceVersion(view: DataView, packetOffset: number): number {
  return view.getUint16(packetOffset + B3_SEQUENCE_VERSION_OFFSET, true);
}

export function b3SequenceNumber(view: DataView, packetOffset: number): number {
  return view.getUint32(packetOffset + B3_SEQUENCE_NUMBER_OFFSET, true);
}

/** sendingTime as a number: exact to ~256 ns only (nanoseconds since 1970 exceed 2^53). */
export function b3SendingTime(view: DataView, packetOffset: number): number {
  return getUint64AsNumber(view, packetOffset + B3_SENDING_TIME_OFFSET, true);
}

/** sendingTime exactly. Allocates a BigInt: cold path only. */
export function b3SendingTimeBigInt(view: DataView, packetOffset: number): bigint {
  return view.getBigUint64(packetOffset + B3_SENDING_TIME_OFFSET, true);
}

export function b3MessageLength(view: DataView, frameOffset: number): number {
  return view.getUint16(frameOffset + B3_MESSAGE_LENGTH_OFFSET, true);
}

export function b3EncodingType(view: DataView, frameOffset: number): number {
  return view.getUint16(frameOffset + B3_ENCODING_TYPE_OFFSET, true);
}

/** A cursor over the messages of B3 UMDF datagrams; create one and reuse it for every packet. */
export function createB3Cursor(): FrameCursor {
  return new FrameCursor(B3_LAYOUT);
}
