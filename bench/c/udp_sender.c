/*
 * Sends `count` UDP datagrams of `size` bytes to 127.0.0.1:`port` at `rate` datagrams per
 * second, each carrying its sequence number and the trial id (bench_datagram.h).
 *
 * Pacing is a busy-wait against CLOCK_MONOTONIC: at every turn the datagrams due by now are sent
 * with sendmmsg, up to `batch` per call, so the offered load is even over the run instead of
 * arriving in bursts (a sleep-based sender would burst after every wakeup). When the sender
 * cannot keep up, achievedRate says so and the harness reports the trial as sender-bound.
 *
 * On loopback the sender also pays for the delivery (route, skb, softirq, socket enqueue) of
 * every datagram it sends, several times what the receiver pays to read it: a sendmmsg sender
 * cannot offer a socket receiver enough to find its limit. --gso sends each turn's datagrams as
 * one UDP_SEGMENT message instead (Linux >= 4.18): one pass down the stack, split into the same
 * datagrams when the receiving socket takes them. Only a socket receiver sees those datagrams:
 * an AF_PACKET ring on lo sees the one unsplit packet.
 *
 * --port 0 sends to a socket of its own that is never read: the sender's ceiling, delivery and
 * drops at the full socket included.
 *
 *   udp_sender --port P --size BYTES --count N --rate PER_SECOND --trial ID [--batch MAX] [--gso]
 * Prints one JSON line: {"sent":…,"elapsedNs":…,"offeredRate":…,"achievedRate":…,"sendErrors":…}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_datagram.h"

#define MAX_BATCH 1024
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
/* Segments per UDP_SEGMENT message the kernel accepts (UDP_MAX_SEGMENTS; 128 only since 6.9). */
#define MAX_GSO_SEGMENTS 64
/* Bytes of UDP payload one IPv4 datagram can carry: the limit on a whole GSO message. */
#define MAX_UDP_PAYLOAD 65507

struct options {
  int port;
  size_t size;
  uint64_t count;
  double rate;
  uint32_t trial;
  unsigned batch;
  int gso;
};

static void usage_and_exit(const char *problem) {
  fprintf(stderr, "udp_sender: %s\nusage: udp_sender --port P --size BYTES --count N --rate PER_SECOND --trial ID [--batch MAX<=%d] [--gso]\n",
          problem, MAX_BATCH);
  exit(2);
}

static struct options parse_options(int argc, char **argv) {
  static const struct option long_options[] = {
      {"port", required_argument, 0, 'p'},  {"size", required_argument, 0, 's'},  {"count", required_argument, 0, 'n'},
      {"rate", required_argument, 0, 'r'},  {"trial", required_argument, 0, 't'}, {"batch", required_argument, 0, 'b'},
      {"gso", no_argument, 0, 'g'},         {0, 0, 0, 0},
  };
  struct options options = {.port = -1, .size = 64, .count = 0, .rate = 0, .trial = 0, .batch = 64, .gso = 0};
  int option;
  while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (option) {
    case 'p': options.port = atoi(optarg); break;
    case 's': options.size = strtoul(optarg, NULL, 10); break;
    case 'n': options.count = strtoull(optarg, NULL, 10); break;
    case 'r': options.rate = strtod(optarg, NULL); break;
    case 't': options.trial = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'b': options.batch = (unsigned)strtoul(optarg, NULL, 10); break;
    case 'g': options.gso = 1; break;
    default: usage_and_exit("unknown option");
    }
  }
  if (options.port < 0 || options.port > 65535) usage_and_exit("--port must be 0..65535");
  if (options.size < BENCH_HEADER_LENGTH || options.size > BENCH_MAX_PAYLOAD) usage_and_exit("--size must be 16..65507");
  if (options.count == 0 || options.rate <= 0) usage_and_exit("--count and --rate must be positive");
  if (options.batch == 0 || options.batch > MAX_BATCH) usage_and_exit("--batch must be 1..1024");
  if (options.gso) {
    unsigned fitting = (unsigned)(MAX_UDP_PAYLOAD / options.size);
    if (options.batch > MAX_GSO_SEGMENTS) options.batch = MAX_GSO_SEGMENTS;
    if (options.batch > fitting) options.batch = fitting;
  }
  return options;
}

/* A socket on 127.0.0.1 that nobody reads, for --port 0: returns its port. */
static uint16_t bind_sink(void) {
  int sink = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (sink < 0 || bind(sink, (struct sockaddr *)&address, sizeof address) != 0 ||
      getsockname(sink, (struct sockaddr *)&address, &length) != 0) {
    perror("udp_sender: sink socket");
    exit(1);
  }
  return address.sin_port; /* stays open until the sender exits */
}

/* One UDP_SEGMENT message over iov[0..count): the kernel splits it into `size`-byte datagrams. */
struct gso_message {
  struct msghdr header;
  union {
    char bytes[CMSG_SPACE(sizeof(uint16_t))];
    struct cmsghdr align;
  } control;
};

static void prepare_gso(struct gso_message *message, struct sockaddr_in *destination, struct iovec *iov, uint16_t size) {
  memset(message, 0, sizeof *message);
  message->header.msg_name = destination;
  message->header.msg_namelen = sizeof *destination;
  message->header.msg_iov = iov;
  message->header.msg_control = message->control.bytes;
  message->header.msg_controllen = sizeof message->control.bytes;
  struct cmsghdr *segment = CMSG_FIRSTHDR(&message->header);
  segment->cmsg_level = SOL_UDP;
  segment->cmsg_type = UDP_SEGMENT;
  segment->cmsg_len = CMSG_LEN(sizeof size);
  memcpy(CMSG_DATA(segment), &size, sizeof size);
}

/* Sends iov[0..count) as datagrams: the number sent, or -1 with errno. */
static int send_datagrams(int fd, int gso, struct mmsghdr *messages, struct gso_message *segmented, unsigned count) {
  if (!gso) return sendmmsg(fd, messages, count, 0);
  segmented->header.msg_iovlen = count;
  return sendmsg(fd, &segmented->header, 0) < 0 ? -1 : (int)count;
}

int main(int argc, char **argv) {
  const struct options options = parse_options(argc, argv);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("udp_sender: socket");
    return 1;
  }
  struct sockaddr_in destination = {.sin_family = AF_INET, .sin_port = htons((uint16_t)options.port)};
  destination.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (options.port == 0) destination.sin_port = bind_sink();
  /* Not connected: an unconnected socket gets no ICMP port-unreachable errors back, so a receiver
   * that binds no socket (the AF_PACKET ring) does not make sends fail. */

  unsigned char *payloads = calloc(options.batch, options.size);
  static struct iovec iov[MAX_BATCH];
  static struct mmsghdr messages[MAX_BATCH];
  if (payloads == NULL) {
    perror("udp_sender: calloc");
    return 1;
  }
  for (unsigned i = 0; i < options.batch; i++) {
    unsigned char *payload = payloads + (size_t)i * options.size;
    bench_write_u32(payload + BENCH_TRIAL_OFFSET, options.trial);
    memset(payload + BENCH_HEADER_LENGTH, 0xa5, options.size - BENCH_HEADER_LENGTH);
    iov[i].iov_base = payload;
    iov[i].iov_len = options.size;
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &destination;
    messages[i].msg_hdr.msg_namelen = sizeof destination;
  }
  static struct gso_message segmented;
  prepare_gso(&segmented, &destination, iov, (uint16_t)options.size);

  const double ns_per_datagram = 1e9 / options.rate;
  uint64_t sent = 0;
  uint64_t send_errors = 0;
  const uint64_t start = bench_monotonic_ns();
  while (sent < options.count) {
    const uint64_t elapsed = bench_monotonic_ns() - start;
    uint64_t due = (uint64_t)((double)elapsed / ns_per_datagram) + 1;
    if (due > options.count) due = options.count;
    if (due <= sent) continue; /* busy-wait: the next datagram is not due yet */
    uint64_t batch = due - sent;
    if (batch > options.batch) batch = options.batch;
    for (uint64_t i = 0; i < batch; i++) bench_write_u64(payloads + i * options.size + BENCH_SEQUENCE_OFFSET, sent + i);
    int result = send_datagrams(fd, options.gso, messages, &segmented, (unsigned)batch);
    if (result < 0) {
      if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN) {
        perror("udp_sender: sendmmsg");
        return 1;
      }
      send_errors++; /* interrupted, or the device queue was full: try the same datagrams again */
      continue;
    }
    sent += (uint64_t)result;
  }
  const uint64_t elapsed_ns = bench_monotonic_ns() - start;
  printf("{\"sent\":%llu,\"elapsedNs\":%llu,\"offeredRate\":%.0f,\"achievedRate\":%.0f,\"sendErrors\":%llu}\n",
         (unsigned long long)sent, (unsigned long long)elapsed_ns, options.rate, (double)sent * 1e9 / (double)elapsed_ns,
         (unsigned long long)send_errors);
  free(payloads);
  close(fd);
  return 0;
}
