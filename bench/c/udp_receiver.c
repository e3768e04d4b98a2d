/*
 * The reference receiver: a plain C recvmmsg busy-poll loop, the most this machine can take in
 * through a UDP socket. It serves the I/O bench's receiver protocol (bench/io/protocol.ts):
 *
 *   stdout: {"ready":true,"port":<port>}         once the socket is bound (port 0: the kernel's choice)
 *   stdin:  trial <id> <count>                   one line per trial
 *   stdout: {"armed":<id>}                        polling has started
 *   stdout: {"trial":<id>,"received":…,"maxSequence":…,"elapsedNs":…,"cpuNs":…,"userNs":…,"systemNs":…}
 *                                                 after <count> datagrams of that trial, or when
 *                                                 none came for the idle timeout
 *
 *   udp_receiver [--port P] [--rcvbuf BYTES] [--rcvbuf-force] [--batch N] [--idle-ms MS] [--timestamps] [--source-address]
 *
 * --rcvbuf-force asks for the buffer by SO_RCVBUFFORCE, which net.core.rmem_max does not cap
 * (CAP_NET_ADMIN); without the privilege it falls back to SO_RCVBUF. The ready line reports the
 * size the kernel granted: {"ready":true,"port":<port>,"receiveBufferBytes":<bytes>}.
 *
 * --timestamps asks for what zerotick's feed receiver asks of the kernel for every datagram: a
 * receive timestamp (SO_TIMESTAMPNS), read from the control message; --source-address adds the
 * source (msg_name), which zerotick asks for only when told.
 * They tell the kernel's share of a gap apart from the JS side's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_datagram.h"

#define MAX_BATCH 1024
/* Before the first datagram of a trial the sender may still be starting (a tsx producer takes a second). */
#define FIRST_DATAGRAM_TIMEOUT_NS 10000000000ull
/* Room for any datagram: a receiver that truncated would still count it, but must not corrupt memory. */
#define SLOT_BYTES 2048

struct options {
  int port;
  int rcvbuf;
  int rcvbuf_force;
  unsigned batch;
  unsigned idle_ms;
  int timestamps;
  int source_address;
};

/* Room for SCM_TIMESTAMPNS (a timespec) with its cmsghdr, as zt_udp.c gives the kernel. */
#define CONTROL_BYTES 64
_Static_assert(CMSG_SPACE(sizeof(struct timespec)) <= CONTROL_BYTES, "control buffer too small");

struct trial_result {
  uint64_t received;
  uint64_t max_sequence;
  uint64_t elapsed_ns;
  uint64_t cpu_ns; /* this thread's CPU time over the trial */
  uint64_t user_ns;   /* ... of which in user space, */
  uint64_t system_ns; /* ... and in the kernel (tick-sampled) */
};

static unsigned char slots[MAX_BATCH][SLOT_BYTES];
static struct iovec iov[MAX_BATCH];
static struct mmsghdr messages[MAX_BATCH];
static struct sockaddr_in peers[MAX_BATCH];
static unsigned char controls[MAX_BATCH][CONTROL_BYTES];
/* Every timestamp read is added here: volatile, so the reads are not optimised away. */
static volatile uint64_t control_sink;

static void usage_and_exit(const char *problem) {
  fprintf(stderr, "udp_receiver: %s\nusage: udp_receiver [--port P] [--rcvbuf BYTES] [--rcvbuf-force] [--batch N<=%d] [--idle-ms MS] [--timestamps] [--source-address]\n", problem,
          MAX_BATCH);
  exit(2);
}

static struct options parse_options(int argc, char **argv) {
  static const struct option long_options[] = {
      {"port", required_argument, 0, 'p'},  {"rcvbuf", required_argument, 0, 'r'},
      {"batch", required_argument, 0, 'b'}, {"idle-ms", required_argument, 0, 'i'},
      {"timestamps", no_argument, 0, 't'},  {"source-address", no_argument, 0, 'a'},
      {"rcvbuf-force", no_argument, 0, 'f'}, {0, 0, 0, 0},
  };
  struct options options = {.port = 0, .rcvbuf = 4 << 20, .rcvbuf_force = 0, .batch = 64, .idle_ms = 300, .timestamps = 0, .source_address = 0};
  int option;
  while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (option) {
    case 'p': options.port = atoi(optarg); break;
    case 'r': options.rcvbuf = atoi(optarg); break;
    case 'b': options.batch = (unsigned)strtoul(optarg, NULL, 10); break;
    case 'i': options.idle_ms = (unsigned)strtoul(optarg, NULL, 10); break;
    case 't': options.timestamps = 1; break;
    case 'a': options.source_address = 1; break;
    case 'f': options.rcvbuf_force = 1; break;
    default: usage_and_exit("unknown option");
    }
  }
  if (options.port < 0 || options.port > 65535) usage_and_exit("--port must be 0..65535");
  if (options.batch == 0 || options.batch > MAX_BATCH) usage_and_exit("--batch must be 1..1024");
  return options;
}

static int bound_port(int fd) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) {
    perror("udp_receiver: getsockname");
    exit(1);
  }
  return ntohs(address.sin_port);
}

/* SO_RCVBUFFORCE when asked and allowed (CAP_NET_ADMIN), else SO_RCVBUF, which rmem_max caps. */
static void set_receive_buffer(int fd, const struct options *options) {
  if (options->rcvbuf_force && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &options->rcvbuf, sizeof options->rcvbuf) == 0) return;
  if (options->rcvbuf_force && errno != EPERM) {
    perror("udp_receiver: setsockopt SO_RCVBUFFORCE");
    exit(1);
  }
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options->rcvbuf, sizeof options->rcvbuf) != 0) {
    perror("udp_receiver: setsockopt SO_RCVBUF");
    exit(1);
  }
}

/* What the kernel granted: twice the request (its bookkeeping), capped unless forced. */
static int granted_receive_buffer(int fd) {
  int granted = 0;
  socklen_t length = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length) != 0) {
    perror("udp_receiver: getsockopt SO_RCVBUF");
    exit(1);
  }
  return granted;
}

static int bind_socket(const struct options *options) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    perror("udp_receiver: socket");
    exit(1);
  }
  set_receive_buffer(fd, options);
  const int on = 1;
  if (options->timestamps && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    perror("udp_receiver: setsockopt SO_TIMESTAMPNS");
    exit(1);
  }
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)options->port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    fprintf(stderr, "udp_receiver: bind 127.0.0.1:%d: %s\n", options->port, strerror(errno));
    exit(1);
  }
  return fd;
}

/* The kernel rewrites these lengths in every message it fills: reset them for the next call. */
static void rearm(struct msghdr *header) {
  header->msg_namelen = header->msg_name == NULL ? 0 : sizeof(struct sockaddr_in);
  header->msg_controllen = header->msg_control == NULL ? 0 : CONTROL_BYTES;
}

static void read_control(struct msghdr *header) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      control_sink += (uint64_t)ts.tv_nsec;
    }
  }
}

static struct trial_result run_trial(int fd, const struct options *options, uint32_t trial, uint64_t count) {
  struct trial_result result = {0, 0, 0, 0, 0, 0};
  const uint64_t idle_ns = (uint64_t)options->idle_ms * 1000000u;
  const uint64_t start = bench_monotonic_ns();
  const uint64_t start_cpu = bench_thread_cpu_ns();
  const struct bench_thread_usage start_usage = bench_thread_usage();
  uint64_t last_datagram = start;
  while (result.received < count) {
    int n = recvmmsg(fd, messages, options->batch, MSG_DONTWAIT, NULL);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        perror("udp_receiver: recvmmsg");
        exit(1);
      }
      const uint64_t timeout_ns = result.received == 0 ? FIRST_DATAGRAM_TIMEOUT_NS : idle_ns;
      if (bench_monotonic_ns() - last_datagram > timeout_ns) break;
      continue;
    }
    for (int i = 0; i < n; i++) {
      const unsigned char *payload = slots[i];
      if (options->timestamps) read_control(&messages[i].msg_hdr);
      if (options->timestamps || options->source_address) rearm(&messages[i].msg_hdr);
      if (messages[i].msg_len < BENCH_HEADER_LENGTH || bench_read_u32(payload + BENCH_TRIAL_OFFSET) != trial) continue;
      const uint64_t sequence = bench_read_u64(payload + BENCH_SEQUENCE_OFFSET);
      if (sequence > result.max_sequence) result.max_sequence = sequence;
      result.received++;
    }
    last_datagram = bench_monotonic_ns();
  }
  result.elapsed_ns = bench_monotonic_ns() - start;
  result.cpu_ns = bench_thread_cpu_ns() - start_cpu;
  const struct bench_thread_usage usage = bench_thread_usage();
  result.user_ns = usage.user_ns - start_usage.user_ns;
  result.system_ns = usage.system_ns - start_usage.system_ns;
  return result;
}

int main(int argc, char **argv) {
  const struct options options = parse_options(argc, argv);
  for (unsigned i = 0; i < MAX_BATCH; i++) {
    iov[i].iov_base = slots[i];
    iov[i].iov_len = SLOT_BYTES;
    messages[i].msg_hdr.msg_iov = &iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    if (options.source_address) messages[i].msg_hdr.msg_name = &peers[i];
    if (options.timestamps) messages[i].msg_hdr.msg_control = controls[i];
    rearm(&messages[i].msg_hdr);
  }
  int fd = bind_socket(&options);
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("{\"ready\":true,\"port\":%d,\"receiveBufferBytes\":%d}\n", bound_port(fd), granted_receive_buffer(fd));

  char line[256];
  while (fgets(line, sizeof line, stdin) != NULL) {
    unsigned trial;
    unsigned long long count;
    if (sscanf(line, "trial %u %llu", &trial, &count) != 2) {
      fprintf(stderr, "udp_receiver: expected 'trial <id> <count>', got: %s", line);
      return 2;
    }
    printf("{\"armed\":%u}\n", trial);
    const struct trial_result result = run_trial(fd, &options, trial, count);
    printf("{\"trial\":%u,\"received\":%llu,\"maxSequence\":%llu,\"elapsedNs\":%llu,\"cpuNs\":%llu,\"userNs\":%llu,\"systemNs\":%llu}\n",
           trial, (unsigned long long)result.received, (unsigned long long)result.max_sequence,
           (unsigned long long)result.elapsed_ns, (unsigned long long)result.cpu_ns, (unsigned long long)result.user_ns,
           (unsigned long long)result.system_ns);
  }
  close(fd);
  return 0;
}
