/* Socket helpers shared by zt_udp.c and zt_tcp.c. */
#ifndef ZT_SOCKET_H
#define ZT_SOCKET_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "zt.h"

/* Fills an IPv4 socket address; -EINVAL when `ip` is not a dotted quad or `port` is out of range. */
static inline int zt_ipv4_address(const char *ip, int port, struct sockaddr_in *out) {
  if (port < 0 || port > 65535) return ZT_ERR(EINVAL);
  memset(out, 0, sizeof(*out));
  out->sin_family = AF_INET;
  out->sin_port = htons((uint16_t)port);
  return inet_pton(AF_INET, ip, &out->sin_addr) == 1 ? 0 : ZT_ERR(EINVAL);
}

static inline int zt_set_int_option(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : ZT_ERR(errno);
}

#endif
