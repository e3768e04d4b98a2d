/* Socket steps common to UDP and TCP: one function per system call, so that the TypeScript
 * side can name the call that failed. */
#define _GNU_SOURCE
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include "zt_socket.h"

ZT_EXPORT int zt_socket_close(int fd) {
  /* Linux releases the descriptor even when close reports EINTR: never retry. */
  return close(fd) == 0 || errno == EINTR ? 0 : ZT_ERR(errno);
}

ZT_EXPORT int zt_socket_bind(int fd, const char *ip, int port) {
  struct sockaddr_in address;
  int invalid = zt_ipv4_address(ip, port, &address);
  if (invalid) return invalid;
  return bind(fd, (struct sockaddr *)&address, sizeof(address)) == 0 ? 0 : ZT_ERR(errno);
}

/* The port the kernel chose for a socket bound to port 0. */
ZT_EXPORT int zt_socket_local_port(int fd) {
  struct sockaddr_in address;
  socklen_t length = sizeof(address);
  if (getsockname(fd, (struct sockaddr *)&address, &length) != 0) return ZT_ERR(errno);
  return ntohs(address.sin_port);
}

ZT_EXPORT int zt_socket_set_reuse_address(int fd) {
  return zt_set_int_option(fd, SOL_SOCKET, SO_REUSEADDR, 1);
}

ZT_EXPORT int zt_socket_set_reuse_port(int fd) {
  return zt_set_int_option(fd, SOL_SOCKET, SO_REUSEPORT, 1);
}

/* The SO_RCVBUF (or SO_SNDBUF) size the kernel granted: it doubles a request for its
 * bookkeeping and clamps it to net.core.rmem_max/wmem_max unless forced. */
static int granted_buffer(int fd, int option) {
  int granted = 0;
  socklen_t length = sizeof(granted);
  if (getsockopt(fd, SOL_SOCKET, option, &granted, &length) != 0) return ZT_ERR(errno);
  return granted;
}

/* Sets SO_RCVBUF (or SO_SNDBUF) and returns what the kernel granted. */
static int set_buffer(int fd, int option, int bytes) {
  int set = zt_set_int_option(fd, SOL_SOCKET, option, bytes);
  return set ? set : granted_buffer(fd, option);
}

ZT_EXPORT int zt_socket_set_receive_buffer(int fd, int bytes) {
  return set_buffer(fd, SO_RCVBUF, bytes);
}

/* SO_RCVBUFFORCE: the same as SO_RCVBUF but not capped by net.core.rmem_max; -EPERM without
 * CAP_NET_ADMIN, which the caller may answer by falling back to zt_socket_set_receive_buffer. */
ZT_EXPORT int zt_socket_force_receive_buffer(int fd, int bytes) {
  int set = zt_set_int_option(fd, SOL_SOCKET, SO_RCVBUFFORCE, bytes);
  return set ? set : granted_buffer(fd, SO_RCVBUF);
}

ZT_EXPORT int zt_socket_set_send_buffer(int fd, int bytes) {
  return set_buffer(fd, SO_SNDBUF, bytes);
}

ZT_EXPORT int zt_interface_index(const char *name) {
  unsigned index = if_nametoindex(name);
  return index == 0 ? ZT_ERR(errno) : (int)index;
}
