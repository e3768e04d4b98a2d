/*
 * The reference responder: the least a tick-to-trade path can do on this machine, in plain C.
 * It busy-polls a UDP socket with recvmmsg, reads the top of the book from each probe packet's
 * MDIncrementalRefreshBook46 (t2t_wire.h), and answers every packet with one NewOrderSingle
 * (crossing the spread, IOC, alternating buy and sell, as strategies/ping.ts does) whose
 * TriggerSeqNum is the packet's MsgSeqNum; the orders of one batch leave in one writev.
 *
 *   t2t_responder --feed-port PORT --exchange HOST:PORT [--batch N] [--session-id ID] [--rcvbuf BYTES]
 *
 * --rcvbuf 0 (the default) leaves SO_RCVBUF at the system's default, as zerotick run does
 * without rcvbuf=; the bench gives both the same size, so the reference loses datagrams to a
 * stall exactly when the gateway would.
 *
 *   stdout: {"ready":true,"feedPort":P}          bound, and established with the exchange
 *   stdin closed -> stdout: {"packets":…,"orders":…,"skipped":…} and exit
 *
 * It establishes the order entry session first (Establish -> EstablishmentAck), drains what the
 * exchange sends (execution reports, heartbeats) without acting on it, and sends Sequence when
 * it has sent nothing for the keep-alive interval.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "t2t_wire.h"

#define MAX_BATCH 64
#define SLOT_BYTES 2048
#define CONNECT_TIMEOUT_NS 10000000000ull
/*
 * Polls between looks at the exchange socket and stdin: cheap enough to be invisible, often
 * enough that the exchange's replies never fill the socket, busy or not.
 */
#define HOUSEKEEPING_EVERY_POLLS 1024
#define KEEP_ALIVE_MS 1000
#define ORDER_QUANTITY 1

struct options {
  int feed_port;
  const char *exchange;
  unsigned batch;
  uint32_t session_id;
  int rcvbuf;
};

static unsigned char slots[MAX_BATCH][SLOT_BYTES];
static struct iovec receive_iov[MAX_BATCH];
static struct mmsghdr messages[MAX_BATCH];
static unsigned char orders[MAX_BATCH][NEW_ORDER_FRAME_LENGTH];
static struct iovec order_iov[MAX_BATCH];
static unsigned char drain_buffer[64 * 1024];

struct responder {
  int feed_fd;
  int exchange_fd;
  uint32_t next_seq_no;
  uint64_t next_cl_ord_id;
  uint8_t next_side;
  uint64_t last_sent_ns;
  uint64_t packets;
  uint64_t orders;
  uint64_t skipped;
};

static void die(const char *what) {
  fprintf(stderr, "t2t_responder: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void usage_and_exit(const char *problem) {
  fprintf(stderr, "t2t_responder: %s\nusage: t2t_responder --feed-port PORT --exchange HOST:PORT [--batch N<=%d] [--session-id ID] [--rcvbuf BYTES]\n", problem,
          MAX_BATCH);
  exit(2);
}

static struct options parse_options(int argc, char **argv) {
  static const struct option long_options[] = {
      {"feed-port", required_argument, 0, 'f'}, {"exchange", required_argument, 0, 'e'},
      {"batch", required_argument, 0, 'b'},     {"session-id", required_argument, 0, 's'},
      {"rcvbuf", required_argument, 0, 'r'},    {0, 0, 0, 0},
  };
  struct options options = {.feed_port = -1, .batch = 32, .session_id = 1, .rcvbuf = 0};
  int option;
  while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (option) {
    case 'f': options.feed_port = atoi(optarg); break;
    case 'e': options.exchange = optarg; break;
    case 'b': options.batch = (unsigned)strtoul(optarg, NULL, 10); break;
    case 's': options.session_id = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'r': options.rcvbuf = atoi(optarg); break;
    default: usage_and_exit("unknown option");
    }
  }
  if (options.feed_port < 0 || options.feed_port > 65535) usage_and_exit("--feed-port must be 0..65535");
  if (options.exchange == NULL) usage_and_exit("--exchange HOST:PORT is required");
  if (options.batch == 0 || options.batch > MAX_BATCH) usage_and_exit("--batch must be 1..64");
  return options;
}

static int bind_feed(int port, int rcvbuf) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) die("setsockopt SO_RCVBUF");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    fprintf(stderr, "t2t_responder: bind 127.0.0.1:%d: %s\n", port, strerror(errno));
    exit(1);
  }
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) die("getsockname");
  return ntohs(address.sin_port);
}

/* Connects, retrying while the exchange is not listening yet. */
static int connect_exchange(const char *exchange) {
  char host[64];
  int port;
  if (!t2t_parse_address(exchange, host, sizeof host, &port)) usage_and_exit("--exchange must be HOST:PORT");
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &address.sin_addr) != 1) usage_and_exit("--exchange host must be an IPv4 address");
  const uint64_t deadline = bench_monotonic_ns() + CONNECT_TIMEOUT_NS;
  for (;;) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
      const int on = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    close(fd);
    if (bench_monotonic_ns() > deadline) {
      fprintf(stderr, "t2t_responder: connect %s: %s\n", exchange, strerror(errno));
      exit(1);
    }
    usleep(50000);
  }
}

static void send_all(int fd, const unsigned char *bytes, size_t length) {
  while (length > 0) {
    ssize_t sent = send(fd, bytes, length, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      die("send to the exchange");
    }
    bytes += sent;
    length -= (size_t)sent;
  }
}

/* Establish, then wait (blocking) for the EstablishmentAck. */
static void establish(struct responder *responder, uint32_t session_id) {
  unsigned char frame[FRAME_BLOCK_OFFSET + ESTABLISH_BLOCK_LENGTH] = {0};
  t2t_write_frame_header(frame, ESTABLISH_BLOCK_LENGTH, ESTABLISH_TEMPLATE_ID);
  bench_write_u32(frame + FRAME_BLOCK_OFFSET + ESTABLISH_SESSION_ID_OFFSET, session_id);
  bench_write_u32(frame + FRAME_BLOCK_OFFSET + ESTABLISH_KEEP_ALIVE_OFFSET, KEEP_ALIVE_MS);
  bench_write_u32(frame + FRAME_BLOCK_OFFSET + ESTABLISH_NEXT_SEQ_NO_OFFSET, responder->next_seq_no);
  send_all(responder->exchange_fd, frame, sizeof frame);
  unsigned char reply[FRAME_BLOCK_OFFSET + ESTABLISHMENT_ACK_BLOCK_LENGTH];
  size_t have = 0;
  while (have < sizeof reply) {
    ssize_t received = recv(responder->exchange_fd, reply + have, sizeof reply - have, 0);
    if (received <= 0) {
      fprintf(stderr, "t2t_responder: no EstablishmentAck: %s\n", received == 0 ? "the exchange closed the connection" : strerror(errno));
      exit(1);
    }
    have += (size_t)received;
  }
  if (t2t_frame_template_id(reply) != ESTABLISHMENT_ACK_TEMPLATE_ID) {
    fprintf(stderr, "t2t_responder: expected EstablishmentAck (template %d), got template %u\n", ESTABLISHMENT_ACK_TEMPLATE_ID,
            t2t_frame_template_id(reply));
    exit(1);
  }
  responder->last_sent_ns = bench_monotonic_ns();
}

/*
 * Fills order slot `slot` for the probe packet `packet` (`length` bytes): 1 when it held a
 * Book46 with both sides, 0 when it is not a probe (skipped).
 */
static int encode_order(struct responder *responder, unsigned slot, const unsigned char *packet, unsigned length, uint64_t now_ns) {
  if (length < T2T_PACKET_LENGTH) return 0;
  const unsigned char *header = packet + T2T_SBE_HEADER_OFFSET;
  if (t2t_read_u16(header + SBE_TEMPLATE_ID_OFFSET) != BOOK46_TEMPLATE_ID) return 0;
  const unsigned char *group = packet + T2T_BLOCK_OFFSET + t2t_read_u16(header + SBE_BLOCK_LENGTH_OFFSET);
  const uint16_t entry_length = t2t_read_u16(group);
  const unsigned entries = group[GROUP_NUM_IN_GROUP_OFFSET];
  if (entry_length < BOOK46_ENTRY_LENGTH || (size_t)(group - packet) + GROUP_SIZE_LENGTH + (size_t)entries * entry_length > length) return 0;
  int64_t bid = 0, offer = 0;
  int32_t security_id = 0;
  for (unsigned i = 0; i < entries; i++) {
    const unsigned char *entry = group + GROUP_SIZE_LENGTH + i * entry_length;
    if (entry[ENTRY_UPDATE_ACTION_OFFSET] != MD_UPDATE_ACTION_NEW || entry[ENTRY_PRICE_LEVEL_OFFSET] != 1) continue;
    int64_t price;
    memcpy(&price, entry + ENTRY_PRICE_OFFSET, sizeof price);
    memcpy(&security_id, entry + ENTRY_SECURITY_ID_OFFSET, sizeof security_id);
    if (entry[ENTRY_TYPE_OFFSET] == MD_ENTRY_TYPE_BID) bid = price;
    else if (entry[ENTRY_TYPE_OFFSET] == MD_ENTRY_TYPE_OFFER) offer = price;
  }
  if (bid == 0 || offer == 0) return 0;
  const uint8_t side = responder->next_side;
  responder->next_side = side == SIDE_BUY ? SIDE_SELL : SIDE_BUY;
  const int64_t price = side == SIDE_BUY ? offer : bid;
  unsigned char *block = orders[slot] + FRAME_BLOCK_OFFSET;
  bench_write_u32(block + NEW_ORDER_SEQ_NUM_OFFSET, responder->next_seq_no++);
  bench_write_u64(block + NEW_ORDER_CL_ORD_ID_OFFSET, responder->next_cl_ord_id++);
  memcpy(block + NEW_ORDER_SECURITY_ID_OFFSET, &security_id, sizeof security_id);
  block[NEW_ORDER_SIDE_OFFSET] = side;
  block[NEW_ORDER_ORD_TYPE_OFFSET] = ORD_TYPE_LIMIT;
  block[NEW_ORDER_TIME_IN_FORCE_OFFSET] = TIME_IN_FORCE_IOC;
  bench_write_u64(block + NEW_ORDER_PRICE_OFFSET, (uint64_t)price);
  bench_write_u32(block + NEW_ORDER_QTY_OFFSET, ORDER_QUANTITY);
  bench_write_u64(block + NEW_ORDER_SENDING_TIME_OFFSET, now_ns);
  bench_write_u32(block + NEW_ORDER_TRIGGER_SEQ_NUM_OFFSET, bench_read_u32(packet + MDP3_MSG_SEQ_NUM_OFFSET));
  return 1;
}

static void send_orders(struct responder *responder, unsigned count) {
  struct iovec *iov = order_iov;
  unsigned remaining = count;
  while (remaining > 0) {
    ssize_t sent = writev(responder->exchange_fd, iov, (int)remaining);
    if (sent < 0) {
      if (errno == EINTR) continue;
      die("writev to the exchange");
    }
    /* A short write (a full send buffer) resumes where the kernel stopped. */
    while (remaining > 0 && (size_t)sent >= iov->iov_len) {
      sent -= (ssize_t)iov->iov_len;
      iov->iov_len = NEW_ORDER_FRAME_LENGTH;
      iov++;
      remaining--;
    }
    if (remaining > 0) {
      iov->iov_base = (unsigned char *)iov->iov_base + sent;
      iov->iov_len -= (size_t)sent;
    }
  }
  for (unsigned i = 0; i < count; i++) order_iov[i] = (struct iovec){.iov_base = orders[i], .iov_len = NEW_ORDER_FRAME_LENGTH};
  responder->orders += count;
}

/* Reads what the exchange sent (reports, heartbeats) and sends Sequence when idle too long. */
static void housekeeping(struct responder *responder) {
  while (recv(responder->exchange_fd, drain_buffer, sizeof drain_buffer, MSG_DONTWAIT) > 0) {
  }
  const uint64_t now = bench_monotonic_ns();
  if (now - responder->last_sent_ns < (uint64_t)KEEP_ALIVE_MS * 1000000u) return;
  unsigned char frame[FRAME_BLOCK_OFFSET + SEQUENCE_BLOCK_LENGTH];
  t2t_write_frame_header(frame, SEQUENCE_BLOCK_LENGTH, SEQUENCE_TEMPLATE_ID);
  bench_write_u32(frame + FRAME_BLOCK_OFFSET + SEQUENCE_NEXT_SEQ_NO_OFFSET, responder->next_seq_no);
  send_all(responder->exchange_fd, frame, sizeof frame);
  responder->last_sent_ns = now;
}

static int stdin_closed(void) {
  struct pollfd input = {.fd = 0, .events = POLLIN};
  if (poll(&input, 1, 0) <= 0) return 0;
  char scratch[256];
  return read(0, scratch, sizeof scratch) <= 0;
}

static void run(struct responder *responder, unsigned batch) {
  unsigned polls = 0;
  for (;;) {
    if (++polls == HOUSEKEEPING_EVERY_POLLS) {
      polls = 0;
      housekeeping(responder);
      if (stdin_closed()) return;
    }
    int received = recvmmsg(responder->feed_fd, messages, batch, MSG_DONTWAIT, NULL);
    if (received <= 0) {
      if (received < 0 && errno != EAGAIN && errno != EINTR) die("recvmmsg");
      continue;
    }
    const uint64_t now = t2t_realtime_ns();
    unsigned count = 0;
    for (int i = 0; i < received; i++) {
      if (encode_order(responder, count, slots[i], messages[i].msg_len, now)) count++;
      else responder->skipped++;
    }
    responder->packets += (uint64_t)received;
    if (count > 0) {
      send_orders(responder, count);
      responder->last_sent_ns = bench_monotonic_ns();
    }
  }
}

int main(int argc, char **argv) {
  // Frozen (SIGSTOP) between its turns, it would never see the bench die: the kernel ends it instead.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const struct options options = parse_options(argc, argv);
  for (unsigned i = 0; i < MAX_BATCH; i++) {
    receive_iov[i] = (struct iovec){.iov_base = slots[i], .iov_len = SLOT_BYTES};
    messages[i].msg_hdr.msg_iov = &receive_iov[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    t2t_write_frame_header(orders[i], NEW_ORDER_BLOCK_LENGTH, NEW_ORDER_TEMPLATE_ID);
    order_iov[i] = (struct iovec){.iov_base = orders[i], .iov_len = NEW_ORDER_FRAME_LENGTH};
  }
  struct responder responder = {.next_seq_no = 1, .next_cl_ord_id = 1, .next_side = SIDE_BUY};
  responder.feed_fd = bind_feed(options.feed_port, options.rcvbuf);
  responder.exchange_fd = connect_exchange(options.exchange);
  establish(&responder, options.session_id);
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("{\"ready\":true,\"feedPort\":%d}\n", bound_port(responder.feed_fd));
  run(&responder, options.batch);
  printf("{\"packets\":%llu,\"orders\":%llu,\"skipped\":%llu}\n", (unsigned long long)responder.packets,
         (unsigned long long)responder.orders, (unsigned long long)responder.skipped);
  return 0;
}
