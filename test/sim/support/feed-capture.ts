/** Receives the simulator's feed on loopback with node:dgram and keeps every packet. */
import dgram from 'node:dgram';

export class FeedCapture {
  readonly packets: Buffer[] = [];

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (packet) => this.packets.push(packet));
  }

  static async open(): Promise<FeedCapture> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new FeedCapture(socket);
  }

  get url(): string {
    return `udp://127.0.0.1:${this.socket.address().port}`;
  }

  /** Resolves once `count` packets have arrived (loopback delivers them all, in order). */
  async waitFor(count: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.packets.length < count) {
      if (Date.now() > deadline) throw new Error(`received ${this.packets.length} of ${count} packets`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  close(): void {
    this.socket.close();
  }
}
