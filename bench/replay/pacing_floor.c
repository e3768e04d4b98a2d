/*
 * The pacing floor of this machine: how late a C thread (no JavaScript) meets the deadlines of
 * a capture, waiting as the replayer does: it sleeps (clock_nanosleep) until SPIN_WINDOW_NS
 * before a deadline when there is time, then busy-waits. Without a destination it only waits:
 * whatever lateness it sees (interrupts, the hypervisor, other threads) no user-space sender
 * on this core can avoid. With one, it also sends each record's payload by sendto when due,
 * and the lateness is read after the send returns, as the replayer reads it.
 *
 *   pacing_floor <nanosecond pcap> shared|realtime [<host> <port>]
 *
 * realtime: the thread runs SCHED_FIFO, as the replay bench's real-time rounds do.
 * Prints one JSON line: {"count":N,"p50Nanos":..,"p99Nanos":..,"maxNanos":..} of
 * (time the deadline was met - deadline), deadlines anchored at the start as in
 * src/replay/replayer.ts.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define PCAP_FILE_HEADER_LENGTH 24
#define PCAP_RECORD_HEADER_LENGTH 16
#define PCAP_MAGIC_NANOS 0xa1b23c4du
/* Ethernet + IPv4 + UDP headers in front of each payload (the suite's captures have no options or VLAN). */
#define UDP_FRAME_OVERHEAD 42
/* As src/replay/pacing-clock.ts: the last stretch before a deadline is busy-waited. */
#define SPIN_WINDOW_NS 100000.0
#define REALTIME_PRIORITY 10

static double monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void sleep_until(double deadline_ns) {
  struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1e9)};
  ts.tv_nsec = (long)(deadline_ns - (double)ts.tv_sec * 1e9);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Capture times of every record, ns from the first, and the largest payload; returns the count, or -1. */
static long read_capture_times(const char *path, double **times, uint32_t *largest_payload) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) return -1;
  unsigned char header[PCAP_RECORD_HEADER_LENGTH];
  uint32_t magic = 0;
  if (fread(header, 1, PCAP_FILE_HEADER_LENGTH > sizeof header ? sizeof header : PCAP_FILE_HEADER_LENGTH, file) != sizeof header ||
      fseek(file, PCAP_FILE_HEADER_LENGTH, SEEK_SET) != 0) {
    fclose(file);
    return -1;
  }
  memcpy(&magic, header, sizeof magic);
  long capacity = 1024, count = 0;
  *times = malloc(sizeof(double) * (size_t)capacity);
  double first = 0;
  while (magic == PCAP_MAGIC_NANOS && fread(header, 1, sizeof header, file) == sizeof header) {
    uint32_t seconds, nanos, captured;
    memcpy(&seconds, header, 4);
    memcpy(&nanos, header + 4, 4);
    memcpy(&captured, header + 8, 4);
    double t = (double)seconds * 1e9 + (double)nanos;
    if (count == 0) first = t;
    if (count == capacity) *times = realloc(*times, sizeof(double) * (size_t)(capacity *= 2));
    (*times)[count++] = t - first;
    if (captured > UDP_FRAME_OVERHEAD && captured - UDP_FRAME_OVERHEAD > *largest_payload) *largest_payload = captured - UDP_FRAME_OVERHEAD;
    if (fseek(file, captured, SEEK_CUR) != 0) break;
  }
  fclose(file);
  return magic == PCAP_MAGIC_NANOS ? count : -1;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: pacing_floor <nanosecond pcap> shared|realtime [<host> <port>]\n");
    return 2;
  }
  double *times;
  uint32_t payload_length = 0;
  long count = read_capture_times(argv[1], &times, &payload_length);
  if (count < 1) {
    fprintf(stderr, "pacing_floor: %s: not a nanosecond pcap with records\n", argv[1]);
    return 1;
  }
  if (strcmp(argv[2], "realtime") == 0) {
    struct sched_param param = {.sched_priority = REALTIME_PRIORITY};
    if (sched_setscheduler(0, SCHED_FIFO, &param) != 0) {
      perror("pacing_floor: sched_setscheduler");
      return 1;
    }
  }
  int fd = -1;
  struct sockaddr_in to = {.sin_family = AF_INET};
  static char payload[65536];
  if (argc == 5) {
    to.sin_port = htons((uint16_t)atoi(argv[4]));
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || inet_pton(AF_INET, argv[3], &to.sin_addr) != 1) {
      fprintf(stderr, "pacing_floor: cannot send to %s:%s\n", argv[3], argv[4]);
      return 1;
    }
  }
  double *errors = malloc(sizeof(double) * (size_t)count);
  double anchor = monotonic_ns();
  for (long i = 0; i < count; i++) {
    double deadline = anchor + times[i];
    if (deadline - monotonic_ns() > SPIN_WINDOW_NS) sleep_until(deadline - SPIN_WINDOW_NS);
    double now;
    while ((now = monotonic_ns()) < deadline) {
    }
    if (fd >= 0) {
      if (sendto(fd, payload, payload_length, 0, (struct sockaddr *)&to, sizeof to) < 0) {
        perror("pacing_floor: sendto");
        return 1;
      }
      now = monotonic_ns();
    }
    errors[i] = now - deadline;
  }
  qsort(errors, (size_t)count, sizeof(double), compare_doubles);
  printf("{\"count\":%ld,\"p50Nanos\":%.0f,\"p99Nanos\":%.0f,\"maxNanos\":%.0f}\n", count, errors[count / 2],
         errors[(long)((double)(count - 1) * 0.99)], errors[count - 1]);
  return 0;
}
