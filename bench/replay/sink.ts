/**
 * Where the replayed datagrams go: a UDP socket bound on every address, never read while a
 * sender runs. The kernel delivers each datagram to it as to a real receiver, or drops it on
 * its full buffer, and nothing in this process competes for the measured core. Between runs it
 * says how many datagrams reached it (queued + dropped on a full buffer, from /proc/net/udp's
 * per-socket drop count), which shows that every sender's datagrams went all the way to UDP:
 * tcpreplay's injected frames as much as zerotick's.
 */
import { readFileSync } from 'node:fs';
import { BufferPool } from '../../src/io/pool.js';
import { UdpReceiver } from '../../src/io/udp.js';

/** Small: a full sink drops at once instead of holding megabytes of datagrams. */
const SINK_BUFFER_BYTES = 64 * 1024;
const PROC_NET_UDP = '/proc/net/udp';

/** The cumulative drop count of the socket bound to `port` (the last column of /proc/net/udp). */
export function socketDrops(procNetUdp: string, port: number): number {
  for (const line of procNetUdp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const localPort = Number.parseInt(fields[1]?.split(':')[1] ?? '', 16);
    if (localPort === port) return Number(fields.at(-1));
  }
  throw new Error(`bench replay: no socket on port ${port} in ${PROC_NET_UDP}`);
}

export class Sink {
  readonly port: number;
  private readonly pool = BufferPool.create({ slotSize: 2048, slotCount: 1 });
  private readonly receiver: UdpReceiver;
  private dropsSoFar = 0;

  constructor() {
    this.receiver = UdpReceiver.open(this.pool, { port: 0, bindAddress: '0.0.0.0', batchSize: 1, receiveBufferBytes: SINK_BUFFER_BYTES });
    this.port = this.receiver.localPort;
  }

  /** Datagrams that reached the socket since the last call; empties its queue. */
  takeDelivered(): number {
    let queued = 0;
    while (this.receiver.receive() > 0) queued++;
    const drops = socketDrops(readFileSync(PROC_NET_UDP, 'utf8'), this.port);
    const delivered = queued + drops - this.dropsSoFar;
    this.dropsSoFar = drops;
    return delivered;
  }

  close(): void {
    this.receiver.close();
    this.pool.destroy();
  }
}
