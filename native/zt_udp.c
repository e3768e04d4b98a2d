/*
 * UDP receive by recvmmsg straight into pool slots, with a kernel timestamp per datagram and
 * the socket's drop counter. Socket setup is one function per system call (here and in
 * zt_socket.c) so that an error names its call; the receive context is laid out once and each
 * batch is one recvmmsg (plus one poll when blocking).
 *
 * The drop counter is read on demand with getsockopt(SO_MEMINFO) (zt_udp_rx_read_drops), never
 * by the receive call: at a packet every 25 us each packet is a burst of its own, and a read at
 * every burst's end was a system call on the pass after each packet. Not SO_RXQ_OVFL: once a
 * socket has dropped anything, it adds a control message to every datagram for the rest of its
 * life, about a tenth of the receive cost on lo.
 */
#define _GNU_SOURCE
#include <linux/sock_diag.h>
#include <net/if.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>

#include "zt_socket.h"
#include "zt_udp.h"

/* Room for SCM_TIMESTAMPNS (a timespec) with its cmsghdr, and a spare one of the same size. */
#define CONTROL_LENGTH 64u
_Static_assert(2 * CMSG_SPACE(sizeof(struct timespec)) <= CONTROL_LENGTH, "control buffer holds a timestamp");

typedef struct rx_arrays {
  int32_t *slot_index;
  zt_udp_message *messages;
  struct mmsghdr *headers;
  struct iovec *iov;
  struct sockaddr_in *peers;
  uint8_t *control;
} rx_arrays;

static size_t align64(size_t value) { return (value + 63) & ~(size_t)63; }

ZT_EXPORT uint32_t zt_udp_messages_offset(uint32_t capacity) {
  return (uint32_t)align64(ZT_UDP_SLOT_INDEX_OFFSET + sizeof(int32_t) * capacity);
}

ZT_EXPORT uint32_t zt_udp_shared_length(uint32_t capacity) {
  return (uint32_t)align64(zt_udp_messages_offset(capacity) + sizeof(zt_udp_message) * capacity);
}

static size_t region_length(uint32_t capacity) {
  size_t length = zt_udp_shared_length(capacity);
  length += align64(sizeof(struct mmsghdr) * capacity);
  length += align64(sizeof(struct iovec) * capacity);
  length += align64(sizeof(struct sockaddr_in) * capacity);
  length += (size_t)CONTROL_LENGTH * capacity;
  return length;
}

/* The arrays are found from the capacity alone, so the region needs no pointers in it. */
static rx_arrays arrays_of(uint8_t *region, uint32_t capacity) {
  rx_arrays a;
  size_t offset = zt_udp_shared_length(capacity);
  a.slot_index = (int32_t *)(region + ZT_UDP_SLOT_INDEX_OFFSET);
  a.messages = (zt_udp_message *)(region + zt_udp_messages_offset(capacity));
  a.headers = (struct mmsghdr *)(region + offset);
  offset += align64(sizeof(struct mmsghdr) * capacity);
  a.iov = (struct iovec *)(region + offset);
  offset += align64(sizeof(struct iovec) * capacity);
  a.peers = (struct sockaddr_in *)(region + offset);
  offset += align64(sizeof(struct sockaddr_in) * capacity);
  a.control = region + offset;
  return a;
}

ZT_EXPORT int zt_udp_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd < 0 ? ZT_ERR(errno) : fd;
}

ZT_EXPORT int zt_udp_enable_timestamps(int fd) {
  return zt_set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
}


/* Any-source join on the interface with index `interface_index` (IP_ADD_MEMBERSHIP, ip_mreqn). */
ZT_EXPORT int zt_udp_join_group(int fd, const char *group, int interface_index) {
  struct ip_mreqn request;
  memset(&request, 0, sizeof(request));
  if (inet_pton(AF_INET, group, &request.imr_multiaddr) != 1) return ZT_ERR(EINVAL);
  request.imr_ifindex = interface_index;
  return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof(request)) == 0 ? 0 : ZT_ERR(errno);
}

/* Source-specific join. MCAST_JOIN_SOURCE_GROUP rather than IP_ADD_SOURCE_MEMBERSHIP because
 * it takes the interface by index, so a named interface without an address still works. */
ZT_EXPORT int zt_udp_join_source_group(int fd, const char *group, const char *source, int interface_index) {
  struct group_source_req request;
  memset(&request, 0, sizeof(request));
  struct sockaddr_in *group_address = (struct sockaddr_in *)&request.gsr_group;
  struct sockaddr_in *source_address = (struct sockaddr_in *)&request.gsr_source;
  if (zt_ipv4_address(group, 0, group_address) || zt_ipv4_address(source, 0, source_address)) return ZT_ERR(EINVAL);
  request.gsr_interface = (uint32_t)interface_index;
  return setsockopt(fd, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &request, sizeof(request)) == 0 ? 0 : ZT_ERR(errno);
}

/* The lengths the kernel overwrites when it fills message i: reset them before it is used again. */
static void rearm_message(const zt_udp_header *header, struct mmsghdr *h) {
  if (header->options & ZT_UDP_SOURCE_ADDRESS) h->msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
  h->msg_hdr.msg_controllen = CONTROL_LENGTH;
}

/* Lays out a receive context for `fd` that receives into slots of the pool at `pool_base`.
 * Returns 0 and the context's address in *out, or -errno. */
ZT_EXPORT int zt_udp_rx_create(int fd, uint32_t capacity, uint64_t pool_base, uint32_t slot_size,
                               uint32_t slot_stride, uint32_t slot_count, uint32_t options, void **out) {
  *out = NULL;
  if (capacity == 0 || capacity > ZT_UDP_MAX_BATCH || slot_size == 0 || slot_stride < slot_size || slot_count == 0 ||
      (options & ~ZT_UDP_SOURCE_ADDRESS) != 0) {
    return ZT_ERR(EINVAL);
  }
  uint8_t *region = mmap(NULL, region_length(capacity), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return ZT_ERR(errno);
  zt_udp_header *header = (zt_udp_header *)region;
  *header = (zt_udp_header){.capacity = capacity, .slot_size = slot_size, .slot_stride = slot_stride,
                            .slot_count = slot_count, .pool_base = pool_base, .fd = fd, .options = options,
                            .slots_changed = 1};
  rx_arrays a = arrays_of(region, capacity);
  for (uint32_t i = 0; i < capacity; i++) {
    a.slot_index[i] = -1;
    a.iov[i].iov_len = slot_size;
    a.headers[i].msg_hdr.msg_iov = &a.iov[i];
    a.headers[i].msg_hdr.msg_iovlen = 1;
    /* Without a msg_name the kernel skips the address copy-out: ~5% of the receive cost on lo. */
    a.headers[i].msg_hdr.msg_name = (options & ZT_UDP_SOURCE_ADDRESS) ? &a.peers[i] : NULL;
    a.headers[i].msg_hdr.msg_control = a.control + (size_t)CONTROL_LENGTH * i;
    rearm_message(header, &a.headers[i]);
  }
  *out = region;
  return 0;
}

ZT_EXPORT int zt_udp_rx_destroy(void *rx) {
  zt_udp_header *header = rx;
  return munmap(rx, region_length(header->capacity)) == 0 ? 0 : ZT_ERR(errno);
}

/* Points each position's iovec at its slot, up to the first position without one (slot -1).
 * Runs only after TS changed slot_index, not on every call: a busy-poll that finds nothing
 * then costs the recvmmsg alone. */
static int arm_slots(zt_udp_header *header, rx_arrays *a) {
  uint32_t position = 0;
  for (; position < header->capacity; position++) {
    int32_t slot = a->slot_index[position];
    if (slot < 0) break;
    if ((uint32_t)slot >= header->slot_count) return ZT_ERR(EINVAL);
    a->iov[position].iov_base = (uint8_t *)(uintptr_t)header->pool_base + (size_t)slot * header->slot_stride;
  }
  header->armed_count = position;
  header->slots_changed = 0;
  return 0;
}

static void read_control(struct msghdr *msg, zt_udp_message *message) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      message->timestamp_ns = (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
      message->flags |= ZT_UDP_TIMESTAMPED;
      return; /* the one control message asked for: CMSG_NXTHDR is a libc call per datagram */
    }
  }
}

/* Copies what the kernel reported for each datagram into the message array, and re-arms the
 * datagram's mmsghdr for the next call (only those the kernel filled need it). */
static void describe_batch(zt_udp_header *header, rx_arrays *a, int count) {
  const int with_source = (header->options & ZT_UDP_SOURCE_ADDRESS) != 0;
  for (int i = 0; i < count; i++) {
    struct mmsghdr *h = &a->headers[i];
    zt_udp_message *message = &a->messages[i];
    /* With MSG_TRUNC in the flags, msg_len is the datagram's real length. */
    uint32_t wire_length = h->msg_len;
    message->timestamp_ns = 0;
    message->slot_index = a->slot_index[i];
    message->datagram_length = (int32_t)wire_length;
    message->length = (int32_t)(wire_length < header->slot_size ? wire_length : header->slot_size);
    message->flags = (h->msg_hdr.msg_flags & MSG_TRUNC) ? ZT_UDP_TRUNCATED : 0;
    message->source_address = with_source ? ntohl(a->peers[i].sin_addr.s_addr) : 0;
    message->source_port = with_source ? ntohs(a->peers[i].sin_port) : 0;
    message->reserved = 0;
    read_control(&h->msg_hdr, message);
    rearm_message(header, h);
  }
}

static int receive_now(int fd, rx_arrays *a, uint32_t count) {
  int received;
  do received = recvmmsg(fd, a->headers, count, MSG_DONTWAIT | MSG_TRUNC, NULL);
  while (received < 0 && errno == EINTR);
  if (received >= 0) return received;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : ZT_ERR(errno);
}

/* Waits until the socket is readable: 1 when it is, 0 after timeout_ms (-1: no limit). */
static int wait_readable(int fd, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int ready;
  do ready = poll(&p, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  return ready < 0 ? ZT_ERR(errno) : ready;
}

/*
 * Receives up to `max` datagrams into the slots named by slot_index[0..max) (the caller sets
 * slots_changed after writing slot_index; -EINVAL when a position below max has no valid slot).
 * timeout_ms 0 is busy-poll (one non-blocking recvmmsg); > 0 waits that long with poll() when
 * nothing is queued; -1 waits without limit. Returns the number received, 0 when none, or -errno.
 */
ZT_EXPORT int zt_udp_rx_recv(void *rx, uint32_t max, int timeout_ms) {
  zt_udp_header *header = rx;
  if (max == 0 || max > header->capacity) return ZT_ERR(EINVAL);
  rx_arrays a = arrays_of(rx, header->capacity);
  if (header->slots_changed) {
    int armed = arm_slots(header, &a);
    if (armed) return armed;
  }
  if (max > header->armed_count) return ZT_ERR(EINVAL);
  int received = receive_now(header->fd, &a, max);
  if (received == 0 && timeout_ms != 0) {
    int ready = wait_readable(header->fd, timeout_ms);
    if (ready <= 0) return ready;
    received = receive_now(header->fd, &a, max);
  }
  if (received > 0) {
    describe_batch(header, &a, received);
  } else if (received < 0) {
    /* A failed call may have written some lengths back: re-arm every message. */
    for (uint32_t i = 0; i < max; i++) rearm_message(header, &a.headers[i]);
  }
  return received;
}

/* The socket's cumulative drop count (sk_drops) into the header's kernel_drop_count: 0, or -errno. */
ZT_EXPORT int zt_udp_rx_read_drops(void *rx) {
  zt_udp_header *header = rx;
  uint32_t meminfo[SK_MEMINFO_VARS];
  socklen_t length = sizeof(meminfo);
  if (getsockopt(header->fd, SOL_SOCKET, SO_MEMINFO, meminfo, &length) < 0) return ZT_ERR(errno);
  header->kernel_drop_count = meminfo[SK_MEMINFO_DROPS];
  return 0;
}
