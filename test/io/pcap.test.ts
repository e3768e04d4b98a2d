import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MappedFile } from '../../src/io/mapped-file.js';
import { CaptureFormatError, CaptureReader, UdpDatagram, isCaptureFile } from '../../src/io/pcap.js';
import {
  ETHERNET_HEADER_LENGTH,
  IPV4_FLAGS_FRAGMENT_OFFSET,
  IPV4_PROTOCOL_OFFSET,
  LINKTYPE_ETHERNET,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
  MAX_CAPTURED_LENGTH,
  PCAPNG_BLOCK_OVERHEAD,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET_BLOCK,
  PCAPNG_INTERFACE_DESCRIPTION_BLOCK,
  PCAPNG_OPTION_IF_TSRESOL,
  PCAPNG_SECTION_HEADER_BLOCK,
  PCAPNG_SIMPLE_PACKET_BLOCK,
  PCAP_FILE_HEADER_LENGTH,
  PCAP_RECORD_CAPTURED_LENGTH_OFFSET,
  PCAP_RECORD_HEADER_LENGTH,
  UDP_LENGTH_OFFSET,
  pcapngPadded,
} from '../../src/io/pcap-format.js';
import { formatIpv4, parseIpv4 } from '../../src/io/ipv4.js';
import { PcapWriter, type UdpAddressing, ipv4HeaderChecksum, udpFrameOverhead, writeUdpFrameHeaders } from '../../src/io/pcap-writer.js';

const peer = (name: string) => new URL(`../../../shared/peer/mdp3/${name}`, import.meta.url).pathname;

const feed: UdpAddressing = {
  sourceAddress: parseIpv4('10.0.0.1'),
  sourcePort: 40000,
  destinationAddress: parseIpv4('224.0.31.1'),
  destinationPort: 14310,
};

function payloadOf(index: number, length = 20 + index): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (index * 31 + i) & 0xff);
}

/** An Ethernet/IPv4/UDP frame around `payload`, as the writer synthesizes it. */
function ethernetFrame(payload: Uint8Array, addressing: UdpAddressing = feed): Uint8Array {
  const frame = new Uint8Array(udpFrameOverhead(addressing.vlanId !== undefined) + payload.byteLength);
  const payloadOffset = writeUdpFrameHeaders(new DataView(frame.buffer), 0, payload.byteLength, addressing);
  frame.set(payload, payloadOffset);
  return frame;
}

/** The IPv4 packet inside `ethernetFrame`. */
function ipv4Packet(payload: Uint8Array): Uint8Array {
  return ethernetFrame(payload).subarray(ETHERNET_HEADER_LENGTH);
}

function withLinkHeader(linkHeader: Uint8Array, packet: Uint8Array): Uint8Array {
  const frame = new Uint8Array(linkHeader.byteLength + packet.byteLength);
  frame.set(linkHeader);
  frame.set(packet, linkHeader.byteLength);
  return frame;
}

function readAll(reader: CaptureReader): Array<{ payload: number[]; seconds: number; nanos: number; interfaceId: number; to: string; from: string }> {
  const datagram = new UdpDatagram();
  const out = [];
  while (reader.next(datagram)) {
    out.push({
      payload: [...reader.bytes.subarray(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength)],
      seconds: datagram.timestampSeconds,
      nanos: datagram.timestampNanoseconds,
      interfaceId: datagram.interfaceId,
      to: `${formatIpv4(datagram.destinationAddress)}:${datagram.destinationPort}`,
      from: `${formatIpv4(datagram.sourceAddress)}:${datagram.sourcePort}`,
    });
  }
  return out;
}

/** Writes pcapng blocks in either byte order; enough of the format to exercise the reader. */
class PcapngBuilder {
  private readonly blocks: Uint8Array[] = [];

  constructor(private readonly littleEndian = true) {}

  section(): this {
    return this.block(PCAPNG_SECTION_HEADER_BLOCK, 16, (view) => {
      view.setUint32(8, PCAPNG_BYTE_ORDER_MAGIC, this.littleEndian);
      view.setUint16(12, 1, this.littleEndian);
      view.setUint16(14, 0, this.littleEndian);
      view.setInt32(16, -1, this.littleEndian); // section length unknown (-1 as i64)
      view.setInt32(20, -1, this.littleEndian);
    });
  }

  interface(linkType: number, tsresol?: number): this {
    const optionsLength = tsresol === undefined ? 0 : 8 + 4; // if_tsresol (4 + 1 padded to 8) + opt_endofopt
    return this.block(PCAPNG_INTERFACE_DESCRIPTION_BLOCK, 8 + optionsLength, (view) => {
      view.setUint16(8, linkType, this.littleEndian);
      view.setUint32(12, 65535, this.littleEndian);
      if (tsresol !== undefined) {
        view.setUint16(16, PCAPNG_OPTION_IF_TSRESOL, this.littleEndian);
        view.setUint16(18, 1, this.littleEndian);
        view.setUint8(20, tsresol);
      }
    });
  }

  enhanced(interfaceId: number, units: bigint, frame: Uint8Array, originalLength = frame.byteLength): this {
    return this.block(PCAPNG_ENHANCED_PACKET_BLOCK, 20 + pcapngPadded(frame.byteLength), (view, bytes) => {
      view.setUint32(8, interfaceId, this.littleEndian);
      view.setUint32(12, Number(units >> 32n), this.littleEndian);
      view.setUint32(16, Number(units & 0xffffffffn), this.littleEndian);
      view.setUint32(20, frame.byteLength, this.littleEndian);
      view.setUint32(24, originalLength, this.littleEndian);
      bytes.set(frame, 28);
    });
  }

  simple(frame: Uint8Array): this {
    return this.block(PCAPNG_SIMPLE_PACKET_BLOCK, 4 + pcapngPadded(frame.byteLength), (view, bytes) => {
      view.setUint32(8, frame.byteLength, this.littleEndian);
      bytes.set(frame, 12);
    });
  }

  /** Any other block type, which the reader must step over. */
  opaque(type: number, bodyLength: number): this {
    return this.block(type, bodyLength, () => {});
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.blocks.flatMap((block) => [...block]));
  }

  private block(type: number, bodyLength: number, fill: (view: DataView, bytes: Uint8Array) => void): this {
    const totalLength = PCAPNG_BLOCK_OVERHEAD + bodyLength;
    const bytes = new Uint8Array(totalLength);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, type, this.littleEndian);
    view.setUint32(4, totalLength, this.littleEndian);
    fill(view, bytes);
    view.setUint32(totalLength - 4, totalLength, this.littleEndian);
    this.blocks.push(bytes);
    return this;
  }
}

describe('classic pcap', () => {
  it('reads the UDP payload, addresses and time of a real CME capture', () => {
    // given a capture written by a little-endian host with microsecond timestamps
    const reader = CaptureReader.open(peer('v1.9-MdIncrementalRefreshBook.pcap'));

    // when
    const datagram = new UdpDatagram();
    expect(reader.next(datagram)).toBe(true);

    // then the payload is the UDP datagram's 1196 bytes, starting at the MDP packet header
    expect(reader.format).toBe('pcap');
    expect(datagram.payloadOffset).toBe(PCAP_FILE_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH + 14 + 20 + 8);
    expect(datagram.payloadLength).toBe(0x04b4 - 8);
    expect(`${formatIpv4(datagram.destinationAddress)}:${datagram.destinationPort}`).toBe('224.0.28.20:14361');
    expect(datagram.timestampSeconds).toBe(0x5b991ad7);
    expect(datagram.timestampNanoseconds).toBe(0x0a5e6a * 1000);
    expect(datagram.timestampBigInt()).toBe(0x5b991ad7n * 1_000_000_000n + 0x0a5e6an * 1000n);
    expect(reader.next(datagram)).toBe(false);
  });

  it.each([
    { nanosecond: true, littleEndian: true },
    { nanosecond: true, littleEndian: false },
    { nanosecond: false, littleEndian: true },
    { nanosecond: false, littleEndian: false },
  ])('round-trips datagrams written with %o', (options) => {
    // given
    const writer = new PcapWriter(options);
    writer.writeUdp(payloadOf(1), 1_700_000_000, 123_456_789, feed);
    writer.writeUdp(payloadOf(2), 1_700_000_001, 999_999_999, { ...feed, destinationPort: 14311 });

    // when
    const datagrams = readAll(new CaptureReader(writer.bytes()));

    // then timestamps keep the unit the file was written in
    const unit = options.nanosecond ? 1 : 1000;
    expect(datagrams).toEqual([
      { payload: [...payloadOf(1)], seconds: 1_700_000_000, nanos: Math.floor(123_456_789 / unit) * unit, interfaceId: 0, to: '224.0.31.1:14310', from: '10.0.0.1:40000' },
      { payload: [...payloadOf(2)], seconds: 1_700_000_001, nanos: Math.floor(999_999_999 / unit) * unit, interfaceId: 0, to: '224.0.31.1:14311', from: '10.0.0.1:40000' },
    ]);
  });

  it('synthesizes headers other tools accept: valid IPv4 checksum, multicast MAC from the group address', () => {
    // given
    const frame = ethernetFrame(payloadOf(1), { ...feed, destinationAddress: parseIpv4('239.129.2.3') });
    const view = new DataView(frame.buffer);

    // then the ones' complement sum over the header, checksum included, is 0xffff (RFC 1071)
    expect(ipv4HeaderChecksum(view, ETHERNET_HEADER_LENGTH, 20)).toBe(0);
    // and 239.129.2.3 maps to 01:00:5e:01:02:03 (the low 23 bits of the group)
    expect([...frame.subarray(0, 6)]).toEqual([0x01, 0x00, 0x5e, 0x01, 0x02, 0x03]);
  });

  it('looks through 802.1Q and stacked 802.1ad VLAN tags', () => {
    // given one single-tagged frame (from the writer) and one double-tagged frame
    const writer = new PcapWriter();
    writer.writeUdp(payloadOf(1), 1, 0, { ...feed, vlanId: 100 });
    const inner = ethernetFrame(payloadOf(2), { ...feed, vlanId: 200 });
    const doubleTagged = new Uint8Array(inner.byteLength + 4);
    doubleTagged.set(inner.subarray(0, 12));
    doubleTagged.set([0x88, 0xa8, 0x00, 0x0a], 12); // outer S-tag, VLAN 10
    doubleTagged.set(inner.subarray(12), 16);
    writer.writeFrame(doubleTagged, 2, 0);

    // when / then
    expect(readAll(new CaptureReader(writer.bytes())).map((d) => d.payload)).toEqual([[...payloadOf(1)], [...payloadOf(2)]]);
  });

  it('reads Linux cooked captures (SLL and SLL2) and raw IPv4', () => {
    const sllHeader = new Uint8Array(16);
    sllHeader.set([0x08, 0x00], 14);
    const sll2Header = new Uint8Array(20);
    sll2Header.set([0x08, 0x00], 0);
    const cases = [
      { linkType: LINKTYPE_LINUX_SLL, frame: withLinkHeader(sllHeader, ipv4Packet(payloadOf(3))) },
      { linkType: LINKTYPE_LINUX_SLL2, frame: withLinkHeader(sll2Header, ipv4Packet(payloadOf(3))) },
      { linkType: LINKTYPE_RAW, frame: ipv4Packet(payloadOf(3)) },
    ];
    for (const { linkType, frame } of cases) {
      // given
      const writer = new PcapWriter({ linkType });
      writer.writeFrame(frame, 5, 6);

      // when
      const [datagram] = readAll(new CaptureReader(writer.bytes()));

      // then
      expect(datagram?.payload, `link type ${linkType}`).toEqual([...payloadOf(3)]);
      expect(datagram?.to).toBe('224.0.31.1:14310');
    }
  });

  it('skips fragments, non-IPv4, non-UDP, truncated and malformed packets, counting each reason, and goes on', () => {
    // given one good datagram after each kind of packet it cannot hand out
    const writer = new PcapWriter();
    const moreFragments = ethernetFrame(payloadOf(10));
    new DataView(moreFragments.buffer).setUint16(ETHERNET_HEADER_LENGTH + IPV4_FLAGS_FRAGMENT_OFFSET, 0x2000);
    const laterFragment = ethernetFrame(payloadOf(11));
    new DataView(laterFragment.buffer).setUint16(ETHERNET_HEADER_LENGTH + IPV4_FLAGS_FRAGMENT_OFFSET, 0x0010);
    const tcp = ethernetFrame(payloadOf(12));
    tcp[ETHERNET_HEADER_LENGTH + IPV4_PROTOCOL_OFFSET] = 6;
    const arp = ethernetFrame(payloadOf(13));
    arp.set([0x08, 0x06], 12);
    const udpLengthTooLong = ethernetFrame(payloadOf(14));
    new DataView(udpLengthTooLong.buffer).setUint16(ETHERNET_HEADER_LENGTH + 20 + UDP_LENGTH_OFFSET, 4000);
    const full = ethernetFrame(payloadOf(15));

    writer.writeFrame(moreFragments, 1, 0);
    writer.writeFrame(laterFragment, 1, 0);
    writer.writeUdp(payloadOf(1), 1, 0, feed);
    writer.writeFrame(tcp, 1, 0);
    writer.writeFrame(arp, 1, 0);
    writer.writeUdp(payloadOf(2), 1, 0, feed);
    writer.writeFrame(full.subarray(0, 40), 1, 0, full.byteLength); // snap length cut it
    writer.writeFrame(udpLengthTooLong, 1, 0);
    writer.writeUdp(payloadOf(3), 1, 0, feed);

    // when
    const reader = new CaptureReader(writer.bytes());
    const datagrams = readAll(reader);

    // then
    expect(datagrams.map((d) => d.payload)).toEqual([[...payloadOf(1)], [...payloadOf(2)], [...payloadOf(3)]]);
    expect(reader.skipped).toEqual({ fragment: 2, notIpv4: 1, notUdp: 1, truncated: 1, malformed: 1, unsupportedLinkType: 0, filtered: 0 });
    expect(reader.packetCount).toBe(9);
  });

  it('bounds the payload by the IPv4 total length, not the Ethernet padding', () => {
    // given a 2-byte payload padded to the 60-byte Ethernet minimum
    const frame = new Uint8Array(60);
    frame.set(ethernetFrame(Uint8Array.of(7, 8)));
    const writer = new PcapWriter();
    writer.writeFrame(frame, 1, 0);

    // when / then
    expect(readAll(new CaptureReader(writer.bytes())).map((d) => d.payload)).toEqual([[7, 8]]);
  });

  it('filters by destination port and address', () => {
    const writer = new PcapWriter();
    writer.writeUdp(payloadOf(1), 1, 0, feed);
    writer.writeUdp(payloadOf(2), 1, 0, { ...feed, destinationPort: 9999 });
    writer.writeUdp(payloadOf(3), 1, 0, { ...feed, destinationAddress: parseIpv4('224.0.31.2') });

    const byPort = new CaptureReader(writer.bytes(), { destinationPort: 14310 });
    expect(readAll(byPort).map((d) => d.payload)).toEqual([[...payloadOf(1)], [...payloadOf(3)]]);
    expect(byPort.skipped.filtered).toBe(1);

    const byAddress = new CaptureReader(writer.bytes(), { destinationAddress: parseIpv4('224.0.31.2') });
    expect(readAll(byAddress).map((d) => d.payload)).toEqual([[...payloadOf(3)]]);
  });

  it('stops with the byte offset of a record that runs past the end of the file', () => {
    // given a file cut in the middle of its second record
    const writer = new PcapWriter();
    writer.writeUdp(payloadOf(1), 1, 0, feed);
    const secondRecordOffset = writer.bytes().byteLength;
    writer.writeUdp(payloadOf(2), 1, 0, feed);
    const cut = writer.bytes().slice(0, secondRecordOffset + 30);

    // when
    const reader = new CaptureReader(cut);
    const datagram = new UdpDatagram();
    expect(reader.next(datagram)).toBe(true);

    // then
    const error = catchError(() => reader.next(datagram));
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as CaptureFormatError).byteOffset).toBe(secondRecordOffset);
    expect((error as Error).message).toBe(
      `pcap record claims ${udpFrameOverhead(false) + 22} captured bytes but only 14 remain in the file at byte offset ${secondRecordOffset}`,
    );
  });

  it('stops at a record whose captured length no packet can have, naming it and the offset', () => {
    // given a record header claiming more than any snap length, in a file that holds that many bytes
    const writer = new PcapWriter();
    writer.writeUdp(payloadOf(1), 1, 0, feed);
    const bytes = new Uint8Array(writer.bytes().byteLength + MAX_CAPTURED_LENGTH + 1);
    bytes.set(writer.bytes());
    const claimed = MAX_CAPTURED_LENGTH + 1;
    new DataView(bytes.buffer).setUint32(PCAP_FILE_HEADER_LENGTH + PCAP_RECORD_CAPTURED_LENGTH_OFFSET, claimed, true);

    // when
    const error = catchError(() => new CaptureReader(bytes).next(new UdpDatagram()));

    // then
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as Error).message).toBe(
      `pcap record claims ${claimed} captured bytes (more than ${MAX_CAPTURED_LENGTH}) at byte offset ${PCAP_FILE_HEADER_LENGTH}`,
    );
  });

  it('rejects a file that is not a capture, and a cut record header, naming the offset', () => {
    expect(isCaptureFile(Uint8Array.of(1, 2, 3, 4, 5))).toBe(false);
    expect(() => new CaptureReader(Uint8Array.of(1, 2, 3, 4, 5))).toThrow('not a pcap or pcapng file: unknown magic number at byte offset 0');

    const writer = new PcapWriter();
    const cut = writer.bytes().slice();
    const withPartialHeader = Uint8Array.from([...cut, 1, 2, 3]);
    const error = catchError(() => new CaptureReader(withPartialHeader).next(new UdpDatagram()));
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as CaptureFormatError).byteOffset).toBe(PCAP_FILE_HEADER_LENGTH);
  });
});

describe('pcapng', () => {
  it.each([true, false])('reads several interfaces with their own if_tsresol (little-endian %s)', (littleEndian) => {
    // given interface 0 in nanoseconds (tsresol 9), interface 1 at the default microseconds
    const bytes = new PcapngBuilder(littleEndian)
      .section()
      .interface(LINKTYPE_ETHERNET, 9)
      .interface(LINKTYPE_LINUX_SLL2)
      .enhanced(0, 1_700_000_000_123_456_789n, ethernetFrame(payloadOf(1)))
      .opaque(5, 8) // an interface statistics block, to step over
      .enhanced(1, 1_700_000_001_654_321n, withLinkHeader(Uint8Array.of(8, 0, ...new Array<number>(18).fill(0)), ipv4Packet(payloadOf(2))))
      .simple(ethernetFrame(payloadOf(3)))
      .bytes();

    // when
    const reader = new CaptureReader(bytes);
    const datagrams = readAll(reader);

    // then
    expect(reader.format).toBe('pcapng');
    expect(datagrams.map(({ payload, seconds, nanos, interfaceId }) => ({ payload, seconds, nanos, interfaceId }))).toEqual([
      { payload: [...payloadOf(1)], seconds: 1_700_000_000, nanos: 123_456_789, interfaceId: 0 },
      { payload: [...payloadOf(2)], seconds: 1_700_000_001, nanos: 654_321_000, interfaceId: 1 },
      { payload: [...payloadOf(3)], seconds: 0, nanos: 0, interfaceId: 0 },
    ]);
  });

  it('reads binary timestamp resolutions and starts over at each section', () => {
    // given a section in 2^-20 s units, then a big-endian section in nanoseconds
    const first = new PcapngBuilder(true)
      .section()
      .interface(LINKTYPE_ETHERNET, 0x80 | 20)
      .enhanced(0, (1_700_000_000n << 20n) | (1n << 19n), ethernetFrame(payloadOf(1)))
      .bytes();
    const second = new PcapngBuilder(false)
      .section()
      .interface(LINKTYPE_RAW, 9)
      .enhanced(0, 5_000_000_007n, ipv4Packet(payloadOf(2)))
      .bytes();

    // when
    const datagrams = readAll(new CaptureReader(Uint8Array.from([...first, ...second])));

    // then
    expect(datagrams.map(({ seconds, nanos }) => [seconds, nanos])).toEqual([
      [1_700_000_000, 500_000_000],
      [5, 7],
    ]);
  });

  it('counts truncated packets and unknown link types, and goes on', () => {
    const full = ethernetFrame(payloadOf(4));
    const bytes = new PcapngBuilder()
      .section()
      .interface(LINKTYPE_ETHERNET, 9)
      .interface(147) // LINKTYPE_USER0: not ours
      .enhanced(0, 1n, full.subarray(0, 30), full.byteLength)
      .enhanced(1, 2n, full)
      .enhanced(0, 3n, full)
      .bytes();

    const reader = new CaptureReader(bytes);
    expect(readAll(reader).map((d) => d.payload)).toEqual([[...payloadOf(4)]]);
    expect(reader.skipped.truncated).toBe(1);
    expect(reader.skipped.unsupportedLinkType).toBe(1);
  });

  it('stops at a block whose trailing length disagrees, naming its offset', () => {
    // given
    const builder = new PcapngBuilder().section().interface(LINKTYPE_ETHERNET);
    const goodPart = builder.bytes().byteLength;
    const bytes = builder.enhanced(0, 1n, ethernetFrame(payloadOf(1))).bytes();
    bytes[bytes.byteLength - 4] = 0xff;

    // when
    const error = catchError(() => new CaptureReader(bytes).next(new UdpDatagram()));

    // then
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect((error as CaptureFormatError).byteOffset).toBe(goodPart);
    expect((error as Error).message).toMatch(/does not match its trailing copy .* at byte offset \d+/);
  });

  it('stops at a packet for an interface the section never described', () => {
    const builder = new PcapngBuilder().section().interface(LINKTYPE_ETHERNET);
    const offset = builder.bytes().byteLength;
    const bytes = builder.enhanced(1, 1n, ethernetFrame(payloadOf(1))).bytes();
    expect(() => new CaptureReader(bytes).next(new UdpDatagram())).toThrow(
      `packet block refers to interface 1 but the section describes 1 at byte offset ${offset}`,
    );
  });
});

describe('mapped captures', () => {
  it('hands out the same datagrams from a mapped file as from one read into the heap', () => {
    // given
    const path = peer('v1.9-MdIncrementalRefreshVolume.pcap');

    // when
    const mapped = CaptureReader.map(path);
    const fromMapping = readAll(mapped);
    mapped.close();
    mapped.close(); // idempotent

    // then
    expect(fromMapping).toEqual(readAll(CaptureReader.open(path)));
    expect(fromMapping.length).toBeGreaterThan(0);
  });

  it('maps a whole file as its bytes, an empty file as none, and names a missing file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'zerotick-mapped-'));
    try {
      const empty = join(directory, 'empty');
      writeFileSync(empty, '');
      const mappedEmpty = MappedFile.open(empty);
      expect(mappedEmpty.bytes.byteLength).toBe(0);
      mappedEmpty.close();

      const path = peer('v1.9-MdIncrementalRefreshBook.pcap');
      const mapped = MappedFile.open(path);
      expect(Buffer.from(mapped.bytes).equals(readFileSync(path))).toBe(true);
      mapped.close();

      const missing = join(directory, 'missing.pcap');
      expect(() => MappedFile.open(missing)).toThrow(`open ${missing}: ENOENT (No such file or directory)`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

