/**
 * A listening TCP socket made natively, for the exchange simulator and for tests that need what
 * node:net cannot set before listen(): a small SO_RCVBUF (inherited by accepted sockets) or a
 * backlog that is never accepted from. Hand `fd` to `net.Server.listen({ fd })` to accept in JS.
 */
import { checkResult } from './errors.js';
import { nativeLibrary } from './native.js';
import { bindSocket, closeSocket, localPort, setReceiveBuffer, setReuseAddress } from './socket.js';

export interface TcpListenerOptions {
  host: string;
  /** 0 lets the kernel choose. */
  port: number;
  /** listen() backlog. Default 128. */
  backlog?: number;
  /** SO_RCVBUF for the listener and so for every accepted socket. Default: the system's. */
  receiveBufferBytes?: number;
}

export interface TcpListener {
  fd: number;
  port: number;
  close(): void;
}

const ztTcpSocket: () => number = nativeLibrary.func('int zt_tcp_socket(void)');
const ztTcpListen: (fd: number, backlog: number) => number = nativeLibrary.func('int zt_tcp_listen(int fd, int backlog)');

export function openTcpListener(options: TcpListenerOptions): TcpListener {
  const description = `tcp ${options.host}:${options.port}`;
  const fd = checkResult(ztTcpSocket(), 'socket', description);
  try {
    setReuseAddress(fd, description);
    if (options.receiveBufferBytes !== undefined) setReceiveBuffer(fd, options.receiveBufferBytes, description);
    bindSocket(fd, options.host, options.port);
    checkResult(ztTcpListen(fd, options.backlog ?? 128), 'listen', description);
    const port = localPort(fd, description);
    return { fd, port, close: () => closeSocket(fd, `tcp ${options.host}:${port}`) };
  } catch (error) {
    closeSocket(fd, description);
    throw error;
  }
}
