/**
 * `packet://iface:port`: UDP payloads read in place from an AF_PACKET ring (PacketRing), with
 * the kernel's receive timestamps. Needs CAP_NET_RAW.
 */
import { PacketRing } from '../../io/packet-ring.js';
import { ReceiveTime, type DatagramHandler, type FeedSource } from '../datagram.js';

const NANOS_PER_SECOND = 1_000_000_000;

export class PacketSource implements FeedSource {
  readonly url: string;
  readonly line: number;
  readonly ring: PacketRing;
  private handler: DatagramHandler | undefined;
  private readonly received = new ReceiveTime();
  /** Made once: the ring calls a function, the feed a handler object; this adapts one to the other without a closure per poll. */
  private readonly forward = (view: DataView, offset: number, length: number, seconds: number, nanoseconds: number): void => {
    this.received.nanos = seconds * NANOS_PER_SECOND + nanoseconds;
    this.handler!.onDatagram(view, offset, length, this.received, this.line);
  };

  static open(url: string, interfaceName: string, port: number, line: number): PacketSource {
    return new PacketSource(url, PacketRing.open({ interfaceName, udpPort: port }), line);
  }

  private constructor(url: string, ring: PacketRing, line: number) {
    this.url = url;
    this.ring = ring;
    this.line = line;
  }

  /** Read by the worker every few hundred passes: one getsockopt, no allocation. */
  get droppedCount(): number {
    return this.ring.dropCount;
  }

  poll(handler: DatagramHandler, maxDatagrams: number, timeoutMs: number): number {
    this.handler = handler;
    const taken = this.ring.poll(this.forward, maxDatagrams);
    if (taken !== 0 || timeoutMs === 0) return taken;
    return this.ring.wait(timeoutMs) ? this.ring.poll(this.forward, maxDatagrams) : 0;
  }

  close(): void {
    this.ring.close();
  }
}
