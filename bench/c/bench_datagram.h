/*
 * The layout of every datagram the I/O bench sends (and of every SPSC ring record it writes);
 * bench/io/datagram-layout.ts holds the same constants for the TypeScript receivers.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Sequence (uint64 LE, 0..count-1)              |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Trial id (uint32 LE)                     |
 *  +---------------------------------------------------------------+
 *  |                       Reserved (zero)                         |
 *  +---------------------------------------------------------------+
 *  |                   Filler up to the payload size              ...
 *
 * The trial id lets a receiver that serves several trials ignore late datagrams of an earlier one.
 */
#ifndef BENCH_DATAGRAM_H
#define BENCH_DATAGRAM_H

#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BENCH_SEQUENCE_OFFSET 0
#define BENCH_TRIAL_OFFSET 8
#define BENCH_HEADER_LENGTH 16
#define BENCH_MAX_PAYLOAD 65507

static inline uint64_t bench_read_u64(const unsigned char *p) {
  uint64_t value;
  memcpy(&value, p, sizeof value); /* x86-64 and arm64 Linux: little endian, as on the wire */
  return value;
}

static inline uint32_t bench_read_u32(const unsigned char *p) {
  uint32_t value;
  memcpy(&value, p, sizeof value);
  return value;
}

static inline void bench_write_u64(unsigned char *p, uint64_t value) { memcpy(p, &value, sizeof value); }

static inline void bench_write_u32(unsigned char *p, uint32_t value) { memcpy(p, &value, sizeof value); }

static inline uint64_t bench_clock_ns(clockid_t clock) {
  struct timespec now;
  clock_gettime(clock, &now);
  return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

static inline uint64_t bench_monotonic_ns(void) { return bench_clock_ns(CLOCK_MONOTONIC); }

/* CPU time of the calling thread: what a busy-polling receiver spent, not what it waited. */
static inline uint64_t bench_thread_cpu_ns(void) { return bench_clock_ns(CLOCK_THREAD_CPUTIME_ID); }

struct bench_thread_usage {
  uint64_t user_ns;
  uint64_t system_ns;
};

/* The same CPU time split into user space and kernel (getrusage RUSAGE_THREAD; with tick-based
 * accounting, a sample taken at each timer tick: add it up over many trials). */
static inline struct bench_thread_usage bench_thread_usage(void) {
  struct rusage usage;
  getrusage(RUSAGE_THREAD, &usage);
  return (struct bench_thread_usage){
      .user_ns = (uint64_t)usage.ru_utime.tv_sec * 1000000000u + (uint64_t)usage.ru_utime.tv_usec * 1000u,
      .system_ns = (uint64_t)usage.ru_stime.tv_sec * 1000000000u + (uint64_t)usage.ru_stime.tv_usec * 1000u,
  };
}

#endif
