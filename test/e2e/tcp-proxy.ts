/**
 * A TCP proxy between the gateway's order session and the simulator, for the reconnect test:
 * it can swallow what the gateway sends (as a network losing the last segments would) and cut
 * every connection; new connections go through again.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  /** While true, bytes from the gateway are dropped instead of forwarded. */
  swallowUpstream = false;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async open(listenPort: number, targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => proxy.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  /** Drops every connection at once (both directions). */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.on('data', (chunk) => {
      if (!this.swallowUpstream) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
    }
  }
}
