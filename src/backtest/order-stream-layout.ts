/**
 * The order stream a backtest writes (`--orders-out`): every order entry frame that crossed
 * between the gateway and the simulated exchange, in the order it was sent, each behind a
 * 12-byte record header. The frames are the exact bytes of the wire protocol
 * (schemas/order-entry.xml, SOFH framed), so two runs are compared byte for byte, and a frame
 * can be decoded with the order entry codecs.
 *
 *    0                   8           9          10                12
 *   +-------------------+-----------+----------+-----------------+---------------------------+
 *   | sent at (uint64,  | direction | reserved | frame length    | frame: SOFH + SBE header  |
 *   | recorded ns, LE)  | (uint8)   | (0)      | (uint16, LE)    | + message                 |
 *   +-------------------+-----------+----------+-----------------+---------------------------+
 *
 * Little-endian throughout; records follow each other with no padding.
 */
export const ORDER_STREAM_RECORD_SENT_AT_OFFSET = 0;
export const ORDER_STREAM_RECORD_DIRECTION_OFFSET = 8;
export const ORDER_STREAM_RECORD_RESERVED_OFFSET = 9;
export const ORDER_STREAM_RECORD_FRAME_LENGTH_OFFSET = 10;
export const ORDER_STREAM_RECORD_HEADER_LENGTH = 12;

/** A request from the gateway (NewOrderSingle, OrderCancelRequest, OrderCancelReplaceRequest). */
export const DIRECTION_TO_EXCHANGE = 1;
/** An answer from the exchange (ExecutionReport, BusinessReject). */
export const DIRECTION_TO_GATEWAY = 2;

export function orderStreamFrameOffset(recordOffset: number): number {
  return recordOffset + ORDER_STREAM_RECORD_HEADER_LENGTH;
}
