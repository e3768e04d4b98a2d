/**
 * Where the publisher's packets go: the native sendmmsg sender (src/io/udp-sender.ts), one
 * packet per call, duplicated to each destination (the A and B lines). The send is synchronous
 * and reads the bytes in place, so the publisher can reuse one packet buffer and allocate
 * nothing per packet.
 */
import { UdpSender } from '../io/udp-sender.js';
import type { UdpEndpoint } from './endpoints.js';

export interface PacketSink {
  /** Sends bytes [offset, offset+length) of `region` to every destination, before returning. */
  send(region: Uint8Array, offset: number, length: number): void;
  close(): void;
}

export class UdpPacketSink implements PacketSink {
  private constructor(private readonly sender: UdpSender) {}

  static open(destinations: readonly UdpEndpoint[]): UdpPacketSink {
    const multicastInterface = destinations.find((destination) => destination.multicastInterface !== undefined)?.multicastInterface;
    return new UdpPacketSink(
      UdpSender.open({
        destinations: destinations.map(({ host, port }) => ({ host, port })),
        batchSize: 1,
        ...(multicastInterface === undefined ? {} : { multicastInterface }),
      }),
    );
  }

  send(region: Uint8Array, offset: number, length: number): void {
    this.sender.setPacket(0, offset, length);
    this.sender.send(region, 1);
  }

  close(): void {
    this.sender.close();
  }
}
