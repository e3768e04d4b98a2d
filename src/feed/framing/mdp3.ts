/**
 * CME MDP 3.0 packet framing, as it arrives in each UDP datagram.
 *
 * Binary packet header (12 bytes), then one or more messages:
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                       MsgSeqNum (u32)                         |  0
 * +---------------------------------------------------------------+
 * |                                                               |  4
 * +                SendingTime (u64, ns since epoch)              +
 * |                                                               |
 * +-------------------------------+-------------------------------+
 * |        MsgSize (u16)          |  SBE message header + body    |  12
 * +-------------------------------+                               +
 * |                               ...                             |
 * +-------------------------------+-------------------------------+
 * |        MsgSize (u16)          |  next message ...             |
 *
 * All fields little-endian. MsgSize counts its own 2 bytes, so the messages' sizes add up to the
 * datagram's length minus the packet header.
 */
import { getUint64AsNumber } from '../../sbe/runtime/int64.js';
import { FrameCursor, NO_ENCODING_TYPE_FIELD, type FramingLayout } from './framing.js';

export const MDP3_MSG_SEQ_NUM_OFFSET = 0;
export const MDP3_SENDING_TIME_OFFSET = 4;
export const MDP3_PACKET_HEADER_LENGTH = 12;
export const MDP3_MSG_SIZE_OFFSET = 0;
export const MDP3_MSG_SIZE_LENGTH = 2;

export const MDP3_LAYOUT: FramingLayout = {
  name: 'mdp3',
  packetHeaderLength: MDP3_PACKET_HEADER_LENGTH,
  frameHeaderLength: MDP3_MSG_SIZE_LENGTH,
  sizeFieldName: 'MsgSize',
  sizeOffset: MDP3_MSG_SIZE_OFFSET,
  encodingTypeOffset: NO_ENCODING_TYPE_FIELD,
  encodingType: 0,
  alternateEncodingType: 0,
};

export function mdp3MsgSeqNum(view: DataView, packetOffset: number): number {
  return view.getUint32(packetOffset + MDP3_MSG_SEQ_NUM_OFFSET, true);
}

/** SendingTime as a number: nanoseconds since 1970 exceed 2^53, so this is exact to ~256 ns only. */
export function mdp3SendingTime(view: DataView, packetOffset: number): number {
  return getUint64AsNumber(view, packetOffset + MDP3_SENDING_TIME_OFFSET, true);
}

/** SendingTime exactly. Allocates a BigInt: cold path only. */
export function mdp3SendingTimeBigInt(view: DataView, packetOffset: number): bigint {
  return view.getBigUint64(packetOffset + MDP3_SENDING_TIME_OFFSET, true);
}

export function mdp3MsgSize(view: DataView, frameOffset: number): number {
  return view.getUint16(frameOffset + MDP3_MSG_SIZE_OFFSET, true);
}

/** A cursor over the messages of MDP 3.0 datagrams; create one and reuse it for every packet. */
export function createMdp3Cursor(): FrameCursor {
  return new FrameCursor(MDP3_LAYOUT);
}
