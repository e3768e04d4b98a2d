/**
 * Feeds a recorded MDP3 capture (pcap/pcapng) instead of the synthetic market: each UDP payload
 * is sent as it was recorded, straight from the mapped file, at the simulator's rate, once
 * through the file.
 */
import { CaptureReader, UdpDatagram } from '../io/pcap.js';
import type { FeedPublisher } from './feed-publisher.js';

export class CaptureReplay {
  packetsReplayed = 0;
  /** Datagrams too short to be an MDP3 packet. */
  packetsSkipped = 0;
  finished = false;
  private readonly datagram = new UdpDatagram();

  private constructor(
    readonly path: string,
    private readonly reader: CaptureReader,
  ) {}

  static open(path: string): CaptureReplay {
    return new CaptureReplay(path, CaptureReader.map(path));
  }

  /** Sends up to `count` packets; returns how many it went through (fewer at the end of the file). */
  sendNext(count: number, publisher: FeedPublisher): number {
    let done = 0;
    const { bytes, view } = this.reader;
    while (done < count && !this.finished) {
      if (!this.reader.next(this.datagram)) {
        this.finished = true;
        break;
      }
      // Straight from the mapped file: no copy.
      if (publisher.sendRecorded(bytes, view, this.datagram.payloadOffset, this.datagram.payloadLength)) this.packetsReplayed++;
      else this.packetsSkipped++;
      done++;
    }
    return done;
  }

  close(): void {
    this.reader.close();
  }
}
