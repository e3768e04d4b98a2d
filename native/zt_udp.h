/*
 * The UDP receive context: one mmap'd region per receiver. The first part is shared with
 * TypeScript (src/io/udp-batch-layout.ts documents the same layout); the rest holds the
 * mmsghdr/iovec/address/control arrays that only the kernel and zt_udp.c touch.
 *
 *   0                   64                      messages_offset(N)           shared_length(N)
 *   +-------------------+-----------------------+----------------------------+-------------------------+
 *   | header (64 bytes) | int32 slot_index[N]   | zt_udp_message[N] (32 B)   | mmsghdr, iovec, peers,  |
 *   |                   | written by TS         | written by C per datagram  | control[N]  (C only)    |
 *   +-------------------+-----------------------+----------------------------+-------------------------+
 */
#ifndef ZT_UDP_H
#define ZT_UDP_H

#include <stddef.h>
#include <stdint.h>

#define ZT_UDP_HEADER_LENGTH 64u
#define ZT_UDP_SLOT_INDEX_OFFSET ZT_UDP_HEADER_LENGTH
#define ZT_UDP_MAX_BATCH 1024u

typedef struct zt_udp_header {
  uint32_t capacity;    /* N: messages per batch */
  uint32_t slot_size;   /* bytes the kernel may write into one slot */
  uint32_t slot_stride; /* distance between slots in the pool */
  uint32_t slot_count;  /* slot indices must be below this */
  uint64_t pool_base;   /* address of slot 0 */
  int32_t fd;
  uint32_t kernel_drop_count; /* datagrams the socket dropped, cumulative, as of the last read (SO_MEMINFO) */
  uint32_t options;           /* ZT_UDP_* options given to zt_udp_rx_create */
  uint32_t slots_changed;     /* TS sets it to 1 after writing slot_index; C re-arms and clears it */
  uint32_t armed_count;       /* C only: leading positions whose iovec points at a valid slot */
  uint8_t reserved[20];
} zt_udp_header;

/* zt_udp_header.options */
#define ZT_UDP_SOURCE_ADDRESS 1u /* ask the kernel for each datagram's source (msg_name): it costs a copy per datagram */

/* zt_udp_message.flags */
#define ZT_UDP_TRUNCATED 1u   /* the datagram was longer than the slot: `length` bytes kept */
#define ZT_UDP_TIMESTAMPED 2u /* timestamp_ns holds the kernel receive time (0 when SO_TIMESTAMPNS is off) */

typedef struct zt_udp_message {
  double timestamp_ns;      /* kernel receive time, CLOCK_REALTIME ns since the epoch (SO_TIMESTAMPNS) */
  int32_t slot_index;       /* the pool slot that holds the bytes */
  int32_t length;           /* bytes written into the slot */
  int32_t datagram_length;  /* bytes on the wire (> length when truncated) */
  uint32_t flags;
  uint32_t source_address;  /* IPv4, host byte order; 0 unless ZT_UDP_SOURCE_ADDRESS */
  uint16_t source_port;     /* 0 unless ZT_UDP_SOURCE_ADDRESS */
  uint16_t reserved;
} zt_udp_message;

/* The offsets src/io/udp-batch-layout.ts reads: change both sides together. */
_Static_assert(sizeof(zt_udp_header) == ZT_UDP_HEADER_LENGTH, "zt_udp_header is one cache line");
_Static_assert(offsetof(zt_udp_header, pool_base) == 16 && offsetof(zt_udp_header, fd) == 24 &&
               offsetof(zt_udp_header, kernel_drop_count) == 28 && offsetof(zt_udp_header, options) == 32 &&
               offsetof(zt_udp_header, slots_changed) == 36, "header offsets match udp-batch-layout.ts");
_Static_assert(sizeof(zt_udp_message) == 32, "zt_udp_message is 32 bytes");
_Static_assert(offsetof(zt_udp_message, slot_index) == 8 && offsetof(zt_udp_message, length) == 12 &&
               offsetof(zt_udp_message, datagram_length) == 16 && offsetof(zt_udp_message, flags) == 20 &&
               offsetof(zt_udp_message, source_address) == 24 && offsetof(zt_udp_message, source_port) == 28,
               "message offsets match udp-batch-layout.ts");

#endif
