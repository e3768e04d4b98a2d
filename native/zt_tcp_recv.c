/*
 * TCP receiving for the order session: a non-blocking recv into native memory that the
 * TypeScript side viewed once. Stream reassembly (partial frames, compaction) lives in
 * src/io/tcp-receiver.ts; this file only moves bytes and reports -errno.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/socket.h>

#include "zt.h"

/* Returned when the peer closed the connection (a 0-byte read): not an errno, so that it can
 * never be mistaken for one. The value is libuv's UV_EOF. */
#define ZT_EOF (-4095)

/*
 * Reads at most `capacity` bytes into base + offset without blocking. The region is passed as
 * its base address and an offset so that the caller keeps one precomputed pointer.
 * Returns the bytes read, 0 when nothing is there yet (EAGAIN), ZT_EOF when the peer closed,
 * or -errno (ECONNRESET, ...).
 */
ZT_EXPORT long zt_tcp_recv(int fd, void *base, long offset, long capacity) {
  if (offset < 0 || capacity <= 0) return ZT_ERR(EINVAL);
  ssize_t received;
  do received = recv(fd, (char *)base + offset, (size_t)capacity, MSG_DONTWAIT);
  while (received < 0 && errno == EINTR);
  if (received > 0) return (long)received;
  if (received == 0) return ZT_EOF;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : ZT_ERR(errno);
}

/* 1 when bytes (or a close) are waiting, 0 after timeout_ms, or -errno: for a loop that blocks
 * with a timeout instead of busy-polling. */
ZT_EXPORT int zt_tcp_wait_readable(int fd, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int ready;
  do ready = poll(&p, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  return ready < 0 ? ZT_ERR(errno) : ready;
}
