import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { CaptureFormatError, CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { PcapFileWriter, rotatedPath, type CaptureFileFormat } from '../../src/io/pcap-file-writer.js';
import { udpFrameOverhead } from '../../src/io/pcap-writer.js';

const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-pcap-file-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

const addressing = { sourceAddress: parseIpv4('10.1.2.3'), sourcePort: 5001, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };

interface Read {
  payload: number[];
  seconds: number;
  nanoseconds: number;
  source: number;
  destination: number;
  destinationPort: number;
}

function readAll(path: string): { datagrams: Read[]; skipped: CaptureReader['skipped'] } {
  const reader = CaptureReader.open(path);
  const datagram = new UdpDatagram();
  const datagrams: Read[] = [];
  while (reader.next(datagram)) {
    datagrams.push({
      payload: [...reader.bytes.subarray(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength)],
      seconds: datagram.timestampSeconds,
      nanoseconds: datagram.timestampNanoseconds,
      source: datagram.sourceAddress,
      destination: datagram.destinationAddress,
      destinationPort: datagram.destinationPort,
    });
  }
  return { datagrams, skipped: reader.skipped };
}

/** A region with a 3-byte prefix and packets of lengths 0..n-1, packet i filled with i. */
function writeSample(path: string, format: CaptureFileFormat, count: number, rotateBytes?: number): PcapFileWriter {
  const writer = PcapFileWriter.create(path, { format, ...(rotateBytes === undefined ? {} : { rotateBytes }) });
  const region = new Uint8Array(3 + count);
  for (let i = 0; i < count; i++) {
    region.fill(i, 3, 3 + i);
    writer.writeUdp(region, 3, i, 1_700_000_000 + i, 999_999_999 - i, addressing);
  }
  writer.close();
  return writer;
}

describe('PcapFileWriter', () => {
  for (const format of ['pcap', 'pcapng'] as const) {
    it(`writes ${format} that the capture reader reads back exactly: payloads, nanosecond times, addresses`, () => {
      // given
      const path = join(workDirectory, `exact.${format}`);
      // when
      const writer = writeSample(path, format, 40);
      // then
      const { datagrams, skipped } = readAll(path);
      expect(datagrams).toHaveLength(40);
      datagrams.forEach((datagram, i) => {
        expect(datagram.payload).toEqual(new Array(i).fill(i));
        expect([datagram.seconds, datagram.nanoseconds]).toEqual([1_700_000_000 + i, 999_999_999 - i]);
        expect([datagram.source, datagram.destination, datagram.destinationPort]).toEqual([
          addressing.sourceAddress,
          addressing.destinationAddress,
          addressing.destinationPort,
        ]);
      });
      expect(Object.values(skipped).every((count) => count === 0)).toBe(true);
      expect(writer.recordCount).toBe(40);
      expect(writer.byteCount).toBe(statSync(path).size);
    });
  }

  it('writes the nanosecond pcap magic, so tools keep sub-microsecond times', () => {
    const path = join(workDirectory, 'magic.pcap');
    writeSample(path, 'pcap', 1);
    expect(readFileSync(path).readUInt32LE(0)).toBe(0xa1b23c4d);
  });

  it('keeps pcapng timestamps exact far from the epoch (64-bit nanosecond counts)', () => {
    const path = join(workDirectory, 'far.pcapng');
    const writer = PcapFileWriter.create(path, { format: 'pcapng' });
    for (const seconds of [0, 1, 65_535, 65_536, 4_294_967_295]) writer.writeUdp(new Uint8Array(1), 0, 1, seconds, 123_456_789, addressing);
    writer.close();
    expect(readAll(path).datagrams.map((d) => [d.seconds, d.nanoseconds])).toEqual(
      [0, 1, 65_535, 65_536, 4_294_967_295].map((seconds) => [seconds, 123_456_789]),
    );
  });

  it('records a datagram cut short as truncated, with its original length', () => {
    const path = join(workDirectory, 'cut.pcap');
    const writer = PcapFileWriter.create(path);
    writer.writeUdp(new Uint8Array(10), 0, 10, 1, 0, addressing, 1000);
    writer.close();
    const bytes = readFileSync(path);
    expect(bytes.readUInt32LE(24 + 8)).toBe(udpFrameOverhead(false) + 10);
    expect(bytes.readUInt32LE(24 + 12)).toBe(udpFrameOverhead(false) + 1000);
    expect(readAll(path).skipped.truncated).toBe(1);
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    it(`rotates ${format} by size: every file is complete, none is larger than asked, nothing is lost`, () => {
      // given
      const path = join(workDirectory, `rotated.${format}`);
      // when
      const writer = writeSample(path, format, 200, 2000);
      // then
      expect(writer.files.length).toBeGreaterThan(3);
      expect(writer.files.slice(0, 3)).toEqual([path, rotatedPath(path, 1), rotatedPath(path, 2)]);
      const payloadLengths = writer.files.flatMap((file) => {
        expect(statSync(file).size).toBeLessThanOrEqual(2000);
        return readAll(file).datagrams.map((datagram) => datagram.payload.length);
      });
      expect(payloadLengths).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });
  }

  it('names rotated files before their extension', () => {
    expect(rotatedPath('/a/feed.pcap', 0)).toBe('/a/feed.pcap');
    expect(rotatedPath('/a/feed.pcap', 2)).toBe('/a/feed.2.pcap');
    expect(rotatedPath('feed', 1)).toBe('feed.1');
  });

  for (const format of ['pcap', 'pcapng'] as const) {
    it(`leaves a ${format} file cut mid-record readable up to the cut, which is reported at its byte offset`, () => {
      // given: a file cut 5 bytes into its last record
      const path = join(workDirectory, `cut-mid-record.${format}`);
      writeSample(path, format, 10);
      const whole = statSync(path).size;
      const lastRecordLength = format === 'pcap' ? 16 + udpFrameOverhead(false) + 9 : 32 + ((udpFrameOverhead(false) + 9 + 3) & ~3);
      truncateSync(path, whole - lastRecordLength + 5);
      // when
      const reader = CaptureReader.open(path);
      const datagram = new UdpDatagram();
      let complete = 0;
      let failure: unknown;
      try {
        while (reader.next(datagram)) complete++;
      } catch (error) {
        failure = error;
      }
      // then
      expect(complete).toBe(9);
      expect(failure).toBeInstanceOf(CaptureFormatError);
      expect((failure as CaptureFormatError).byteOffset).toBe(whole - lastRecordLength);
      expect((failure as Error).message).toMatch(new RegExp(`at byte offset ${whole - lastRecordLength}$`));
    });
  }

  it('refuses a buffer too small for the largest record', () => {
    expect(() => PcapFileWriter.create(join(workDirectory, 'small.pcap'), { bufferBytes: 1000 })).toThrow(/bufferBytes=1000/);
  });
});
