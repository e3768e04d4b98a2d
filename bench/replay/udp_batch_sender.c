/*
 * The replay suite's reference senders in C: what the kernel allows for 100-byte datagrams sent
 * from user space, without zerotick's TypeScript in the way.
 *
 *   udp_batch_sender sendmmsg|gso <host> <port> <datagrams> <payload-bytes>
 *
 * sendmmsg: as zerotick replay sends, 64 messages per call on an unconnected socket, each
 * message one datagram with its own destination: the kernel's cost per datagram is the limit.
 * gso: 64 datagrams per sendmsg through UDP generic segmentation offload (UDP_SEGMENT, Linux
 * >= 4.18): one pass down the stack for the batch, split into datagrams at the device (on
 * loopback, on delivery). The payloads lie 158 bytes apart, as in a mapped capture, not packed.
 *
 * Prints one JSON line: {"packets":N,"packetsPerSecond":R}; exits 1 with a message on failure.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define BATCH 64
/* A pcap record (16) + Ethernet/IPv4/UDP headers (42) + the payload: where payloads lie in a capture. */
#define CAPTURE_OVERHEAD 58
#define MAX_PAYLOAD 1400

static unsigned char region[BATCH][CAPTURE_OVERHEAD + MAX_PAYLOAD];

static double monotonic_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what) {
  fprintf(stderr, "udp_batch_sender: %s: %s\n", what, strerror(errno));
  return 1;
}

/* Sends `count` datagrams by sendmmsg, BATCH per call; returns 0 or -1 (errno set). */
static int send_by_sendmmsg(int fd, struct sockaddr_in *to, struct iovec *iov, long count) {
  struct mmsghdr messages[BATCH];
  for (int i = 0; i < BATCH; i++) {
    messages[i].msg_hdr = (struct msghdr){.msg_name = to, .msg_namelen = sizeof *to, .msg_iov = &iov[i], .msg_iovlen = 1};
  }
  for (long sent = 0; sent < count;) {
    unsigned int batch = count - sent < BATCH ? (unsigned int)(count - sent) : BATCH;
    int result = sendmmsg(fd, messages, batch, 0);
    if (result < 0) return -1;
    sent += result;
  }
  return 0;
}

/* Sends `count` datagrams of `payload` bytes, BATCH per sendmsg with UDP_SEGMENT; 0 or -1. */
static int send_by_gso(int fd, struct sockaddr_in *to, struct iovec *iov, long count, uint16_t payload) {
  char control[CMSG_SPACE(sizeof(uint16_t))];
  memset(control, 0, sizeof control);
  struct msghdr message = {.msg_name = to, .msg_namelen = sizeof *to, .msg_iov = iov, .msg_control = control, .msg_controllen = sizeof control};
  struct cmsghdr *segment = CMSG_FIRSTHDR(&message);
  segment->cmsg_level = SOL_UDP;
  segment->cmsg_type = UDP_SEGMENT;
  segment->cmsg_len = CMSG_LEN(sizeof(uint16_t));
  memcpy(CMSG_DATA(segment), &payload, sizeof payload);
  for (long sent = 0; sent < count;) {
    long batch = count - sent < BATCH ? count - sent : BATCH;
    message.msg_iovlen = (size_t)batch;
    if (sendmsg(fd, &message, 0) < 0) return -1;
    sent += batch;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: udp_batch_sender sendmmsg|gso <host> <port> <datagrams> <payload-bytes>\n");
    return 2;
  }
  const char *mode = argv[1];
  long count = atol(argv[4]);
  int payload = atoi(argv[5]);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
  if (inet_pton(AF_INET, argv[2], &to.sin_addr) != 1 || count < 1 || payload < 1 || payload > MAX_PAYLOAD) {
    fprintf(stderr, "udp_batch_sender: bad host, count or payload size\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) return fail("socket");
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) iov[i] = (struct iovec){.iov_base = region[i] + CAPTURE_OVERHEAD, .iov_len = (size_t)payload};
  double start = monotonic_seconds();
  int failed = strcmp(mode, "gso") == 0 ? send_by_gso(fd, &to, iov, count, (uint16_t)payload) : send_by_sendmmsg(fd, &to, iov, count);
  double elapsed = monotonic_seconds() - start;
  if (failed) return fail(mode);
  printf("{\"packets\":%ld,\"packetsPerSecond\":%.0f}\n", count, (double)count / elapsed);
  return 0;
}
