/* Clocks and thread placement: one vDSO call each, no allocation. */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>

#include "zt.h"

/* Nanoseconds since the epoch, as a double: exact to ~0.25 us until 2255, which is below the
 * resolution of any latency we record, and keeps the hot path free of BigInt. */
ZT_EXPORT double zt_realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

ZT_EXPORT double zt_monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Pins the calling thread (a worker_thread is its own kernel thread) to one CPU. */
ZT_EXPORT int zt_pin_thread_to_cpu(int cpu) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) return ZT_ERR(EINVAL);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) return ZT_ERR(errno);
  return 0;
}

ZT_EXPORT int zt_current_cpu(void) {
  int cpu = sched_getcpu();
  return cpu < 0 ? ZT_ERR(errno) : cpu;
}
