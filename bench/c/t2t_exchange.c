/*
 * The tick-to-trade bench's load generator and exchange, in one single-threaded C process, so
 * that the clock that stamps a packet's send and the clock that stamps its order's arrival are
 * the same and nothing of the gateway's own timing is trusted.
 *
 * It publishes MDP 3.0 probe packets (t2t_wire.h) over UDP, or into a zerotick SPSC ring, at a
 * fixed interval paced by busy-waiting from a start anchor, and it is the exchange of the order
 * entry protocol on TCP: it answers Establish with EstablishmentAck, sends Sequence when idle,
 * and answers every NewOrderSingle with an ExecutionReport (Canceled: an IOC that met nothing),
 * so a gateway's order table never fills. Per packet, the latency is the arrival of the first
 * order whose TriggerSeqNum is the packet's MsgSeqNum minus the packet's *intended* send time
 * (coordinated omission corrected, as wrk2 does: a stall of the sender or the responder delays
 * every packet behind it and is counted for each of them).
 *
 *   t2t_exchange (--udp HOST:PORT [--sink] | --shm NAME [--shm-capacity BYTES]) [--listen PORT]
 *                [--keepalive-ms MS] [--security-id ID] [--drain-ms MS]
 *
 * --sink binds a socket of its own to the --udp address and never reads it, for a responder that
 * reads the wire (AF_PACKET) rather than a socket: with nobody bound, the kernel answers every
 * packet with an ICMP port unreachable, which on loopback is not rate-limited and costs this
 * process a second trip through the stack per packet. The sink's tiny buffer fills and the
 * kernel then drops each packet on arrival, cheaply.
 *
 *   stdout: {"ready":true,"tcpPort":P}                       listening (port 0: the kernel's choice)
 *   stdin:  wait-established <timeoutMs>
 *   stdout: {"established":true|false}
 *   stdin:  trial <id> <count> <intervalNs> <latencyFile|->
 *   stdout: {"trial":id,"sent":…,"matched":…,"lost":…,…}     after the last packet's orders, or
 *                                                            --drain-ms after its intended time
 *   stdin closed -> exit (the ring file, with --shm, is removed)
 *
 * One command at a time: send the next after the answer to the last.
 *
 * The latency file holds two arrays of little-endian int64, one entry per packet of the trial in
 * MsgSeqNum order: first the nanoseconds from intended send to order arrival (-1: no order came,
 * a loss), then the nanoseconds the packet left after its intended send (-1: never sent). MsgSeqNum
 * runs on across trials, so a gateway's sequencer sees one unbroken feed.
 *
 * Besides, each trial reports what this process can say about its own part in a loss: how long it
 * waited for its CPU (schedstat), and the orders that came after their trial had ended.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "t2t_shm_ring.h"
#include "t2t_wire.h"

/* The probe's prices: a bid that walks over T2T_PRICE_STEPS ticks, the offer one tick above. */
#define T2T_BASE_PRICE 4500000000000LL /* 4500.00, exponent -9 */
#define T2T_TICK 250000000LL           /* 0.25 */
#define T2T_PRICE_STEPS 16
#define T2T_ENTRY_SIZE 10

#define INBOUND_CAPACITY (256 * 1024)
#define OUTBOUND_CAPACITY (4 * 1024 * 1024)
/* How often the busy loop looks for a new connection, in loop passes. */
#define ACCEPT_EVERY_PASSES 1024
/* Packets sent behind schedule (in one sendmmsg) before the session is served again: an exchange
 * catching up still answers orders, or a gateway that bounds its live orders (as a real one must)
 * runs out of them waiting for execution reports the exchange never got round to sending. */
#define CATCH_UP_BURST 32
/* Between trials: how long one idle wait lasts, so heartbeats go out on time. */
#define IDLE_POLL_MS 50
/* The start anchor sits this far ahead of the command, so the first packet is not already late. */
#define START_DELAY_NS 1000000ull

struct options {
  const char *udp;
  int sink;
  const char *shm;
  uint32_t shm_capacity;
  int listen_port;
  uint32_t keepalive_ms;
  int32_t security_id;
  uint32_t drain_ms;
};

struct session {
  int fd;
  int established;
  unsigned char inbound[INBOUND_CAPACITY];
  size_t inbound_length;
  unsigned char outbound[OUTBOUND_CAPACITY];
  size_t outbound_start;
  size_t outbound_length;
  uint32_t next_report_seq;
  uint32_t last_order_seq;
  uint64_t next_order_id;
  uint64_t last_sent_ns;
};

/* What one trial counts; the latencies go to their own array. */
struct trial {
  uint32_t first_seq;
  uint64_t count;
  uint64_t start_ns;
  uint64_t interval_ns;
  uint64_t next_due_ns;
  int64_t *latency_ns;
  int64_t *send_lag_ns;
  uint64_t sent;
  uint64_t ring_full;
  uint64_t send_errors;
  uint64_t matched;
  uint64_t duplicates;
  uint64_t price_mismatches;
  uint64_t max_send_lag_ns;
  uint64_t last_send_ns;
  uint64_t run_queue_wait_ns;
};

struct feed {
  int udp_fd;
  struct sockaddr_in udp_target;
  struct shm_ring ring;
  int use_ring;
  char ring_path[256];
  uint32_t next_seq;
  uint32_t rpt_seq;
  unsigned char packets[CATCH_UP_BURST][T2T_PACKET_LENGTH];
  struct iovec iov[CATCH_UP_BURST];
  struct mmsghdr messages[CATCH_UP_BURST];
};

static struct session session = {.fd = -1, .next_report_seq = 1, .next_order_id = 1};
static struct feed feed;
static struct trial *current_trial;
static struct options options;
/* Orders that came after their packet's trial had ended (between trials included), since the last report. */
static uint64_t orders_after_trial;

static void die(const char *what) {
  fprintf(stderr, "t2t_exchange: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void usage_and_exit(const char *problem) {
  fprintf(stderr,
          "t2t_exchange: %s\nusage: t2t_exchange (--udp HOST:PORT [--sink] | --shm NAME [--shm-capacity BYTES]) [--listen PORT] "
          "[--keepalive-ms MS] [--security-id ID] [--drain-ms MS]\n",
          problem);
  exit(2);
}

static void parse_options(int argc, char **argv) {
  static const struct option long_options[] = {
      {"udp", required_argument, 0, 'u'},          {"shm", required_argument, 0, 's'},
      {"shm-capacity", required_argument, 0, 'c'}, {"listen", required_argument, 0, 'l'},
      {"keepalive-ms", required_argument, 0, 'k'}, {"security-id", required_argument, 0, 'i'},
      {"drain-ms", required_argument, 0, 'd'},     {"sink", no_argument, 0, 'n'},
      {0, 0, 0, 0},
  };
  options = (struct options){.shm_capacity = 1u << 22, .keepalive_ms = 1000, .security_id = 1, .drain_ms = 200};
  int option;
  while ((option = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (option) {
    case 'u': options.udp = optarg; break;
    case 's': options.shm = optarg; break;
    case 'c': options.shm_capacity = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'l': options.listen_port = atoi(optarg); break;
    case 'k': options.keepalive_ms = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'i': options.security_id = atoi(optarg); break;
    case 'd': options.drain_ms = (uint32_t)strtoul(optarg, NULL, 10); break;
    case 'n': options.sink = 1; break;
    default: usage_and_exit("unknown option");
    }
  }
  if ((options.udp == NULL) == (options.shm == NULL)) usage_and_exit("give one of --udp HOST:PORT and --shm NAME");
  if (options.sink && options.udp == NULL) usage_and_exit("--sink goes with --udp");
  if (options.listen_port < 0 || options.listen_port > 65535) usage_and_exit("--listen must be 0..65535");
  if (options.keepalive_ms == 0) usage_and_exit("--keepalive-ms must be positive");
}

/* ---- the feed ------------------------------------------------------------------------- */

static int64_t bid_price(uint32_t seq) { return T2T_BASE_PRICE + (int64_t)(seq % T2T_PRICE_STEPS) * T2T_TICK; }

static int64_t offer_price(uint32_t seq) { return bid_price(seq) + T2T_TICK; }

/* The --sink socket: bound to the target, the smallest buffer the kernel allows, never read; kept open until exit. */
static void bind_sink(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  const int smallest = 1; /* the kernel rounds it up to its minimum */
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &smallest, sizeof smallest);
  if (bind(fd, (struct sockaddr *)&feed.udp_target, sizeof feed.udp_target) != 0) die("bind --sink");
}

static void open_feed(void) {
  if (options.shm != NULL) {
    snprintf(feed.ring_path, sizeof feed.ring_path, "/dev/shm/zerotick-%s", options.shm);
    int result = shm_ring_create(&feed.ring, feed.ring_path, options.shm_capacity);
    if (result < 0) {
      fprintf(stderr, "t2t_exchange: shm ring %s (capacity %u): %s\n", feed.ring_path, options.shm_capacity, strerror(-result));
      exit(1);
    }
    feed.use_ring = 1;
    return;
  }
  char host[64];
  int port;
  if (!t2t_parse_address(options.udp, host, sizeof host, &port)) usage_and_exit("--udp must be HOST:PORT");
  feed.udp_target = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &feed.udp_target.sin_addr) != 1) usage_and_exit("--udp host must be an IPv4 address");
  /* Unconnected: an ICMP port unreachable (nobody bound, as with packet:// without --sink) then fails no send. */
  feed.udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (feed.udp_fd < 0) die("socket");
  if (options.sink) bind_sink();
  for (unsigned i = 0; i < CATCH_UP_BURST; i++) {
    feed.iov[i] = (struct iovec){.iov_base = feed.packets[i], .iov_len = T2T_PACKET_LENGTH};
    feed.messages[i].msg_hdr = (struct msghdr){.msg_name = &feed.udp_target, .msg_namelen = sizeof feed.udp_target, .msg_iov = &feed.iov[i], .msg_iovlen = 1};
  }
}

static void write_entry(unsigned char *entry, uint8_t action, char type, int64_t price) {
  memset(entry, 0, BOOK46_ENTRY_LENGTH);
  bench_write_u64(entry + ENTRY_PRICE_OFFSET, (uint64_t)price);
  bench_write_u32(entry + ENTRY_SIZE_OFFSET, T2T_ENTRY_SIZE);
  bench_write_u32(entry + ENTRY_SECURITY_ID_OFFSET, (uint32_t)options.security_id);
  bench_write_u32(entry + ENTRY_RPT_SEQ_OFFSET, ++feed.rpt_seq);
  bench_write_u32(entry + ENTRY_NUMBER_OF_ORDERS_OFFSET, 1);
  entry[ENTRY_PRICE_LEVEL_OFFSET] = 1;
  entry[ENTRY_UPDATE_ACTION_OFFSET] = action;
  entry[ENTRY_TYPE_OFFSET] = (unsigned char)type;
}

/* The probe packet for MsgSeqNum `seq` into `p` (layout: t2t_wire.h). */
static void encode_packet(unsigned char *p, uint32_t seq) {
  const uint64_t now = t2t_realtime_ns();
  bench_write_u32(p + MDP3_MSG_SEQ_NUM_OFFSET, seq);
  bench_write_u64(p + MDP3_SENDING_TIME_OFFSET, now);
  t2t_write_u16(p + T2T_MSG_SIZE_OFFSET, (uint16_t)(T2T_PACKET_LENGTH - T2T_MSG_SIZE_OFFSET));
  unsigned char *header = p + T2T_SBE_HEADER_OFFSET;
  t2t_write_u16(header + SBE_BLOCK_LENGTH_OFFSET, BOOK46_BLOCK_LENGTH);
  t2t_write_u16(header + SBE_TEMPLATE_ID_OFFSET, BOOK46_TEMPLATE_ID);
  t2t_write_u16(header + SBE_SCHEMA_ID_OFFSET, MDP3_SCHEMA_ID);
  t2t_write_u16(header + SBE_VERSION_OFFSET, MDP3_SCHEMA_VERSION);
  memset(p + T2T_BLOCK_OFFSET, 0, BOOK46_BLOCK_LENGTH);
  bench_write_u64(p + T2T_BLOCK_OFFSET + BOOK46_TRANSACT_TIME_OFFSET, now);
  p[T2T_BLOCK_OFFSET + BOOK46_MATCH_EVENT_INDICATOR_OFFSET] = MATCH_EVENT_LAST_QUOTE_END_OF_EVENT;
  t2t_write_u16(p + T2T_ENTRIES_GROUP_OFFSET, BOOK46_ENTRY_LENGTH);
  p[T2T_ENTRIES_GROUP_OFFSET + GROUP_NUM_IN_GROUP_OFFSET] = T2T_ENTRIES_PER_PACKET;
  write_entry(p + T2T_FIRST_ENTRY_OFFSET, MD_UPDATE_ACTION_DELETE_THRU, MD_ENTRY_TYPE_BID, PRICE_NULL_MANTISSA);
  write_entry(p + T2T_BID_ENTRY_OFFSET, MD_UPDATE_ACTION_NEW, MD_ENTRY_TYPE_BID, bid_price(seq));
  write_entry(p + T2T_FIRST_ENTRY_OFFSET + 2 * BOOK46_ENTRY_LENGTH, MD_UPDATE_ACTION_DELETE_THRU, MD_ENTRY_TYPE_OFFER, PRICE_NULL_MANTISSA);
  write_entry(p + T2T_OFFER_ENTRY_OFFSET, MD_UPDATE_ACTION_NEW, MD_ENTRY_TYPE_OFFER, offer_price(seq));
  memset(p + T2T_ORDER_ID_GROUP_OFFSET, 0, GROUP_SIZE_8_BYTE_LENGTH);
  t2t_write_u16(p + T2T_ORDER_ID_GROUP_OFFSET, BOOK46_ORDER_ID_ENTRY_LENGTH);
}

/* The first `count` encoded packets into the ring (a full ring drops a packet, as a NIC would). */
static void write_ring(struct trial *trial, unsigned count) {
  for (unsigned i = 0; i < count; i++) {
    if (!shm_ring_write(&feed.ring, feed.packets[i], T2T_PACKET_LENGTH)) trial->ring_full++;
  }
}

/* The first `count` encoded packets in as few sendmmsg calls as the kernel allows; what it refuses is a send error. */
static void send_datagrams(struct trial *trial, unsigned count) {
  unsigned done = 0;
  while (done < count) {
    int sent = sendmmsg(feed.udp_fd, feed.messages + done, count - done, 0);
    if (sent > 0) {
      done += (unsigned)sent;
    } else if (sent < 0 && errno == EINTR) {
      continue;
    } else {
      trial->send_errors++; /* this datagram is lost; the rest still go */
      done++;
    }
  }
}

/*
 * Sends every packet due by `now` (at most CATCH_UP_BURST: a generator behind schedule sends what
 * it owes in one call instead of one call a packet). Each packet's lag is from
 * its own intended time, so a packet sent late is as late in its latency as it was on the wire.
 */
static void publish_due(struct trial *trial, uint64_t now) {
  unsigned due = 0;
  while (due < CATCH_UP_BURST && trial->sent < trial->count && now >= trial->next_due_ns) {
    const uint64_t lag = now - trial->next_due_ns;
    if (lag > trial->max_send_lag_ns) trial->max_send_lag_ns = lag;
    trial->send_lag_ns[trial->sent] = (int64_t)lag;
    encode_packet(feed.packets[due++], feed.next_seq++);
    trial->sent++;
    trial->next_due_ns += trial->interval_ns;
  }
  if (due == 0) return;
  if (feed.use_ring) write_ring(trial, due);
  else send_datagrams(trial, due);
  trial->last_send_ns = bench_monotonic_ns();
}

/* ---- the order entry session ---------------------------------------------------------- */

static void close_session(const char *reason);

/* Room for a frame at the end of the outbound bytes; a responder that stopped reading loses its session. */
static unsigned char *begin_frame(uint16_t block_length, uint16_t template_id) {
  const size_t frame_length = FRAME_BLOCK_OFFSET + block_length;
  if (session.outbound_start + session.outbound_length + frame_length > OUTBOUND_CAPACITY) {
    memmove(session.outbound, session.outbound + session.outbound_start, session.outbound_length);
    session.outbound_start = 0;
    if (session.outbound_length + frame_length > OUTBOUND_CAPACITY) {
      close_session("the responder stopped reading: 4 MiB of replies wait to be sent");
      session.outbound_length = 0;
    }
  }
  unsigned char *frame = session.outbound + session.outbound_start + session.outbound_length;
  session.outbound_length += frame_length;
  memset(frame, 0, frame_length);
  t2t_write_frame_header(frame, block_length, template_id);
  return frame + FRAME_BLOCK_OFFSET;
}

static void close_session(const char *reason) {
  if (session.fd < 0) return;
  fprintf(stderr, "t2t_exchange: session closed: %s\n", reason);
  close(session.fd);
  session.fd = -1;
  session.established = 0;
  session.inbound_length = 0;
  session.outbound_start = session.outbound_length = 0;
}

static void flush_session(uint64_t now) {
  while (session.fd >= 0 && session.outbound_length > 0) {
    ssize_t sent = send(session.fd, session.outbound + session.outbound_start, session.outbound_length, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) close_session(strerror(errno));
      return; /* the rest waits for the next pass */
    }
    session.outbound_start += (size_t)sent;
    session.outbound_length -= (size_t)sent;
    session.last_sent_ns = now;
  }
  if (session.outbound_length == 0) session.outbound_start = 0;
}

static void answer_establish(const unsigned char *block) {
  const uint32_t session_id = bench_read_u32(block + ESTABLISH_SESSION_ID_OFFSET);
  unsigned char *ack = begin_frame(ESTABLISHMENT_ACK_BLOCK_LENGTH, ESTABLISHMENT_ACK_TEMPLATE_ID);
  bench_write_u32(ack + ESTABLISHMENT_ACK_SESSION_ID_OFFSET, session_id);
  bench_write_u32(ack + ESTABLISHMENT_ACK_KEEP_ALIVE_OFFSET, options.keepalive_ms);
  bench_write_u32(ack + ESTABLISHMENT_ACK_NEXT_SEQ_NO_OFFSET, session.next_report_seq);
  bench_write_u32(ack + ESTABLISHMENT_ACK_PREVIOUS_SEQ_NO_OFFSET, session.last_order_seq);
  session.established = 1;
  fprintf(stderr, "t2t_exchange: session %u established\n", session_id);
}

static void record_order(const unsigned char *order, uint64_t arrival_ns) {
  struct trial *trial = current_trial;
  const uint32_t trigger = bench_read_u32(order + NEW_ORDER_TRIGGER_SEQ_NUM_OFFSET);
  if (trigger == TRIGGER_SEQ_NUM_NULL) return;
  if (trial == NULL || trigger < trial->first_seq) {
    orders_after_trial++;
    return;
  }
  const uint64_t index = trigger - trial->first_seq;
  if (index >= trial->count) return;
  if (trial->latency_ns[index] >= 0) {
    trial->duplicates++;
    return;
  }
  trial->latency_ns[index] = (int64_t)(arrival_ns - (trial->start_ns + index * trial->interval_ns));
  trial->matched++;
  int64_t price;
  memcpy(&price, order + NEW_ORDER_PRICE_OFFSET, sizeof price);
  const int64_t expected = order[NEW_ORDER_SIDE_OFFSET] == SIDE_BUY ? offer_price(trigger) : bid_price(trigger);
  if (price != expected) trial->price_mismatches++;
}

/* An IOC that met nothing: one ExecutionReport, Canceled, ends the order on the gateway's side. */
static void answer_order(const unsigned char *order) {
  session.last_order_seq = bench_read_u32(order + NEW_ORDER_SEQ_NUM_OFFSET);
  unsigned char *report = begin_frame(EXECUTION_REPORT_BLOCK_LENGTH, EXECUTION_REPORT_TEMPLATE_ID);
  bench_write_u32(report + REPORT_SEQ_NUM_OFFSET, session.next_report_seq++);
  memcpy(report + REPORT_CL_ORD_ID_OFFSET, order + NEW_ORDER_CL_ORD_ID_OFFSET, 8);
  bench_write_u64(report + REPORT_ORIG_CL_ORD_ID_OFFSET, UINT64_NULL);
  bench_write_u64(report + REPORT_ORDER_ID_OFFSET, session.next_order_id++);
  memcpy(report + REPORT_SECURITY_ID_OFFSET, order + NEW_ORDER_SECURITY_ID_OFFSET, 4);
  report[REPORT_SIDE_OFFSET] = order[NEW_ORDER_SIDE_OFFSET];
  report[REPORT_EXEC_TYPE_OFFSET] = EXEC_TYPE_CANCELED;
  report[REPORT_ORD_STATUS_OFFSET] = ORD_STATUS_CANCELED;
  memcpy(report + REPORT_PRICE_OFFSET, order + NEW_ORDER_PRICE_OFFSET, 8);
  memcpy(report + REPORT_ORDER_QTY_OFFSET, order + NEW_ORDER_QTY_OFFSET, 4);
  bench_write_u64(report + REPORT_LAST_PX_OFFSET, (uint64_t)PRICE_NULL_MANTISSA);
  bench_write_u64(report + REPORT_TRANSACT_TIME_OFFSET, t2t_realtime_ns());
  report[REPORT_ORD_REJ_REASON_OFFSET] = ORD_REJ_REASON_NULL;
}

static void handle_frame(const unsigned char *frame, uint16_t frame_length, uint64_t arrival_ns) {
  if (frame_length < FRAME_BLOCK_OFFSET) return;
  const unsigned char *block = frame + FRAME_BLOCK_OFFSET;
  const uint16_t block_length = t2t_read_u16(frame + SOFH_HEADER_LENGTH + SBE_BLOCK_LENGTH_OFFSET);
  if (FRAME_BLOCK_OFFSET + (size_t)block_length > frame_length) return;
  switch (t2t_frame_template_id(frame)) {
  case ESTABLISH_TEMPLATE_ID:
    if (block_length >= ESTABLISH_BLOCK_LENGTH) answer_establish(block);
    return;
  case NEW_ORDER_TEMPLATE_ID:
    if (block_length < NEW_ORDER_BLOCK_LENGTH) return;
    record_order(block, arrival_ns);
    answer_order(block);
    return;
  case TERMINATE_TEMPLATE_ID:
    close_session("the responder sent Terminate");
    return;
  default:
    return; /* Sequence and the rest: the session is alive, nothing to answer */
  }
}

/* One non-blocking read, then every whole frame in it; the arrival time is the read's. */
static void read_session(void) {
  if (session.fd < 0) return;
  ssize_t received = recv(session.fd, session.inbound + session.inbound_length, INBOUND_CAPACITY - session.inbound_length, MSG_DONTWAIT);
  if (received <= 0) {
    if (received == 0) close_session("the responder closed the connection");
    else if (errno != EAGAIN && errno != EINTR) close_session(strerror(errno));
    return;
  }
  const uint64_t arrival_ns = bench_monotonic_ns();
  session.inbound_length += (size_t)received;
  size_t position = 0;
  while (session.fd >= 0 && session.inbound_length - position >= SOFH_HEADER_LENGTH) {
    const uint16_t frame_length = t2t_read_u16(session.inbound + position + SOFH_MESSAGE_LENGTH_OFFSET);
    if (frame_length < SOFH_HEADER_LENGTH) {
      close_session("a SOFH frame shorter than its header");
      return;
    }
    if (session.inbound_length - position < frame_length) break;
    handle_frame(session.inbound + position, frame_length, arrival_ns);
    position += frame_length;
  }
  if (session.fd < 0) return;
  session.inbound_length -= position;
  memmove(session.inbound, session.inbound + position, session.inbound_length);
}

static void send_heartbeat_if_due(uint64_t now) {
  if (!session.established || now - session.last_sent_ns < (uint64_t)options.keepalive_ms * 1000000u) return;
  unsigned char *sequence = begin_frame(SEQUENCE_BLOCK_LENGTH, SEQUENCE_TEMPLATE_ID);
  bench_write_u32(sequence + SEQUENCE_NEXT_SEQ_NO_OFFSET, session.next_report_seq);
  session.last_sent_ns = now; /* even if the kernel takes it later: one heartbeat per interval */
}

static void service_session(uint64_t now) {
  read_session();
  send_heartbeat_if_due(now);
  flush_session(now);
}

/* A new connection replaces the current one: a responder that reconnects starts a new session. */
static void accept_connection(int listen_fd) {
  int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
  if (fd < 0) return;
  close_session("a new connection replaced it");
  const int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  session.fd = fd;
  session.last_sent_ns = bench_monotonic_ns();
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) die("socket");
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    fprintf(stderr, "t2t_exchange: bind 127.0.0.1:%d: %s\n", port, strerror(errno));
    exit(1);
  }
  if (listen(fd, 4) != 0) die("listen");
  socklen_t length = sizeof address;
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) die("getsockname");
  return fd;
}

/* Between trials: sleep in poll() on stdin, the listener and the session; keep the session alive. */
static int wait_idle(int listen_fd, int timeout_ms) {
  struct pollfd fds[3] = {{.fd = 0, .events = POLLIN}, {.fd = listen_fd, .events = POLLIN}, {.fd = session.fd, .events = POLLIN}};
  int ready = poll(fds, session.fd >= 0 ? 3 : 2, timeout_ms);
  if (ready > 0 && (fds[1].revents & POLLIN)) accept_connection(listen_fd);
  service_session(bench_monotonic_ns());
  return ready > 0 && (fds[0].revents & (POLLIN | POLLHUP));
}

/* ---- commands ------------------------------------------------------------------------- */

/* Nanoseconds this process has waited on a run queue for its CPU (the second field of schedstat); 0 if unreadable. */
static uint64_t run_queue_wait_ns(void) {
  unsigned long long running_ns = 0, waiting_ns = 0;
  FILE *file = fopen("/proc/self/schedstat", "r");
  if (file == NULL) return 0;
  if (fscanf(file, "%llu %llu", &running_ns, &waiting_ns) != 2) waiting_ns = 0;
  fclose(file);
  return waiting_ns;
}

static void run_trial(int listen_fd, struct trial *trial) {
  current_trial = trial;
  const uint64_t drain_ns = (uint64_t)options.drain_ms * 1000000u;
  const uint64_t waited_before = run_queue_wait_ns();
  trial->first_seq = feed.next_seq;
  trial->start_ns = bench_monotonic_ns() + START_DELAY_NS;
  trial->next_due_ns = trial->start_ns;
  const uint64_t last_intended = trial->start_ns + (trial->count - 1) * trial->interval_ns;
  uint64_t passes = 0;
  for (;;) {
    const uint64_t now = bench_monotonic_ns();
    publish_due(trial, now);
    service_session(now);
    if (trial->sent == trial->count && (trial->matched == trial->count || now > last_intended + drain_ns)) break;
    if (++passes % ACCEPT_EVERY_PASSES == 0) accept_connection(listen_fd);
  }
  trial->run_queue_wait_ns = run_queue_wait_ns() - waited_before;
  current_trial = NULL;
}

static void write_array(FILE *file, const char *path, const int64_t *values, uint64_t count) {
  if (fwrite(values, sizeof(int64_t), count, file) == count) return;
  fprintf(stderr, "t2t_exchange: writing %s: %s\n", path, strerror(errno));
  exit(1);
}

static void write_latencies(const char *path, const struct trial *trial) {
  if (strcmp(path, "-") == 0) return;
  FILE *file = fopen(path, "wb");
  if (file == NULL) die(path);
  write_array(file, path, trial->latency_ns, trial->count);
  write_array(file, path, trial->send_lag_ns, trial->count);
  if (fclose(file) != 0) die(path);
}

static void trial_command(int listen_fd, unsigned id, unsigned long long count, unsigned long long interval_ns, const char *path) {
  struct trial trial = {.count = count, .interval_ns = interval_ns};
  trial.latency_ns = malloc(count * sizeof(int64_t));
  trial.send_lag_ns = malloc(count * sizeof(int64_t));
  if (trial.latency_ns == NULL || trial.send_lag_ns == NULL) die("malloc");
  for (uint64_t i = 0; i < count; i++) trial.latency_ns[i] = trial.send_lag_ns[i] = -1;
  run_trial(listen_fd, &trial);
  write_latencies(path, &trial);
  const uint64_t late_orders = orders_after_trial;
  orders_after_trial = 0;
  /* The rate the packets really left at: below the offered one when this process fell behind. */
  const uint64_t sending_ns = trial.last_send_ns - trial.start_ns + interval_ns;
  printf("{\"trial\":%u,\"firstSeqNum\":%u,\"sent\":%llu,\"intervalNs\":%llu,\"offeredRate\":%.1f,\"achievedRate\":%.1f,"
         "\"matched\":%llu,\"lost\":%llu,"
         "\"duplicates\":%llu,\"late\":%llu,\"priceMismatches\":%llu,\"ringFull\":%llu,\"sendErrors\":%llu,\"maxSendLagNs\":%llu,"
         "\"runQueueWaitNs\":%llu,\"sessionUp\":%s}\n",
         id, trial.first_seq, (unsigned long long)trial.sent, interval_ns, 1e9 / (double)interval_ns, (double)trial.sent * 1e9 / (double)sending_ns,
         (unsigned long long)trial.matched, (unsigned long long)(count - trial.matched), (unsigned long long)trial.duplicates,
         (unsigned long long)late_orders, (unsigned long long)trial.price_mismatches, (unsigned long long)trial.ring_full,
         (unsigned long long)trial.send_errors, (unsigned long long)trial.max_send_lag_ns,
         (unsigned long long)trial.run_queue_wait_ns, session.established ? "true" : "false");
  free(trial.latency_ns);
  free(trial.send_lag_ns);
}

static void wait_established_command(int listen_fd, unsigned timeout_ms) {
  const uint64_t deadline = bench_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
  while (!session.established && bench_monotonic_ns() < deadline) wait_idle(listen_fd, 10);
  printf("{\"established\":%s}\n", session.established ? "true" : "false");
}

static void handle_command(int listen_fd, const char *line) {
  unsigned id, timeout_ms;
  unsigned long long count, interval_ns;
  char path[1024];
  if (sscanf(line, "trial %u %llu %llu %1023s", &id, &count, &interval_ns, path) == 4 && count > 0 && interval_ns > 0) {
    trial_command(listen_fd, id, count, interval_ns, path);
  } else if (sscanf(line, "wait-established %u", &timeout_ms) == 1) {
    wait_established_command(listen_fd, timeout_ms);
  } else {
    fprintf(stderr, "t2t_exchange: expected 'trial <id> <count> <intervalNs> <file|->' or 'wait-established <ms>', got: %s", line);
    exit(2);
  }
}

int main(int argc, char **argv) {
  parse_options(argc, argv);
  feed.next_seq = 1;
  open_feed();
  int listen_fd = listen_on(options.listen_port);
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  getsockname(listen_fd, (struct sockaddr *)&address, &length);
  setvbuf(stdout, NULL, _IOLBF, 0);
  printf("{\"ready\":true,\"tcpPort\":%d}\n", ntohs(address.sin_port));
  char line[1200];
  for (;;) {
    if (!wait_idle(listen_fd, IDLE_POLL_MS)) continue;
    if (fgets(line, sizeof line, stdin) == NULL) break;
    handle_command(listen_fd, line);
  }
  close_session("stdin closed");
  /* The consumer keeps its mapping; the name goes, so no stale ring is left in /dev/shm. */
  if (feed.use_ring) unlink(feed.ring_path);
  return 0;
}
