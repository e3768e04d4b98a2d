/*
 * The wire formats the tick-to-trade bench's C programs speak, in one place: the MDP 3.0 packet
 * the exchange publishes (schemas/mdp3.xml, framed as src/feed/framing/mdp3.ts reads it) and
 * the order entry messages both sides exchange over TCP (schemas/order-entry.xml behind SOFH,
 * src/feed/framing/sofh.ts). Offsets are those of the generated codecs in src/generated/;
 * test/bench/t2t.test.ts decodes what these programs write with those codecs.
 *
 * The probe packet: one MDIncrementalRefreshBook46 that replaces the top of both sides of one
 * book, so a responder that just started (or missed packets) always holds a whole book:
 *
 *   +------------------------+ 0
 *   | MsgSeqNum (u32)        |     MDP 3.0 binary packet header
 *   | SendingTime (u64, ns)  |
 *   +------------------------+ 12  T2T_MSG_SIZE_OFFSET
 *   | MsgSize (u16)          |
 *   +------------------------+ 14  SBE message header: blockLength 11, templateId 46,
 *   | SBE header (8)         |                          schemaId 1, version 9
 *   +------------------------+ 22  block: TransactTime (u64), MatchEventIndicator (u8), 2 pad
 *   | Book46 block (11)      |
 *   +------------------------+ 33  NoMDEntries: groupSize (blockLength u16 = 32, numInGroup u8)
 *   | 4 entries x 32         |     bid DeleteThru, bid New level 1, offer DeleteThru, offer New level 1
 *   +------------------------+ 164 NoOrderIDEntries: groupSize8Byte (blockLength u16 = 24,
 *   | empty group (8)        |     5 pad, numInGroup u8 = 0)
 *   +------------------------+ 172 T2T_PACKET_LENGTH
 *
 * An order entry frame: SOFH (u16 length including itself, u16 encoding 0xCAFE), SBE message
 * header (blockLength, templateId, schemaId 8, version 0), then the block.
 */
#ifndef T2T_WIRE_H
#define T2T_WIRE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_datagram.h"

/* ---- MDP 3.0 -------------------------------------------------------------------------- */
#define MDP3_MSG_SEQ_NUM_OFFSET 0
#define MDP3_SENDING_TIME_OFFSET 4
#define MDP3_PACKET_HEADER_LENGTH 12
#define MDP3_MSG_SIZE_LENGTH 2

#define SBE_HEADER_LENGTH 8
#define SBE_BLOCK_LENGTH_OFFSET 0
#define SBE_TEMPLATE_ID_OFFSET 2
#define SBE_SCHEMA_ID_OFFSET 4
#define SBE_VERSION_OFFSET 6

#define MDP3_SCHEMA_ID 1
#define MDP3_SCHEMA_VERSION 9
#define BOOK46_TEMPLATE_ID 46
#define BOOK46_BLOCK_LENGTH 11
#define BOOK46_TRANSACT_TIME_OFFSET 0
#define BOOK46_MATCH_EVENT_INDICATOR_OFFSET 8
/* groupSize: blockLength u16, numInGroup u8. */
#define GROUP_SIZE_LENGTH 3
#define GROUP_NUM_IN_GROUP_OFFSET 2
/* groupSize8Byte: blockLength u16, numInGroup u8 at 7. */
#define GROUP_SIZE_8_BYTE_LENGTH 8
#define GROUP_8_BYTE_NUM_IN_GROUP_OFFSET 7
#define BOOK46_ENTRY_LENGTH 32
#define BOOK46_ORDER_ID_ENTRY_LENGTH 24
#define ENTRY_PRICE_OFFSET 0
#define ENTRY_SIZE_OFFSET 8
#define ENTRY_SECURITY_ID_OFFSET 12
#define ENTRY_RPT_SEQ_OFFSET 16
#define ENTRY_NUMBER_OF_ORDERS_OFFSET 20
#define ENTRY_PRICE_LEVEL_OFFSET 24
#define ENTRY_UPDATE_ACTION_OFFSET 25
#define ENTRY_TYPE_OFFSET 26

#define MD_UPDATE_ACTION_NEW 0
#define MD_UPDATE_ACTION_DELETE_THRU 3
#define MD_ENTRY_TYPE_BID '0'
#define MD_ENTRY_TYPE_OFFER '1'
/* LastQuoteMsg | EndOfEvent: the packet is a whole matching event, so the book is published after it. */
#define MATCH_EVENT_LAST_QUOTE_END_OF_EVENT ((1u << 2) | (1u << 7))
#define PRICE_NULL_MANTISSA INT64_MAX

#define T2T_ENTRIES_PER_PACKET 4
#define T2T_MSG_SIZE_OFFSET MDP3_PACKET_HEADER_LENGTH
#define T2T_SBE_HEADER_OFFSET (T2T_MSG_SIZE_OFFSET + MDP3_MSG_SIZE_LENGTH)
#define T2T_BLOCK_OFFSET (T2T_SBE_HEADER_OFFSET + SBE_HEADER_LENGTH)
#define T2T_ENTRIES_GROUP_OFFSET (T2T_BLOCK_OFFSET + BOOK46_BLOCK_LENGTH)
#define T2T_FIRST_ENTRY_OFFSET (T2T_ENTRIES_GROUP_OFFSET + GROUP_SIZE_LENGTH)
#define T2T_ORDER_ID_GROUP_OFFSET (T2T_FIRST_ENTRY_OFFSET + T2T_ENTRIES_PER_PACKET * BOOK46_ENTRY_LENGTH)
#define T2T_PACKET_LENGTH (T2T_ORDER_ID_GROUP_OFFSET + GROUP_SIZE_8_BYTE_LENGTH)
/* Entry 1 and 3 of the probe carry the prices; 0 and 2 clear the sides. */
#define T2T_BID_ENTRY_OFFSET (T2T_FIRST_ENTRY_OFFSET + 1 * BOOK46_ENTRY_LENGTH)
#define T2T_OFFER_ENTRY_OFFSET (T2T_FIRST_ENTRY_OFFSET + 3 * BOOK46_ENTRY_LENGTH)

/* ---- order entry ---------------------------------------------------------------------- */
#define SOFH_HEADER_LENGTH 4
#define SOFH_MESSAGE_LENGTH_OFFSET 0
#define SOFH_ENCODING_TYPE_OFFSET 2
#define SOFH_ENCODING_CME_SBE 0xCAFE
#define ORDER_ENTRY_SCHEMA_ID 8
#define ORDER_ENTRY_SCHEMA_VERSION 0
/* Where a message's block starts in its frame. */
#define FRAME_BLOCK_OFFSET (SOFH_HEADER_LENGTH + SBE_HEADER_LENGTH)

#define ESTABLISH_TEMPLATE_ID 1
#define ESTABLISH_BLOCK_LENGTH 12
#define ESTABLISH_SESSION_ID_OFFSET 0
#define ESTABLISH_KEEP_ALIVE_OFFSET 4
#define ESTABLISH_NEXT_SEQ_NO_OFFSET 8

#define ESTABLISHMENT_ACK_TEMPLATE_ID 2
#define ESTABLISHMENT_ACK_BLOCK_LENGTH 16
#define ESTABLISHMENT_ACK_SESSION_ID_OFFSET 0
#define ESTABLISHMENT_ACK_KEEP_ALIVE_OFFSET 4
#define ESTABLISHMENT_ACK_NEXT_SEQ_NO_OFFSET 8
#define ESTABLISHMENT_ACK_PREVIOUS_SEQ_NO_OFFSET 12

#define SEQUENCE_TEMPLATE_ID 3
#define SEQUENCE_BLOCK_LENGTH 4
#define SEQUENCE_NEXT_SEQ_NO_OFFSET 0

#define TERMINATE_TEMPLATE_ID 4

#define NEW_ORDER_TEMPLATE_ID 10
#define NEW_ORDER_BLOCK_LENGTH 43
#define NEW_ORDER_SEQ_NUM_OFFSET 0
#define NEW_ORDER_CL_ORD_ID_OFFSET 4
#define NEW_ORDER_SECURITY_ID_OFFSET 12
#define NEW_ORDER_SIDE_OFFSET 16
#define NEW_ORDER_ORD_TYPE_OFFSET 17
#define NEW_ORDER_TIME_IN_FORCE_OFFSET 18
#define NEW_ORDER_PRICE_OFFSET 19
#define NEW_ORDER_QTY_OFFSET 27
#define NEW_ORDER_SENDING_TIME_OFFSET 31
#define NEW_ORDER_TRIGGER_SEQ_NUM_OFFSET 39
#define NEW_ORDER_FRAME_LENGTH (FRAME_BLOCK_OFFSET + NEW_ORDER_BLOCK_LENGTH)

#define EXECUTION_REPORT_TEMPLATE_ID 20
#define EXECUTION_REPORT_BLOCK_LENGTH 76
#define REPORT_SEQ_NUM_OFFSET 0
#define REPORT_CL_ORD_ID_OFFSET 4
#define REPORT_ORIG_CL_ORD_ID_OFFSET 12
#define REPORT_ORDER_ID_OFFSET 20
#define REPORT_SECURITY_ID_OFFSET 28
#define REPORT_SIDE_OFFSET 32
#define REPORT_EXEC_TYPE_OFFSET 33
#define REPORT_ORD_STATUS_OFFSET 34
#define REPORT_PRICE_OFFSET 35
#define REPORT_ORDER_QTY_OFFSET 43
#define REPORT_LAST_PX_OFFSET 47
#define REPORT_LAST_QTY_OFFSET 55
#define REPORT_CUM_QTY_OFFSET 59
#define REPORT_LEAVES_QTY_OFFSET 63
#define REPORT_TRANSACT_TIME_OFFSET 67
#define REPORT_ORD_REJ_REASON_OFFSET 75
#define EXECUTION_REPORT_FRAME_LENGTH (FRAME_BLOCK_OFFSET + EXECUTION_REPORT_BLOCK_LENGTH)

#define SIDE_BUY 1
#define SIDE_SELL 2
#define ORD_TYPE_LIMIT 2
#define TIME_IN_FORCE_IOC 3
#define EXEC_TYPE_CANCELED 4
#define ORD_STATUS_CANCELED 4
#define ORD_REJ_REASON_NULL 255
#define UINT64_NULL UINT64_MAX
#define TRIGGER_SEQ_NUM_NULL UINT32_MAX

static inline uint16_t t2t_read_u16(const unsigned char *p) {
  uint16_t value;
  memcpy(&value, p, sizeof value);
  return value;
}

static inline void t2t_write_u16(unsigned char *p, uint16_t value) { memcpy(p, &value, sizeof value); }

/* SOFH and SBE header of a frame at `frame`; the block follows at FRAME_BLOCK_OFFSET. */
static inline void t2t_write_frame_header(unsigned char *frame, uint16_t block_length, uint16_t template_id) {
  t2t_write_u16(frame + SOFH_MESSAGE_LENGTH_OFFSET, (uint16_t)(FRAME_BLOCK_OFFSET + block_length));
  t2t_write_u16(frame + SOFH_ENCODING_TYPE_OFFSET, SOFH_ENCODING_CME_SBE);
  unsigned char *header = frame + SOFH_HEADER_LENGTH;
  t2t_write_u16(header + SBE_BLOCK_LENGTH_OFFSET, block_length);
  t2t_write_u16(header + SBE_TEMPLATE_ID_OFFSET, template_id);
  t2t_write_u16(header + SBE_SCHEMA_ID_OFFSET, ORDER_ENTRY_SCHEMA_ID);
  t2t_write_u16(header + SBE_VERSION_OFFSET, ORDER_ENTRY_SCHEMA_VERSION);
}

/* Template of the frame at `frame` (whose length the caller has checked). */
static inline uint16_t t2t_frame_template_id(const unsigned char *frame) {
  return t2t_read_u16(frame + SOFH_HEADER_LENGTH + SBE_TEMPLATE_ID_OFFSET);
}

static inline uint64_t t2t_realtime_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/* "host:port" into its parts; 0 when it is not that. */
static inline int t2t_parse_address(const char *text, char *host, size_t host_size, int *port) {
  const char *colon = strrchr(text, ':');
  if (colon == NULL || (size_t)(colon - text) >= host_size) return 0;
  memcpy(host, text, (size_t)(colon - text));
  host[colon - text] = '\0';
  *port = atoi(colon + 1);
  return *port > 0 && *port < 65536;
}

#endif
