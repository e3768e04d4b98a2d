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
 */
#define _GNU_SOURCE
#include <netinet/in.h>
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

typedef struct zt_udp_tx_header {
  uint32_t capacity;          /* N: packets per send */
  uint32_t destination_count; /* D */
  int32_t fd;
  uint32_t reserved0;
  double datagrams_sent;      /* cumulative, every destination counted */
  double blocked_count;       /* sends that found the socket buffer full and waited */
  uint8_t reserved[32];
} zt_udp_tx_header;

/* Where the bytes of one packet are: an offset into the region given to each send. */
typedef struct zt_udp_tx_entry {
  double offset;   /* exact below 2^53: any file we can map */
  uint32_t length;
  uint32_t reserved;
} zt_udp_tx_entry;

_Static_assert(sizeof(zt_udp_tx_header) == ZT_UDP_TX_HEADER_LENGTH, "the header is one cache line");
_Static_assert(offsetof(zt_udp_tx_header, datagrams_sent) == 16 && offsetof(zt_udp_tx_header, blocked_count) == 24,
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

/* Lays out a send context for `fd`. Returns 0 and the context in *out, or -errno. */
ZT_EXPORT int zt_udp_tx_create(int fd, uint32_t capacity, void **out) {
  *out = NULL;
  if (capacity == 0 || capacity > ZT_UDP_TX_MAX_BATCH) return ZT_ERR(EINVAL);
  uint8_t *region = mmap(NULL, region_length(capacity), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region == MAP_FAILED) return ZT_ERR(errno);
  zt_udp_tx_header *header = (zt_udp_tx_header *)region;
  *header = (zt_udp_tx_header){.capacity = capacity, .fd = fd};
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

/*
 * Sends packets entry[0 .. count) to every destination, from `region` (region_length bytes).
 * A full socket buffer (EAGAIN, ENOBUFS) waits until it drains, so the caller sees either the
 * whole batch sent or an error (datagrams_sent counts what left before it). Returns the datagrams sent (count * D) or -errno; an entry
 * outside the region is -ERANGE and nothing is sent.
 */
ZT_EXPORT int zt_udp_tx_send(void *tx, const uint8_t *region, double region_length, uint32_t count) {
  zt_udp_tx_header *header = tx;
  uint32_t destinations = header->destination_count;
  if (count == 0 || count > header->capacity || destinations == 0) return ZT_ERR(EINVAL);
  tx_arrays a = arrays_of(tx, header->capacity);
  for (uint32_t i = 0; i < count; i++) {
    double offset = a.entries[i].offset;
    uint32_t length = a.entries[i].length;
    if (!(offset >= 0) || offset + length > region_length) return ZT_ERR(ERANGE);
    a.iov[i].iov_base = (void *)(region + (size_t)offset);
    a.iov[i].iov_len = length;
  }
  uint32_t total = count * destinations;
  uint32_t sent = 0;
  while (sent < total) {
    int result = sendmmsg(header->fd, &a.headers[sent], total - sent, MSG_DONTWAIT);
    if (result >= 0) {
      sent += (uint32_t)result;
      header->datagrams_sent += result;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) return ZT_ERR(errno);
    header->blocked_count += 1;
    int waited = wait_writable(header->fd);
    if (waited) return waited;
  }
  return (int)total;
}
