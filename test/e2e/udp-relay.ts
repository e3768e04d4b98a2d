/**
 * A UDP relay between the simulator and one gateway feed line, for the arbitration and gap
 * tests: it forwards each MDP 3.0 packet as is, except the ones it is told to drop or send twice
 * (by MsgSeqNum), and keeps count of what it forwarded.
 */
import { createSocket, type Socket } from 'node:dgram';

export class UdpRelay {
  /** MsgSeqNums to drop, and to send twice. */
  readonly drop = new Set<number>();
  readonly duplicate = new Set<number>();
  lastSeqNum = 0;
  forwarded = 0;
  readonly seen = new Set<number>();

  private constructor(
    private readonly socket: Socket,
    private readonly targetPort: number,
  ) {
    socket.on('message', (packet) => this.relay(packet));
  }

  /** Listens on a free loopback port and forwards to 127.0.0.1:`targetPort`. */
  static async open(targetPort: number): Promise<UdpRelay> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new UdpRelay(socket, targetPort);
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }

  private relay(packet: Buffer): void {
    const seqNum = packet.readUInt32LE(0);
    this.lastSeqNum = Math.max(this.lastSeqNum, seqNum);
    this.seen.add(seqNum);
    if (this.drop.has(seqNum)) return;
    const copies = this.duplicate.has(seqNum) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      this.forwarded++;
      this.socket.send(packet, this.targetPort, '127.0.0.1');
    }
  }
}
