/* AF_PACKET receive ring: see zt_packet_ring.c; src/io/packet-ring.ts mirrors these constants. */
#ifndef ZT_PACKET_RING_H
#define ZT_PACKET_RING_H

#include <stdint.h>

/* zt_packet_ring.failed_call */
#define ZT_PACKET_RING_CALL_SOCKET 1
#define ZT_PACKET_RING_CALL_VERSION 2          /* setsockopt PACKET_VERSION */
#define ZT_PACKET_RING_CALL_FILTER 3           /* setsockopt SO_ATTACH_FILTER */
#define ZT_PACKET_RING_CALL_IGNORE_OUTGOING 4  /* setsockopt PACKET_IGNORE_OUTGOING */
#define ZT_PACKET_RING_CALL_RX_RING 5          /* setsockopt PACKET_RX_RING */
#define ZT_PACKET_RING_CALL_MMAP 6
#define ZT_PACKET_RING_CALL_IF_NAMETOINDEX 7
#define ZT_PACKET_RING_CALL_BIND 8

typedef struct zt_packet_ring {
  void *ring;           /* block_count blocks of block_size bytes, shared with the kernel */
  uint64_t ring_length;
  int32_t fd;
  int32_t failed_call;
} zt_packet_ring;

typedef struct zt_packet_ring_stats {
  uint32_t packets; /* received since the last read, drops included */
  uint32_t drops;   /* lost because the ring was full */
  uint32_t freeze_queue_count; /* TPACKET_V3: times the ring was frozen full; 0 for V2 */
} zt_packet_ring_stats;

#endif
