/**
 * Binary layouts read in place from an AF_PACKET receive ring (linux/if_packet.h, and
 * Documentation/networking/packet_mmap.rst). The kernel's structs are host-endian
 * (little-endian here); the C side (native/zt_packet_ring.c) asserts the offsets below at
 * compile time. The Ethernet, 802.1Q, IPv4 and UDP headers of the frames inside are the same
 * as in a capture file and are described once, in pcap-format.ts.
 *
 * TPACKET_V2: a ring of fixed-size frames; frame i starts at i * frameSize.
 *
 *   frame  +------------------------------+  0
 *          | tpacket2_hdr (32 bytes)      |
 *          |   tp_status   u32   0        |  TP_STATUS_KERNEL (0) or TP_STATUS_USER (1): who owns it
 *          |   tp_len      u32   4        |  length on the wire
 *          |   tp_snaplen  u32   8        |  bytes captured (at most what fits the frame)
 *          |   tp_mac      u16  12        |  offset of the Ethernet header from the frame start
 *          |   tp_net      u16  14        |
 *          |   tp_sec      u32  16        |  kernel receive time, CLOCK_REALTIME
 *          |   tp_nsec     u32  20        |
 *          |   tp_vlan_tci, tp_vlan_tpid, padding
 *          +------------------------------+
 *          | ... Ethernet frame at tp_mac |
 *
 * TPACKET_V3: a ring of blocks; the kernel fills a block with variable-size packets and hands
 * the whole block over when it is full or its timeout expires.
 *
 *   block  +------------------------------+  0   tpacket_block_desc
 *          | version u32, offset_to_priv  |
 *          |   block_status        u32  8 |  TP_STATUS_KERNEL or TP_STATUS_USER, for the whole block
 *          |   num_pkts            u32 12 |
 *          |   offset_to_first_pkt u32 16 |  from the block start
 *          |   blk_len, seq_num, timestamps
 *          +------------------------------+
 *          | tpacket3_hdr                 |  at offset_to_first_pkt
 *          |   tp_next_offset  u32  0     |  to the next packet, from this one
 *          |   tp_sec          u32  4     |
 *          |   tp_nsec         u32  8     |
 *          |   tp_snaplen      u32 12     |
 *          |   tp_len          u32 16     |
 *          |   tp_status       u32 20     |
 *          |   tp_mac          u16 24     |
 *          +------------------------------+
 *          | ... Ethernet frame at tp_mac, then the next tpacket3_hdr
 */

export const TP_STATUS_KERNEL = 0;
export const TP_STATUS_USER = 1;
/** Frames and packets start on this boundary; a frame size must be a multiple of it. */
export const TPACKET_ALIGNMENT = 16;

export const TPACKET2_STATUS_OFFSET = 0;
export const TPACKET2_SNAPLEN_OFFSET = 8;
export const TPACKET2_MAC_OFFSET = 12;
export const TPACKET2_SEC_OFFSET = 16;
export const TPACKET2_NSEC_OFFSET = 20;
export const TPACKET2_HEADER_LENGTH = 32;

export const BLOCK_STATUS_OFFSET = 8;
export const BLOCK_PACKET_COUNT_OFFSET = 12;
export const BLOCK_FIRST_PACKET_OFFSET = 16;

export const TPACKET3_NEXT_OFFSET = 0;
export const TPACKET3_SEC_OFFSET = 4;
export const TPACKET3_NSEC_OFFSET = 8;
export const TPACKET3_SNAPLEN_OFFSET = 12;
export const TPACKET3_MAC_OFFSET = 24;
/** sizeof(struct tpacket3_hdr) aligned: the smallest frame the kernel accepts for either version. */
export const TPACKET3_HEADER_LENGTH = 48;

/**
 * zt_packet_ring_stats (native/zt_packet_ring.h), filled by zt_packet_ring_statistics: the
 * kernel's counters since the previous read (reading PACKET_STATISTICS resets them).
 *
 *   0 packets u32 | 4 drops u32 | 8 freeze_queue_count u32
 */
export const STATS_PACKETS_OFFSET = 0;
export const STATS_DROPS_OFFSET = 4;
export const STATS_FREEZE_QUEUE_COUNT_OFFSET = 8;
export const STATS_LENGTH = 12;
