/*
 * AF_PACKET receive ring (Documentation/networking/packet_mmap.rst): the kernel copies each
 * matching frame into a ring of frames (TPACKET_V2) or blocks of frames (TPACKET_V3) that is
 * mapped into our address space, so a datagram costs no system call at all to receive.
 *
 * Only the setup and the teardown live here: socket, options, filter, ring, mmap, bind; and a
 * blocking wait (poll) and the kernel's counters. Walking the frames, parsing Ethernet/IPv4/UDP
 * and handing frames back to the kernel happen in place in src/io/packet-ring.ts, whose offsets
 * (packet-ring-layout.ts) are checked against the kernel's structs by the asserts below.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zt.h"
#include "zt_packet_ring.h"

/* Kernel 4.20+; older headers lack the name. On lo every frame is otherwise seen twice: once
 * leaving (PACKET_OUTGOING) and once arriving. */
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

/* The offsets src/io/packet-ring-layout.ts reads; a kernel header that moved one breaks the build. */
_Static_assert(sizeof(struct tpacket2_hdr) == 32, "tpacket2_hdr size");
_Static_assert(offsetof(struct tpacket2_hdr, tp_status) == 0, "tpacket2_hdr.tp_status");
_Static_assert(offsetof(struct tpacket2_hdr, tp_snaplen) == 8, "tpacket2_hdr.tp_snaplen");
_Static_assert(offsetof(struct tpacket2_hdr, tp_mac) == 12, "tpacket2_hdr.tp_mac");
_Static_assert(offsetof(struct tpacket2_hdr, tp_sec) == 16, "tpacket2_hdr.tp_sec");
_Static_assert(offsetof(struct tpacket2_hdr, tp_nsec) == 20, "tpacket2_hdr.tp_nsec");
_Static_assert(offsetof(struct tpacket_block_desc, hdr.bh1.block_status) == 8, "block_status");
_Static_assert(offsetof(struct tpacket_block_desc, hdr.bh1.num_pkts) == 12, "num_pkts");
_Static_assert(offsetof(struct tpacket_block_desc, hdr.bh1.offset_to_first_pkt) == 16, "offset_to_first_pkt");
_Static_assert(offsetof(struct tpacket3_hdr, tp_next_offset) == 0, "tpacket3_hdr.tp_next_offset");
_Static_assert(offsetof(struct tpacket3_hdr, tp_sec) == 4, "tpacket3_hdr.tp_sec");
_Static_assert(offsetof(struct tpacket3_hdr, tp_nsec) == 8, "tpacket3_hdr.tp_nsec");
_Static_assert(offsetof(struct tpacket3_hdr, tp_snaplen) == 12, "tpacket3_hdr.tp_snaplen");
_Static_assert(offsetof(struct tpacket3_hdr, tp_mac) == 24, "tpacket3_hdr.tp_mac");

/*
 * The classic BPF program the kernel runs on every frame before copying it into the ring: it
 * keeps IPv4 UDP datagrams to one destination port, untagged or under one 802.1Q tag, and
 * drops everything else, so the ring holds only our feed. Absolute offsets count from the
 * start of the Ethernet header. Layout:
 *
 *   0        ldh [12]                 A = EtherType
 *   1        jeq #0x8100 ? VLAN : 2   802.1Q tag: the real EtherType is 4 bytes further
 *   2..9     the IPv4/UDP checks below, IPv4 header at 14
 *   10 VLAN  ldh [16]                 A = EtherType under the tag
 *   11..18   the IPv4/UDP checks below, IPv4 header at 18
 *   19       ret #-1                  accept: keep the whole frame (the ring truncates to a frame)
 *   20       ret #0                   drop
 */
#define FILTER_CHECK_LENGTH 8
#define FILTER_UNTAGGED_CHECK 2
#define FILTER_VLAN 10
#define FILTER_ACCEPT 19
#define FILTER_REJECT 20
#define FILTER_LENGTH 21
#define ETH_HEADER_LENGTH 14
#define VLAN_TAG_LENGTH 4
#define IPV4_PROTOCOL_OFFSET 9
#define IPV4_FRAGMENT_OFFSET 6
#define IPV4_FRAGMENT_OFFSET_MASK 0x1fff
#define UDP_DESTINATION_PORT_OFFSET 2

/* Jump offsets in classic BPF count the instructions skipped after the jump itself. */
static uint8_t skip_to(int from, int to) {
  return (uint8_t)(to - from - 1);
}

/* Emits the checks on an IPv4 header at `ip`, with the EtherType already in A; returns the next index. */
static int emit_udp_port_check(struct sock_filter *program, int i, uint32_t ip, uint16_t port) {
  /* EtherType is IPv4 */
  program[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, skip_to(i, FILTER_REJECT)), i++;
  /* A = IPv4 protocol; it is UDP */
  program[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ip + IPV4_PROTOCOL_OFFSET), i++;
  program[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, skip_to(i, FILTER_REJECT)), i++;
  /* A = flags and fragment offset; a fragment other than the first carries no UDP header */
  program[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ip + IPV4_FRAGMENT_OFFSET), i++;
  program[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, IPV4_FRAGMENT_OFFSET_MASK, skip_to(i, FILTER_REJECT), 0), i++;
  /* X = IPv4 header length (4 * IHL: options move the UDP header) */
  program[i] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, ip), i++;
  /* A = UDP destination port, at X + ip + 2; accept it if it is ours */
  program[i] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_IND, ip + UDP_DESTINATION_PORT_OFFSET), i++;
  program[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, skip_to(i, FILTER_ACCEPT), skip_to(i, FILTER_REJECT)), i++;
  return i;
}

static void build_udp_port_filter(struct sock_filter program[FILTER_LENGTH], uint16_t port) {
  program[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12);
  program[1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_8021Q, skip_to(1, FILTER_VLAN), 0);
  emit_udp_port_check(program, FILTER_UNTAGGED_CHECK, ETH_HEADER_LENGTH, port);
  program[FILTER_VLAN] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12 + VLAN_TAG_LENGTH);
  emit_udp_port_check(program, FILTER_VLAN + 1, ETH_HEADER_LENGTH + VLAN_TAG_LENGTH, port);
  program[FILTER_ACCEPT] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, UINT32_MAX);
  program[FILTER_REJECT] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
}
_Static_assert(FILTER_UNTAGGED_CHECK + FILTER_CHECK_LENGTH == FILTER_VLAN, "untagged checks end where the VLAN branch starts");
_Static_assert(FILTER_VLAN + 1 + FILTER_CHECK_LENGTH == FILTER_ACCEPT, "VLAN checks end at accept");

static int valid_geometry(uint32_t version, uint32_t block_size, uint32_t block_count, uint32_t frame_size) {
  long page_size = sysconf(_SC_PAGESIZE);
  if (version != 2 && version != 3) return 0;
  if (block_size == 0 || block_size % (uint32_t)page_size != 0 || block_count == 0) return 0;
  if (frame_size < TPACKET_ALIGN(sizeof(struct tpacket3_hdr)) || frame_size % TPACKET_ALIGNMENT != 0) return 0;
  if (block_size % frame_size != 0) return 0; /* frames tile each block: frame i is at i * frame_size */
  return (uint64_t)block_size * block_count <= INT32_MAX;
}

static int set_rx_ring(int fd, uint32_t version, uint32_t block_size, uint32_t block_count, uint32_t frame_size,
                       uint32_t block_timeout_ms) {
  uint32_t frame_count = block_size / frame_size * block_count;
  if (version == 2) {
    struct tpacket_req req = {.tp_block_size = block_size, .tp_block_nr = block_count,
                              .tp_frame_size = frame_size, .tp_frame_nr = frame_count};
    return setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req));
  }
  struct tpacket_req3 req3 = {.tp_block_size = block_size, .tp_block_nr = block_count,
                              .tp_frame_size = frame_size, .tp_frame_nr = frame_count,
                              .tp_retire_blk_tov = block_timeout_ms};
  return setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req3, sizeof(req3));
}

static int fail(zt_packet_ring *out, int call, int fd) {
  int error = errno;
  if (fd >= 0) close(fd);
  out->failed_call = call;
  out->fd = -1;
  return ZT_ERR(error);
}

/*
 * Opens a TPACKET_V2 or V3 receive ring on interface `ifname` that sees only IPv4 UDP
 * datagrams to `udp_dst_port`, and maps it. `block_timeout_ms` (V3 only) is how long the
 * kernel keeps a partly filled block before handing it over; 0 lets the kernel choose.
 * Returns 0 and fills `out`, or -errno with `out->failed_call` naming the call that failed
 * (EPERM from socket: the process lacks CAP_NET_RAW).
 */
ZT_EXPORT int zt_packet_ring_open(const char *ifname, uint32_t udp_dst_port, uint32_t version, uint32_t block_size,
                                  uint32_t block_count, uint32_t frame_size, uint32_t block_timeout_ms,
                                  zt_packet_ring *out) {
  *out = (zt_packet_ring){.fd = -1};
  if (ifname == NULL || udp_dst_port == 0 || udp_dst_port > 65535) return ZT_ERR(EINVAL);
  if (!valid_geometry(version, block_size, block_count, frame_size)) return ZT_ERR(EINVAL);

  /* Protocol 0: the socket receives nothing until bind, so no frame from another interface or
   * port can slip in before the filter and the ring are in place. */
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(out, ZT_PACKET_RING_CALL_SOCKET, -1);

  int tpacket_version = version == 2 ? TPACKET_V2 : TPACKET_V3;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &tpacket_version, sizeof(tpacket_version)) != 0) {
    return fail(out, ZT_PACKET_RING_CALL_VERSION, fd);
  }
  struct sock_filter program[FILTER_LENGTH];
  build_udp_port_filter(program, (uint16_t)udp_dst_port);
  struct sock_fprog filter = {.len = FILTER_LENGTH, .filter = program};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof(filter)) != 0) {
    return fail(out, ZT_PACKET_RING_CALL_FILTER, fd);
  }
  int ignore_outgoing = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore_outgoing, sizeof(ignore_outgoing)) != 0) {
    return fail(out, ZT_PACKET_RING_CALL_IGNORE_OUTGOING, fd);
  }
  if (set_rx_ring(fd, version, block_size, block_count, frame_size, block_timeout_ms) != 0) {
    return fail(out, ZT_PACKET_RING_CALL_RX_RING, fd);
  }
  size_t ring_length = (size_t)block_size * block_count;
  void *ring = mmap(NULL, ring_length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (ring == MAP_FAILED) return fail(out, ZT_PACKET_RING_CALL_MMAP, fd);

  struct sockaddr_ll address = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
  address.sll_ifindex = (int)if_nametoindex(ifname);
  int call = address.sll_ifindex == 0 ? ZT_PACKET_RING_CALL_IF_NAMETOINDEX : ZT_PACKET_RING_CALL_BIND;
  if (address.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
    int error = errno;
    munmap(ring, ring_length);
    errno = error;
    return fail(out, call, fd);
  }
  out->ring = ring;
  out->ring_length = ring_length;
  out->fd = fd;
  return 0;
}

/* Waits up to `timeout_ms` (-1: forever) for a frame to hand over. 1: ready, 0: timed out. */
ZT_EXPORT int zt_packet_ring_wait(int fd, int timeout_ms) {
  struct pollfd entry = {.fd = fd, .events = POLLIN | POLLRDNORM | POLLERR};
  int ready;
  do ready = poll(&entry, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  if (ready < 0) return ZT_ERR(errno);
  return ready > 0 ? 1 : 0;
}

/* The kernel's counters since the previous call: reading PACKET_STATISTICS resets them. */
ZT_EXPORT int zt_packet_ring_statistics(int fd, zt_packet_ring_stats *out) {
  struct tpacket_stats_v3 stats = {0}; /* a V2 socket fills only the first two fields */
  socklen_t length = sizeof(stats);
  *out = (zt_packet_ring_stats){0};
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length) != 0) return ZT_ERR(errno);
  out->packets = stats.tp_packets;
  out->drops = stats.tp_drops;
  out->freeze_queue_count = stats.tp_freeze_q_cnt;
  return 0;
}

ZT_EXPORT int zt_packet_ring_close(int fd, void *ring, uint64_t ring_length) {
  int result = 0;
  if (ring != NULL && munmap(ring, ring_length) != 0) result = ZT_ERR(errno);
  if (close(fd) != 0 && result == 0) result = ZT_ERR(errno);
  return result;
}
