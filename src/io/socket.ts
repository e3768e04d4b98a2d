/**
 * Socket steps shared by the UDP receiver and the TCP sender (native/zt_socket.c). Each native
 * function wraps one system call, so a failure names exactly that call:
 *   `bind 127.0.0.1:9000: EADDRINUSE (Address already in use)`.
 */
import { constants } from 'node:os';
import { checkResult } from './errors.js';
import { nativeLibrary } from './native.js';

const ztSocketClose: (fd: number) => number = nativeLibrary.func('int zt_socket_close(int fd)');
const ztSocketBind: (fd: number, ip: string, port: number) => number = nativeLibrary.func('int zt_socket_bind(int fd, const char *ip, int port)');
const ztSocketLocalPort: (fd: number) => number = nativeLibrary.func('int zt_socket_local_port(int fd)');
const ztSocketSetReuseAddress: (fd: number) => number = nativeLibrary.func('int zt_socket_set_reuse_address(int fd)');
const ztSocketSetReusePort: (fd: number) => number = nativeLibrary.func('int zt_socket_set_reuse_port(int fd)');
const ztSocketSetReceiveBuffer: (fd: number, bytes: number) => number = nativeLibrary.func('int zt_socket_set_receive_buffer(int fd, int bytes)');
const ztSocketForceReceiveBuffer: (fd: number, bytes: number) => number = nativeLibrary.func('int zt_socket_force_receive_buffer(int fd, int bytes)');
const ztSocketSetSendBuffer: (fd: number, bytes: number) => number = nativeLibrary.func('int zt_socket_set_send_buffer(int fd, int bytes)');
const ztInterfaceIndex: (name: string) => number = nativeLibrary.func('int zt_interface_index(const char *name)');

export function closeSocket(fd: number, target: string): void {
  checkResult(ztSocketClose(fd), 'close', target);
}

export function bindSocket(fd: number, ip: string, port: number): void {
  checkResult(ztSocketBind(fd, ip, port), 'bind', `${ip}:${port}`);
}

export function localPort(fd: number, target: string): number {
  return checkResult(ztSocketLocalPort(fd), 'getsockname', target);
}

export function setReuseAddress(fd: number, target: string): void {
  checkResult(ztSocketSetReuseAddress(fd), 'setsockopt SO_REUSEADDR', target);
}

export function setReusePort(fd: number, target: string): void {
  checkResult(ztSocketSetReusePort(fd), 'setsockopt SO_REUSEPORT', target);
}

/** Returns the size the kernel granted (twice the request, capped by net.core.rmem_max). */
export function setReceiveBuffer(fd: number, bytes: number, target: string): number {
  return checkResult(ztSocketSetReceiveBuffer(fd, bytes), 'setsockopt SO_RCVBUF', target);
}

/**
 * SO_RCVBUFFORCE, which net.core.rmem_max does not cap, when the process may (CAP_NET_ADMIN);
 * otherwise SO_RCVBUF. Returns the size granted and whether it was forced.
 */
export function forceReceiveBuffer(fd: number, bytes: number, target: string): { granted: number; forced: boolean } {
  const forced = ztSocketForceReceiveBuffer(fd, bytes);
  if (forced !== -constants.errno.EPERM) return { granted: checkResult(forced, 'setsockopt SO_RCVBUFFORCE', target), forced: true };
  return { granted: setReceiveBuffer(fd, bytes, target), forced: false };
}

/** Returns the size the kernel granted (twice the request, capped by net.core.wmem_max). */
export function setSendBuffer(fd: number, bytes: number, target: string): number {
  return checkResult(ztSocketSetSendBuffer(fd, bytes), 'setsockopt SO_SNDBUF', target);
}

export function interfaceIndex(name: string): number {
  return checkResult(ztInterfaceIndex(name), 'if_nametoindex', name);
}
