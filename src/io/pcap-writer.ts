/**
 * Writes classic pcap with synthesized Ethernet/IPv4/UDP headers, so that Wireshark, tcpdump and
 * tcpreplay read what we record or generate.
 *
 * The encoders write into a caller's DataView at an offset and return the bytes written, so a
 * recorder can fill a preallocated buffer and flush it whole; `PcapWriter` is the convenience
 * that grows an in-memory buffer (tests, feed generators).
 */
import {
  ETHERNET_ADDRESS_LENGTH,
  ETHERNET_DESTINATION_OFFSET,
  ETHERNET_HEADER_LENGTH,
  ETHERNET_SOURCE_OFFSET,
  ETHERNET_TYPE_OFFSET,
  ETHERTYPE_IPV4,
  ETHERTYPE_VLAN,
  IPV4_CHECKSUM_OFFSET,
  IPV4_DESTINATION_OFFSET,
  IPV4_DONT_FRAGMENT,
  IPV4_FLAGS_FRAGMENT_OFFSET,
  IPV4_IDENTIFICATION_OFFSET,
  IPV4_MIN_HEADER_LENGTH,
  IPV4_PROTOCOL_OFFSET,
  IPV4_PROTOCOL_UDP,
  IPV4_SOURCE_OFFSET,
  IPV4_TOS_OFFSET,
  IPV4_TOTAL_LENGTH_OFFSET,
  IPV4_TTL_OFFSET,
  IPV4_VERSION,
  IPV4_VERSION_IHL_OFFSET,
  LINKTYPE_ETHERNET,
  MAX_CAPTURED_LENGTH,
  PCAP_FILE_HEADER_LENGTH,
  PCAP_LINK_TYPE_OFFSET,
  PCAP_MAGIC_MICROS,
  PCAP_MAGIC_NANOS,
  PCAP_MAGIC_OFFSET,
  PCAP_RECORD_CAPTURED_LENGTH_OFFSET,
  PCAP_RECORD_FRACTION_OFFSET,
  PCAP_RECORD_HEADER_LENGTH,
  PCAP_RECORD_ORIGINAL_LENGTH_OFFSET,
  PCAP_RECORD_SECONDS_OFFSET,
  PCAP_SIGFIGS_OFFSET,
  PCAP_SNAPLEN_OFFSET,
  PCAP_THISZONE_OFFSET,
  PCAP_VERSION_MAJOR,
  PCAP_VERSION_MAJOR_OFFSET,
  PCAP_VERSION_MINOR,
  PCAP_VERSION_MINOR_OFFSET,
  UDP_CHECKSUM_OFFSET,
  UDP_DESTINATION_PORT_OFFSET,
  UDP_HEADER_LENGTH,
  UDP_LENGTH_OFFSET,
  UDP_SOURCE_PORT_OFFSET,
  VLAN_TAG_LENGTH,
} from './pcap-format.js';

/** The two ends of a synthesized UDP datagram; addresses as unsigned 32-bit numbers. */
export interface UdpAddressing {
  sourceAddress: number;
  sourcePort: number;
  destinationAddress: number;
  destinationPort: number;
  /** An 802.1Q VLAN id to tag the Ethernet frame with; untagged when absent. */
  vlanId?: number;
}

export interface PcapFileOptions {
  /** Nanosecond timestamps (magic 0xa1b23c4d). Default true: replays need sub-microsecond gaps. */
  nanosecond?: boolean;
  /** Byte order of the file and record headers. Default true (what every current host writes). */
  littleEndian?: boolean;
  /** Default LINKTYPE_ETHERNET. */
  linkType?: number;
  /** Default MAX_CAPTURED_LENGTH. */
  snapLength?: number;
}

/** TTL of synthesized packets: multicast feeds are usually sent with a small one. */
const SYNTHESIZED_TTL = 32;
const MULTICAST_MAC_PREFIX = [0x01, 0x00, 0x5e] as const;
const LOCALLY_ADMINISTERED_SOURCE_MAC = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01] as const;

/** Bytes of Ethernet + IPv4 + UDP headers in front of a payload (plus 4 with a VLAN tag). */
export function udpFrameOverhead(vlanTagged: boolean): number {
  return ETHERNET_HEADER_LENGTH + (vlanTagged ? VLAN_TAG_LENGTH : 0) + IPV4_MIN_HEADER_LENGTH + UDP_HEADER_LENGTH;
}

export function writePcapFileHeader(view: DataView, offset: number, options: PcapFileOptions = {}): number {
  const littleEndian = options.littleEndian ?? true;
  view.setUint32(offset + PCAP_MAGIC_OFFSET, options.nanosecond ?? true ? PCAP_MAGIC_NANOS : PCAP_MAGIC_MICROS, littleEndian);
  view.setUint16(offset + PCAP_VERSION_MAJOR_OFFSET, PCAP_VERSION_MAJOR, littleEndian);
  view.setUint16(offset + PCAP_VERSION_MINOR_OFFSET, PCAP_VERSION_MINOR, littleEndian);
  view.setInt32(offset + PCAP_THISZONE_OFFSET, 0, littleEndian);
  view.setUint32(offset + PCAP_SIGFIGS_OFFSET, 0, littleEndian);
  view.setUint32(offset + PCAP_SNAPLEN_OFFSET, options.snapLength ?? MAX_CAPTURED_LENGTH, littleEndian);
  view.setUint32(offset + PCAP_LINK_TYPE_OFFSET, options.linkType ?? LINKTYPE_ETHERNET, littleEndian);
  return PCAP_FILE_HEADER_LENGTH;
}

/**
 * Writes a pcap record header; `fraction` is nanoseconds or microseconds as the file header said.
 * Returns the header's length: the frame follows it.
 */
export function writePcapRecordHeader(
  view: DataView,
  offset: number,
  seconds: number,
  fraction: number,
  capturedLength: number,
  originalLength: number,
  littleEndian = true,
): number {
  view.setUint32(offset + PCAP_RECORD_SECONDS_OFFSET, seconds, littleEndian);
  view.setUint32(offset + PCAP_RECORD_FRACTION_OFFSET, fraction, littleEndian);
  view.setUint32(offset + PCAP_RECORD_CAPTURED_LENGTH_OFFSET, capturedLength, littleEndian);
  view.setUint32(offset + PCAP_RECORD_ORIGINAL_LENGTH_OFFSET, originalLength, littleEndian);
  return PCAP_RECORD_HEADER_LENGTH;
}

/**
 * Writes Ethernet (optionally VLAN-tagged), IPv4 and UDP headers for a payload of
 * `payloadLength` bytes; returns where the payload goes (relative to `offset`). The IPv4 header
 * checksum is computed; the UDP checksum is 0, which IPv4 allows ("not computed").
 */
export function writeUdpFrameHeaders(view: DataView, offset: number, payloadLength: number, addressing: UdpAddressing): number {
  const tagged = addressing.vlanId !== undefined;
  writeEthernetHeader(view, offset, addressing);
  let ipOffset = offset + ETHERNET_HEADER_LENGTH;
  if (tagged) {
    view.setUint16(offset + ETHERNET_TYPE_OFFSET, ETHERTYPE_VLAN);
    view.setUint16(offset + ETHERNET_TYPE_OFFSET + 2, (addressing.vlanId ?? 0) & 0x0fff);
    view.setUint16(offset + ETHERNET_TYPE_OFFSET + VLAN_TAG_LENGTH, ETHERTYPE_IPV4);
    ipOffset += VLAN_TAG_LENGTH;
  }
  const udpLength = UDP_HEADER_LENGTH + payloadLength;
  writeIpv4Header(view, ipOffset, IPV4_MIN_HEADER_LENGTH + udpLength, addressing);
  const udpOffset = ipOffset + IPV4_MIN_HEADER_LENGTH;
  view.setUint16(udpOffset + UDP_SOURCE_PORT_OFFSET, addressing.sourcePort);
  view.setUint16(udpOffset + UDP_DESTINATION_PORT_OFFSET, addressing.destinationPort);
  view.setUint16(udpOffset + UDP_LENGTH_OFFSET, udpLength);
  view.setUint16(udpOffset + UDP_CHECKSUM_OFFSET, 0);
  return udpOffset + UDP_HEADER_LENGTH - offset;
}

/** Multicast destinations get the 01:00:5e MAC their group maps to (RFC 1112), others a fixed one. */
function writeEthernetHeader(view: DataView, offset: number, addressing: UdpAddressing): void {
  const destination = addressing.destinationAddress;
  const multicast = destination >>> 28 === 0xe;
  for (let i = 0; i < ETHERNET_ADDRESS_LENGTH; i++) {
    view.setUint8(offset + ETHERNET_SOURCE_OFFSET + i, LOCALLY_ADMINISTERED_SOURCE_MAC[i] ?? 0);
  }
  if (multicast) {
    view.setUint8(offset + ETHERNET_DESTINATION_OFFSET, MULTICAST_MAC_PREFIX[0]);
    view.setUint8(offset + ETHERNET_DESTINATION_OFFSET + 1, MULTICAST_MAC_PREFIX[1]);
    view.setUint8(offset + ETHERNET_DESTINATION_OFFSET + 2, MULTICAST_MAC_PREFIX[2]);
    view.setUint8(offset + ETHERNET_DESTINATION_OFFSET + 3, (destination >>> 16) & 0x7f);
    view.setUint16(offset + ETHERNET_DESTINATION_OFFSET + 4, destination & 0xffff);
  } else {
    view.setUint16(offset + ETHERNET_DESTINATION_OFFSET, 0x0200);
    view.setUint32(offset + ETHERNET_DESTINATION_OFFSET + 2, 2);
  }
  view.setUint16(offset + ETHERNET_TYPE_OFFSET, ETHERTYPE_IPV4);
}

function writeIpv4Header(view: DataView, offset: number, totalLength: number, addressing: UdpAddressing): void {
  view.setUint8(offset + IPV4_VERSION_IHL_OFFSET, (IPV4_VERSION << 4) | (IPV4_MIN_HEADER_LENGTH / 4));
  view.setUint8(offset + IPV4_TOS_OFFSET, 0);
  view.setUint16(offset + IPV4_TOTAL_LENGTH_OFFSET, totalLength);
  view.setUint16(offset + IPV4_IDENTIFICATION_OFFSET, 0);
  view.setUint16(offset + IPV4_FLAGS_FRAGMENT_OFFSET, IPV4_DONT_FRAGMENT);
  view.setUint8(offset + IPV4_TTL_OFFSET, SYNTHESIZED_TTL);
  view.setUint8(offset + IPV4_PROTOCOL_OFFSET, IPV4_PROTOCOL_UDP);
  view.setUint16(offset + IPV4_CHECKSUM_OFFSET, 0);
  view.setUint32(offset + IPV4_SOURCE_OFFSET, addressing.sourceAddress);
  view.setUint32(offset + IPV4_DESTINATION_OFFSET, addressing.destinationAddress);
  view.setUint16(offset + IPV4_CHECKSUM_OFFSET, ipv4HeaderChecksum(view, offset, IPV4_MIN_HEADER_LENGTH));
}

/** RFC 1071 ones' complement sum over the header (with the checksum field zero). */
export function ipv4HeaderChecksum(view: DataView, offset: number, headerLength: number): number {
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += view.getUint16(offset + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Builds a pcap file in memory: each record is a UDP datagram in an Ethernet frame. */
export class PcapWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private length = 0;
  private readonly littleEndian: boolean;
  private readonly fractionsPerSecond: number;

  constructor(options: PcapFileOptions = {}) {
    this.buffer = new Uint8Array(4096);
    this.view = new DataView(this.buffer.buffer);
    this.littleEndian = options.littleEndian ?? true;
    this.fractionsPerSecond = options.nanosecond ?? true ? 1_000_000_000 : 1_000_000;
    this.length = writePcapFileHeader(this.view, 0, options);
  }

  /** Appends one datagram captured at `seconds` + `nanoseconds` (rounded down to the file's unit). */
  writeUdp(payload: Uint8Array, seconds: number, nanoseconds: number, addressing: UdpAddressing): void {
    const frameLength = udpFrameOverhead(addressing.vlanId !== undefined) + payload.byteLength;
    this.ensureRoom(PCAP_RECORD_HEADER_LENGTH + frameLength);
    const recordOffset = this.length;
    const fraction = Math.floor((nanoseconds * this.fractionsPerSecond) / 1_000_000_000);
    writePcapRecordHeader(this.view, recordOffset, seconds, fraction, frameLength, frameLength, this.littleEndian);
    const frameOffset = recordOffset + PCAP_RECORD_HEADER_LENGTH;
    const payloadOffset = frameOffset + writeUdpFrameHeaders(this.view, frameOffset, payload.byteLength, addressing);
    this.buffer.set(payload, payloadOffset);
    this.length = payloadOffset + payload.byteLength;
  }

  /** Appends an arbitrary link-layer frame, captured whole unless `originalLength` says it was longer. */
  writeFrame(frame: Uint8Array, seconds: number, fraction: number, originalLength = frame.byteLength): void {
    this.ensureRoom(PCAP_RECORD_HEADER_LENGTH + frame.byteLength);
    const recordOffset = this.length;
    writePcapRecordHeader(this.view, recordOffset, seconds, fraction, frame.byteLength, originalLength, this.littleEndian);
    this.buffer.set(frame, recordOffset + PCAP_RECORD_HEADER_LENGTH);
    this.length = recordOffset + PCAP_RECORD_HEADER_LENGTH + frame.byteLength;
  }

  /** The file so far (a view of the writer's buffer: copy it before writing more if you keep it). */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private ensureRoom(extra: number): void {
    if (this.length + extra <= this.buffer.byteLength) return;
    // Grow in 4096-byte multiples, at least doubling, so long recordings copy O(n) bytes in all.
    const wanted = Math.max(this.buffer.byteLength * 2, this.length + extra);
    const grown = new Uint8Array(Math.ceil(wanted / 4096) * 4096);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
