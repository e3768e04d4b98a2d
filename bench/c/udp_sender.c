/*
 * Sends `count` UDP datagrams of `size` bytes to 127.0.0.1:`port` at `rate` datagrams per
 * second, each carrying its sequence number and the trial id (bench_datagram.h).
 *
 * Pacing is a busy-wait against CLOCK_MONOTONIC: at every turn the datagrams due by now are sent
 * with sendmmsg, up to `batch` per call, so the offered load is even over the run instead of
 * arriving in bursts (a sleep-based sender would burst after every wakeup). When the sender
 * cannot keep up, achievedRate says so and the harness reports the trial as sender-bound.
 *
 *   udp_sender --port P --size BYTES --count N --rate PER_SECOND --trial ID [--batch MAX]
 * Prints one JSON line: {"sent":…,"elapsedNs":…,"offeredRate":…,"achievedRate":…,"sendErrors":…}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_datagram.h"

#define MAX_BATCH 1024

struct options {
  int port;
  size_t size;
  uint64_t count;
  double rate;
  uint32_t trial;
  unsigned batch;
};

static void usage_and_exit(const char *problem) {
  fprintf(stderr, "udp_sender: %s\nusage: udp_sender --port P --size BYTES --count N --rate PER_SECOND --trial ID [--batch MAX<=%d]\n",
          problem, MAX_BATCH);
  exit(2);
}

static struct options parse_options(int argc, char **argv) {
  static const struct option long_options[] = {
      {"port", required_argument, 0, 'p'},  {"size", required_argument, 0, 's'},  {"count", required_argument, 0, 'n'},
      {"rate", required_argument, 0, 'r'},  {"trial", required_argument, 0, 't'}, {"batch", required_argument, 0, 'b'},
      {0, 0, 0, 0},
  };
  struct options options = {.port = 0, .size = 64, .count = 0, .rate = 0, .trial = 0, .batch = 64};
  int option;
  while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (option) {
    case 'p': options.port = atoi(optarg); break;
    case 's': options.size = strtoul(optarg, NULL, 10); break;
    case 'n': options.count = strtoull(optarg, NULL, 10); break;
    case 'r': options.rate = strtod(optarg, NULL); break;
    case 't': options.trial = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'b': options.batch = (unsigned)strtoul(optarg, NULL, 10); break;
    default: usage_and_exit("unknown option");
    }
  }
  if (options.port <= 0 || options.port > 65535) usage_and_exit("--port must be 1..65535");
  if (options.size < BENCH_HEADER_LENGTH || options.size > BENCH_MAX_PAYLOAD) usage_and_exit("--size must be 16..65507");
  if (options.count == 0 || options.rate <= 0) usage_and_exit("--count and --rate must be positive");
  if (options.batch == 0 || options.batch > MAX_BATCH) usage_and_exit("--batch must be 1..1024");
  return options;
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
    int result = sendmmsg(fd, messages, (unsigned)batch, 0);
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
