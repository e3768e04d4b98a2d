/**
 * Feeds a recorded MDP3 capture (pcap/pcapng) instead of the synthetic market: each UDP payload
 * is sent as it was recorded, at the simulator's rate, once through the file.
 */
import { CaptureReader, UdpDatagram } from '../io/pcap.js';
import type { FeedPublisher } from './feed-publisher.js';

export class CaptureReplay {
  packetsReplayed = 0;
  /** Datagrams too short or too long to be an MDP3 packet the publisher can send. */
  packetsSkipped = 0;
  finished = false;
  private readonly datagram = new UdpDatagram();
  /** The mapped file as a Buffer (no copy), so a payload is copied out with no allocation. */
  private readonly source: Buffer;

  private constructor(
    readonly path: string,
    private readonly reader: CaptureReader,
  ) {
    const bytes = reader.bytes;
    this.source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  static open(path: string): CaptureReplay {
    return new CaptureReplay(path, CaptureReader.map(path));
  }

  /** Sends up to `count` packets; returns how many it went through (fewer at the end of the file). */
  sendNext(count: number, publisher: FeedPublisher): number {
    let done = 0;
    while (done < count && !this.finished) {
      if (!publisher.canSend) break;
      if (!this.reader.next(this.datagram)) {
        this.finished = true;
        break;
      }
      if (publisher.sendCaptured(this.source, this.datagram.payloadOffset, this.datagram.payloadLength)) this.packetsReplayed++;
      else this.packetsSkipped++;
      done++;
    }
    return done;
  }

  close(): void {
    this.reader.close();
  }
}
