/**
 * `pcap:path`: the UDP datagrams of a capture file, handed out in place from the mapped file as
 * fast as the handler takes them (paced replay is the replay module's job), each with its
 * capture time as the receive time. -1 once the file is exhausted.
 */
import { CaptureReader, UdpDatagram } from '../../io/pcap.js';
import { ReceiveTime, type DatagramHandler, type FeedSource } from '../datagram.js';

const NANOS_PER_SECOND = 1_000_000_000;
export const SOURCE_EXHAUSTED = -1;

export class PcapSource implements FeedSource {
  readonly url: string;
  readonly line: number;
  readonly reader: CaptureReader;
  readonly droppedCount = 0;
  private readonly datagram = new UdpDatagram();
  private readonly captured = new ReceiveTime();
  private exhausted = false;

  static open(url: string, path: string, line: number): PcapSource {
    return new PcapSource(url, CaptureReader.map(path), line);
  }

  private constructor(url: string, reader: CaptureReader, line: number) {
    this.url = url;
    this.reader = reader;
    this.line = line;
  }

  poll(handler: DatagramHandler, maxDatagrams: number, _timeoutMs: number): number {
    if (this.exhausted) return SOURCE_EXHAUSTED;
    const reader = this.reader;
    const datagram = this.datagram;
    const view = reader.view;
    let delivered = 0;
    while (delivered < maxDatagrams) {
      if (!reader.next(datagram)) {
        this.exhausted = true;
        return delivered === 0 ? SOURCE_EXHAUSTED : delivered;
      }
      this.captured.nanos = datagram.timestampSeconds * NANOS_PER_SECOND + datagram.timestampNanoseconds;
      handler.onDatagram(view, datagram.payloadOffset, datagram.payloadLength, this.captured, this.line);
      delivered++;
    }
    return delivered;
  }

  /** Starts the file over (a replay loop). */
  rewind(): void {
    this.reader.rewind();
    this.exhausted = false;
  }

  close(): void {
    this.reader.close();
  }
}
