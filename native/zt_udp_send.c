/*
 * UDP send by sendmmsg: one call sends a batch of datagrams, each to every destination (A/B
 * feed lines), straight from the caller's region (a mapped capture file, a pool) without a
 * copy. Destinations are set once; the mmsghdr/iovec arrays are laid out once, so a send only
 * points each iovec at its bytes and calls the kernel.
 *
 * The context is one mmap'd region (src/io/udp-send-layout.ts documents the shared part):
 *
 *   0                   64                         entries_end(N)
 *   +-------------------+--------------------------+--------------------------------------+
 *   | header (64 bytes) | entry[N], 16 bytes each: | destinations, iovec[N],              |
 *   |                   | offset (f64), length     | mmsghdr[N * MAX_DESTINATIONS] (C only)|
 *   +-------------------+--------------------------+--------------------------------------+
 *
 * Message k of a batch is packet k / D to destination k % D, so a packet goes to every line
 * before the next packet leaves, and msg_name/msg_iov of every mmsghdr never change.
 *
 * zt_udp_tx_send_segmented sends runs of equal-length packets by UDP generic segmentation
 * offload instead (UDP_SEGMENT, Linux >= 4.18): one sendmsg per run and destination, one pass
 * down the stack for up to 64 datagrams, split at the device (on loopback, on delivery), where
 * sendmmsg pays the whole stack per datagram. Each destination still sees every packet, in
 * order; A gets a run, then B the same run. Packets in no run (a length differing from both
 * neighbours) go by sendmmsg as before, and so does everything once the kernel refuses GSO.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "zt_socket.h"

#define ZT_UDP_TX_HEADER_LENGTH 64u
#define ZT_UDP_TX_ENTRY_LENGTH 16u
#define ZT_UDP_TX_MAX_BATCH 1024u
#define ZT_UDP_TX_MAX_DESTINATIONS 8u
/* How long a full socket buffer may block one send before it is reported as EAGAIN. */
#define ZT_UDP_TX_WRITABLE_TIMEOUT_MS 1000

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h; older libc headers lack it */
#endif
/* One GSO send: the kernel's UDP_MAX_SEGMENTS (64 until 6.x raised it) and an IPv4 datagram's payload. */
#define ZT_UDP_GSO_MAX_SEGMENTS 64u
#define ZT_UDP_GSO_MAX_BYTES 65507u
/* send_segmented's answer when the kernel refused the run: the caller sends it by sendmmsg. */
#define ZT_UDP_GSO_REFUSED 1

typedef struct zt_udp_tx_header {
  uint32_t capacity;          /* N: packets per send */
  uint32_t destination_count; /* D */
  int32_t fd;
  uint32_t reserved0;
  double datagrams_sent;      /* cumulative, every destination counted */
  double blocked_count;       /* sends that found the socket buffer full and waited */
  double gso_sends;           /* sendmsg calls that sent a run by UDP_SEGMENT */
  double gso_datagrams;       /* datagrams that left in them, every destination counted */
  int32_t gso_refused_errno;  /* 0, or why the kernel refused GSO: every run goes by sendmmsg since */
  uint32_t gso_refused_size;  /* 0, or the smallest segment the route refused (EMSGSIZE: above its MTU) */
  uint8_t reserved[8];
} zt_udp_tx_header;

/* Where the bytes of one packet are: an offset into the region given to each send. */
typedef struct zt_udp_tx_entry {
  double offset;   /* exact below 2^53: any file we can map */
  uint32_t length;
  uint32_t reserved;
} zt_udp_tx_entry;

_Static_assert(sizeof(zt_udp_tx_header) == ZT_UDP_TX_HEADER_LENGTH, "the header is one cache line");
_Static_assert(offsetof(zt_udp_tx_header, datagrams_sent) == 16 && offsetof(zt_udp_tx_header, blocked_count) == 24 &&
                   offsetof(zt_udp_tx_header, gso_sends) == 32 && offsetof(zt_udp_tx_header, gso_datagrams) == 40 &&
                   offsetof(zt_udp_tx_header, gso_refused_errno) == 48 && offsetof(zt_udp_tx_header, gso_refused_size) == 52,
               "header offsets match udp-send-layout.ts");
_Static_assert(sizeof(zt_udp_tx_entry) == ZT_UDP_TX_ENTRY_LENGTH && offsetof(zt_udp_tx_entry, length) == 8,
               "entry offsets match udp-send-layout.ts");

typedef struct tx_arrays {
  zt_udp_tx_entry *entries;
  struct sockaddr_in *destinations;
  struct iovec *iov;
  struct mmsghdr *headers;
} tx_arrays;

static size_t align64(size_t value) { return (value + 63) & ~(size_t)63; }

static size_t entries_end(uint32_t capacity) {
  return align64(ZT_UDP_TX_HEADER_LENGTH + (size_t)ZT_UDP_TX_ENTRY_LENGTH * capacity);
}

static size_t region_length(uint32_t capacity) {
  return entries_end(capacity) + align64(sizeof(struct sockaddr_in) * ZT_UDP_TX_MAX_DESTINATIONS) +
         align64(sizeof(struct iovec) * capacity) +
         align64(sizeof(struct mmsghdr) * capacity * ZT_UDP_TX_MAX_DESTINATIONS);
}

static tx_arrays arrays_of(uint8_t *region, uint32_t capacity) {
  tx_arrays a;
  size_t offset = entries_end(capacity);
  a.entries = (zt_udp_tx_entry *)(region + ZT_UDP_TX_HEADER_LENGTH);
  a.destinations = (struct sockaddr_in *)(region + offset);
  offset += align64(sizeof(struct sockaddr_in) * ZT_UDP_TX_MAX_DESTINATIONS);
  a.iov = (struct iovec *)(region + offset);
  offset += align64(sizeof(struct iovec) * capacity);
  a.headers = (struct mmsghdr *)(region + offset);
  return a;
}

/* Bytes TypeScript views: the header and the entries. */
ZT_EXPORT uint32_t zt_udp_tx_shared_length(uint32_t capacity) {
  return (uint32_t)entries_end(capacity);
}

/* 0 when the kernel knows UDP_SEGMENT, else the errno (ENOPROTOOPT before 4.18). Asked up front
 * because an older kernel ignores the unknown cmsg and would send a run as one big datagram. */
static int gso_support(int fd) {
  int segment_size;
  socklen_t length = sizeof(segment_size);
  return getsockopt(fd, SOL_UDP, UDP_SEGMENT, &segment_size, &length) == 0 ? 0 : errno;
}

/* Lays out a send context for `fd`. Returns 0 and the context in *out, or -errno. */
ZT_EXPORT int zt_udp_tx_create(int fd, uint32_t capacity, void **out) {
  *out = NULL;
  if (capacity == 0 || capacity > ZT_UDP_TX_MAX_BATCH) return ZT_ERR(EINVAL);
  uint8_t *region = mmap(NULL, region_length(capacity), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return ZT_ERR(errno);
  zt_udp_tx_header *header = (zt_udp_tx_header *)region;
  *header = (zt_udp_tx_header){.capacity = capacity, .fd = fd, .gso_refused_errno = gso_support(fd)};
  *out = region;
  return 0;
}

ZT_EXPORT int zt_udp_tx_destroy(void *tx) {
  zt_udp_tx_header *header = tx;
  return munmap(tx, region_length(header->capacity)) == 0 ? 0 : ZT_ERR(errno);
}

/* Points every mmsghdr at its packet's iovec and its destination: done once per destination
 * added, never per send. */
static void lay_out_messages(zt_udp_tx_header *header, tx_arrays *a) {
  uint32_t destinations = header->destination_count;
  for (uint32_t packet = 0; packet < header->capacity; packet++) {
    for (uint32_t d = 0; d < destinations; d++) {
      struct msghdr *m = &a->headers[packet * destinations + d].msg_hdr;
      *m = (struct msghdr){.msg_name = &a->destinations[d], .msg_namelen = sizeof(struct sockaddr_in),
                           .msg_iov = &a->iov[packet], .msg_iovlen = 1};
    }
  }
}

/* Adds a destination; returns its index, -EINVAL for a bad address, -ENOSPC past the maximum. */
ZT_EXPORT int zt_udp_tx_add_destination(void *tx, const char *ip, int port) {
  zt_udp_tx_header *header = tx;
  if (header->destination_count == ZT_UDP_TX_MAX_DESTINATIONS) return ZT_ERR(ENOSPC);
  tx_arrays a = arrays_of(tx, header->capacity);
  int invalid = zt_ipv4_address(ip, port, &a.destinations[header->destination_count]);
  if (invalid) return invalid;
  int index = (int)header->destination_count++;
  lay_out_messages(header, &a);
  return index;
}

/* Multicast destinations leave by this interface (index from if_nametoindex) with this TTL. */
ZT_EXPORT int zt_udp_tx_set_multicast(int fd, int interface_index, int ttl) {
  struct ip_mreqn request = {.imr_ifindex = interface_index};
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof(request)) != 0) return ZT_ERR(errno);
  return zt_set_int_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl);
}

static int wait_writable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  int ready;
  do ready = poll(&p, 1, ZT_UDP_TX_WRITABLE_TIMEOUT_MS);
  while (ready < 0 && errno == EINTR);
  if (ready < 0) return ZT_ERR(errno);
  return ready == 0 ? ZT_ERR(EAGAIN) : 0;
}

/* After a failed send (errno set): 0 to try again (interrupted, or the full buffer drained), else -errno. */
static int retry_after_failure(zt_udp_tx_header *header) {
  if (errno == EINTR) return 0;
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) return ZT_ERR(errno);
  header->blocked_count += 1;
  return wait_writable(header->fd);
}

/* Sends `count` prepared messages by sendmmsg (more calls only if the kernel takes part). 0 or -errno. */
static int send_messages(zt_udp_tx_header *header, struct mmsghdr *messages, uint32_t count) {
  uint32_t sent = 0;
  while (sent < count) {
    int result = sendmmsg(header->fd, &messages[sent], count - sent, MSG_DONTWAIT);
    if (result >= 0) {
      sent += (uint32_t)result;
      header->datagrams_sent += result;
      continue;
    }
    int failed = retry_after_failure(header);
    if (failed) return failed;
  }
  return 0;
}

/* Validates entry[0 .. count) against the region and points iov[i] at packet i; 0 or -ERANGE. */
static int point_at_packets(tx_arrays *a, const uint8_t *region, double region_length, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) {
    double offset = a->entries[i].offset;
    uint32_t length = a->entries[i].length;
    if (!(offset >= 0) || offset + length > region_length) return ZT_ERR(ERANGE);
    a->iov[i].iov_base = (void *)(region + (size_t)offset);
    a->iov[i].iov_len = length;
  }
  return 0;
}

/* Checks a send's arguments and prepares its iovecs; 0 or -errno, and nothing is sent on error. */
static int prepare_send(zt_udp_tx_header *header, tx_arrays *a, const uint8_t *region, double region_length, uint32_t count) {
  if (count == 0 || count > header->capacity || header->destination_count == 0) return ZT_ERR(EINVAL);
  return point_at_packets(a, region, region_length, count);
}

/*
 * Sends packets entry[0 .. count) to every destination, from `region` (region_length bytes).
 * A full socket buffer (EAGAIN, ENOBUFS) waits until it drains, so the caller sees either the
 * whole batch sent or an error (datagrams_sent counts what left before it). Returns the datagrams sent (count * D) or -errno; an entry
 * outside the region is -ERANGE and nothing is sent.
 */
ZT_EXPORT int zt_udp_tx_send(void *tx, const uint8_t *region, double region_length, uint32_t count) {
  zt_udp_tx_header *header = tx;
  tx_arrays a = arrays_of(tx, header->capacity);
  int invalid = prepare_send(header, &a, region, region_length, count);
  if (invalid) return invalid;
  int failed = send_messages(header, a.headers, count * header->destination_count);
  return failed ? failed : (int)(count * header->destination_count);
}

/*
 * How many packets from `first` make one GSO send: those with the length of `first` (the gso
 * size), and at most one shorter but not empty one to end the run (an empty last segment would
 * vanish), within the kernel's limits on segments and bytes. 1 means no run.
 */
static uint32_t run_length(const struct iovec *iov, uint32_t first, uint32_t count) {
  size_t segment_length = iov[first].iov_len;
  size_t bytes = segment_length;
  uint32_t end = first + 1;
  while (end < count && end - first < ZT_UDP_GSO_MAX_SEGMENTS) {
    size_t length = iov[end].iov_len;
    if (length == 0 || length > segment_length || bytes + length > ZT_UDP_GSO_MAX_BYTES) break;
    bytes += length;
    end++;
    if (length < segment_length) break;
  }
  return end - first;
}

static int gso_applies(const zt_udp_tx_header *header, size_t segment_length, uint32_t packets) {
  return packets > 1 && header->gso_refused_errno == 0 && (header->gso_refused_size == 0 || segment_length < header->gso_refused_size);
}

/*
 * One sendmsg carrying a run as UDP_SEGMENT segments. 0 when sent; ZT_UDP_GSO_REFUSED when the
 * kernel will not segment it: EMSGSIZE (a segment above the route's MTU: that size and larger
 * are sent by sendmmsg from now on), EINVAL/EIO/ENOPROTOOPT/EOPNOTSUPP (no GSO for this socket
 * or device: off for good, the errno kept for TypeScript to report once); else -errno.
 */
static int send_segmented(zt_udp_tx_header *header, const struct msghdr *message, uint32_t segments, uint32_t segment_length) {
  for (;;) {
    if (sendmsg(header->fd, message, MSG_DONTWAIT) >= 0) {
      header->gso_sends += 1;
      header->gso_datagrams += segments;
      header->datagrams_sent += segments;
      return 0;
    }
    if (errno == EMSGSIZE) {
      if (header->gso_refused_size == 0 || segment_length < header->gso_refused_size) header->gso_refused_size = segment_length;
      return ZT_UDP_GSO_REFUSED;
    }
    if (errno == EINVAL || errno == EIO || errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
      header->gso_refused_errno = errno;
      return ZT_UDP_GSO_REFUSED;
    }
    int failed = retry_after_failure(header);
    if (failed) return failed;
  }
}

/* A refused run, to one destination, by sendmmsg: messages built here, as the laid-out ones interleave destinations. */
static int send_run_by_sendmmsg(zt_udp_tx_header *header, tx_arrays *a, uint32_t destination, uint32_t first, uint32_t packets) {
  struct mmsghdr messages[ZT_UDP_GSO_MAX_SEGMENTS];
  for (uint32_t i = 0; i < packets; i++) {
    messages[i].msg_hdr = (struct msghdr){.msg_name = &a->destinations[destination], .msg_namelen = sizeof(struct sockaddr_in),
                                          .msg_iov = &a->iov[first + i], .msg_iovlen = 1};
  }
  return send_messages(header, messages, packets);
}

/* Packets [first, first + packets), one run, to every destination: by GSO while the kernel takes it. */
static int send_run(zt_udp_tx_header *header, tx_arrays *a, uint32_t first, uint32_t packets) {
  uint16_t segment_length = (uint16_t)a->iov[first].iov_len;
  union {
    char bytes[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } control = {0};
  struct msghdr message = {.msg_namelen = sizeof(struct sockaddr_in), .msg_iov = &a->iov[first], .msg_iovlen = packets,
                           .msg_control = control.bytes, .msg_controllen = sizeof(control.bytes)};
  struct cmsghdr *segment = CMSG_FIRSTHDR(&message);
  segment->cmsg_level = SOL_UDP;
  segment->cmsg_type = UDP_SEGMENT;
  segment->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  memcpy(CMSG_DATA(segment), &segment_length, sizeof(segment_length));
  for (uint32_t d = 0; d < header->destination_count; d++) {
    message.msg_name = &a->destinations[d];
    int result = gso_applies(header, segment_length, packets) ? send_segmented(header, &message, packets, segment_length)
                                                                : ZT_UDP_GSO_REFUSED;
    if (result == ZT_UDP_GSO_REFUSED) result = send_run_by_sendmmsg(header, a, d, first, packets);
    if (result) return result;
  }
  return 0;
}

/*
 * As zt_udp_tx_send, but each run of equal-length packets (see run_length) leaves as one GSO
 * sendmsg per destination; the packets between runs, by sendmmsg, in order. Returns the
 * datagrams sent (count * D) or -errno.
 */
ZT_EXPORT int zt_udp_tx_send_segmented(void *tx, const uint8_t *region, double region_length, uint32_t count) {
  zt_udp_tx_header *header = tx;
  uint32_t destinations = header->destination_count;
  tx_arrays a = arrays_of(tx, header->capacity);
  int invalid = prepare_send(header, &a, region, region_length, count);
  if (invalid) return invalid;
  uint32_t unsent = 0; /* packets [unsent, first) are in no run: they leave together by sendmmsg */
  for (uint32_t first = 0; first < count;) {
    uint32_t packets = run_length(a.iov, first, count);
    if (!gso_applies(header, a.iov[first].iov_len, packets)) {
      first += packets;
      continue;
    }
    int failed = send_messages(header, &a.headers[unsent * destinations], (first - unsent) * destinations);
    if (!failed) failed = send_run(header, &a, first, packets);
    if (failed) return failed;
    first += packets;
    unsent = first;
  }
  int failed = send_messages(header, &a.headers[unsent * destinations], (count - unsent) * destinations);
  return failed ? failed : (int)(count * destinations);
}
