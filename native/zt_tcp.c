/*
 * TCP order sending: non-blocking connect with a timeout, TCP_NODELAY, and a gather send of a
 * preallocated iovec array. The queue of segments and what to do with a partial send live in
 * src/io/tcp-sender.ts; this file only moves bytes and reports -errno.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "zt_socket.h"

ZT_EXPORT int zt_tcp_socket(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return fd < 0 ? ZT_ERR(errno) : fd;
}

ZT_EXPORT int zt_tcp_set_nodelay(int fd) {
  return zt_set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

ZT_EXPORT int zt_tcp_listen(int fd, int backlog) {
  return listen(fd, backlog) == 0 ? 0 : ZT_ERR(errno);
}

/* Starts connecting: 0 when connected at once, 1 while in progress, -errno on failure. */
ZT_EXPORT int zt_tcp_connect_start(int fd, const char *ip, int port) {
  struct sockaddr_in address;
  int invalid = zt_ipv4_address(ip, port, &address);
  if (invalid) return invalid;
  if (connect(fd, (struct sockaddr *)&address, sizeof(address)) == 0) return 0;
  return errno == EINPROGRESS ? 1 : ZT_ERR(errno);
}

static int poll_once(int fd, short events, int timeout_ms) {
  struct pollfd p = {.fd = fd, .events = events};
  int ready;
  do ready = poll(&p, 1, timeout_ms);
  while (ready < 0 && errno == EINTR);
  return ready < 0 ? ZT_ERR(errno) : ready;
}

/* Waits for a connect in progress: 0 when connected, -ETIMEDOUT after timeout_ms, or the
 * connect's own error (ECONNREFUSED, EHOSTUNREACH, ...) as -errno. */
ZT_EXPORT int zt_tcp_connect_wait(int fd, int timeout_ms) {
  int ready = poll_once(fd, POLLOUT, timeout_ms);
  if (ready < 0) return ready;
  if (ready == 0) return ZT_ERR(ETIMEDOUT);
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return ZT_ERR(errno);
  return ZT_ERR(error);
}

/* 1 when the socket can take more bytes, 0 after timeout_ms, or -errno. */
ZT_EXPORT int zt_tcp_wait_writable(int fd, int timeout_ms) {
  return poll_once(fd, POLLOUT, timeout_ms);
}

/*
 * Sends iov[first .. first+count) in one sendmsg: the gather write of writev, plus
 * MSG_NOSIGNAL so a reset peer is an EPIPE return, never a SIGPIPE, whoever loaded us.
 * Returns the bytes sent (possibly fewer than queued), 0 when the socket buffer is full, or -errno.
 */
ZT_EXPORT long zt_tcp_sendv(int fd, struct iovec *iov, int first, int count) {
  if (first < 0 || count <= 0) return ZT_ERR(EINVAL);
  struct msghdr message = {.msg_iov = iov + first, .msg_iovlen = (size_t)(count < IOV_MAX ? count : IOV_MAX)};
  ssize_t sent;
  do sent = sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
  while (sent < 0 && errno == EINTR);
  if (sent >= 0) return (long)sent;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : ZT_ERR(errno);
}
