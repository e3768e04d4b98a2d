/**
 * Sends each feed packet to one or two destinations (the A and B lines) through node:dgram
 * sockets connected once at start, so a send names no address and does no lookup.
 *
 * node:dgram may queue a send that the kernel did not take at once and keeps a reference to the
 * bytes until then: the publisher writes packets into a ring of slots and asks `canReuse` before
 * writing over one, so a queued packet is never overwritten.
 */
import dgram from 'node:dgram';
import { isMulticastAddress, type UdpEndpoint } from './endpoints.js';

/** Multicast stays on the local network segment, as a test or a single-host setup needs. */
const MULTICAST_TTL = 1;

export class UdpPacketSender {
  /** Sends handed to dgram whose completion has not been reported yet. */
  inFlight = 0;
  sendErrorCount = 0;
  lastSendError: Error | undefined;
  /** One callback for every send, made once: no closure per packet. */
  private readonly onSent = (error: Error | null): void => {
    this.inFlight--;
    if (error !== null) {
      this.sendErrorCount++;
      this.lastSendError = error;
    }
  };

  private constructor(
    private readonly sockets: dgram.Socket[],
    readonly destinations: readonly UdpEndpoint[],
  ) {}

  static async open(destinations: readonly UdpEndpoint[]): Promise<UdpPacketSender> {
    const sockets: dgram.Socket[] = [];
    try {
      for (const destination of destinations) sockets.push(await connectedSocket(destination));
    } catch (error) {
      for (const socket of sockets) socket.close();
      throw error;
    }
    return new UdpPacketSender(sockets, destinations);
  }

  /** Sends `length` bytes at `offset` of `buffer` to every destination. */
  send(buffer: Buffer, offset: number, length: number): void {
    const sockets = this.sockets;
    for (let index = 0; index < sockets.length; index++) {
      this.inFlight++;
      sockets[index]!.send(buffer, offset, length, this.onSent);
    }
  }

  /** True when fewer than `slots` sends are outstanding per destination: the oldest slot is free again. */
  canReuse(slots: number): boolean {
    return this.inFlight < slots * this.sockets.length - this.sockets.length;
  }

  close(): void {
    for (const socket of this.sockets) socket.close();
  }
}

function connectedSocket(destination: UdpEndpoint): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      socket.close();
      reject(new Error(`udp://${destination.host}:${destination.port}: ${error.message}`));
    };
    socket.once('error', fail);
    socket.connect(destination.port, destination.host, () => {
      socket.off('error', fail);
      // A send error is counted by the send callback; this keeps a late one from being unhandled.
      socket.on('error', () => undefined);
      if (isMulticastAddress(destination.host)) {
        socket.setMulticastTTL(MULTICAST_TTL);
        socket.setMulticastLoopback(true);
        if (destination.multicastInterface !== undefined) socket.setMulticastInterface(destination.multicastInterface);
      }
      resolve(socket);
    });
  });
}
