/**
 * Finds the UDP payload in a captured frame: Ethernet (any number of 802.1Q / 802.1ad tags) ->
 * IPv4 (options allowed) -> UDP. The one parser behind the capture reader (pcap.ts, which adds
 * the other link types) and the AF_PACKET ring (packet-ring.ts). Header layouts: pcap-format.ts.
 *
 * Every function takes the one view over the region and offsets into it, and returns an offset
 * (>= 0) or a negative reason: nothing is allocated per packet. Reading never goes past
 * `frameEnd`, the end of the bytes captured. What each reason costs the caller (a skip counter,
 * a truncated count) is the caller's business: a capture reader has already made sure it holds
 * the whole packet, a ring frame may be cut short by its size.
 */
import {
  ETHERNET_HEADER_LENGTH,
  ETHERNET_TYPE_OFFSET,
  ETHERTYPE_IPV4,
  ETHERTYPE_QINQ,
  ETHERTYPE_VLAN,
  IPV4_FLAGS_FRAGMENT_OFFSET,
  IPV4_FRAGMENT_OFFSET_MASK,
  IPV4_MIN_HEADER_LENGTH,
  IPV4_MORE_FRAGMENTS,
  IPV4_PROTOCOL_OFFSET,
  IPV4_PROTOCOL_UDP,
  IPV4_TOTAL_LENGTH_OFFSET,
  IPV4_VERSION,
  IPV4_VERSION_IHL_OFFSET,
  UDP_HEADER_LENGTH,
  UDP_LENGTH_OFFSET,
  VLAN_TAG_LENGTH,
} from './pcap-format.js';

// Why a frame yields no UDP payload. Negative, so no offset is ever mistaken for one.
/** Not IPv4: another EtherType (ARP, IPv6, LLDP, ...) or another IP version. */
export const NOT_IPV4 = -1;
/** IPv4 but not UDP. */
export const NOT_UDP = -2;
/** A piece of a fragmented IPv4 datagram (More Fragments set or a non-zero fragment offset). */
export const IP_FRAGMENT = -3;
/** Headers that contradict each other: IHL below 20, total length below IHL, UDP length outside the IPv4 datagram. */
export const MALFORMED_HEADERS = -4;
/** A header, or the datagram its total length announces, runs past the captured bytes. */
export const CUT_SHORT = -5;

/** Bytes an EtherType occupies (before the payload, or before the next tag's TCI). */
const ETHERTYPE_LENGTH = 2;
/** IHL counts the IPv4 header in 32-bit words. */
const IPV4_IHL_MASK = 0x0f;
const IPV4_IHL_UNIT = 4;

/**
 * Offset of the IPv4 header in the Ethernet frame at `frameOffset`, after any VLAN tags, or
 * NOT_IPV4 / CUT_SHORT.
 */
export function ethernetIpv4Offset(view: DataView, frameOffset: number, frameEnd: number): number {
  let typeOffset = frameOffset + ETHERNET_TYPE_OFFSET;
  if (typeOffset + ETHERTYPE_LENGTH > frameEnd) return CUT_SHORT;
  let etherType = view.getUint16(typeOffset);
  while (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) {
    typeOffset += VLAN_TAG_LENGTH;
    if (typeOffset + ETHERTYPE_LENGTH > frameEnd) return CUT_SHORT;
    etherType = view.getUint16(typeOffset);
  }
  return ipv4IfEtherType(etherType, typeOffset + ETHERNET_HEADER_LENGTH - ETHERNET_TYPE_OFFSET);
}

/** `ipOffset` when the link layer says IPv4 follows, NOT_IPV4 otherwise (for any header that carries an EtherType). */
export function ipv4IfEtherType(etherType: number, ipOffset: number): number {
  return etherType === ETHERTYPE_IPV4 ? ipOffset : NOT_IPV4;
}

/**
 * Offset of the UDP payload of the IPv4 datagram at `ipOffset`, or a negative reason. The
 * datagram's total length, not `frameEnd`, bounds it: Ethernet pads short frames and may
 * append an FCS.
 */
export function ipv4UdpPayloadOffset(view: DataView, ipOffset: number, frameEnd: number): number {
  if (frameEnd - ipOffset < IPV4_MIN_HEADER_LENGTH) return CUT_SHORT;
  const versionIhl = view.getUint8(ipOffset + IPV4_VERSION_IHL_OFFSET);
  if (versionIhl >>> 4 !== IPV4_VERSION) return NOT_IPV4;
  const headerLength = (versionIhl & IPV4_IHL_MASK) * IPV4_IHL_UNIT;
  const totalLength = view.getUint16(ipOffset + IPV4_TOTAL_LENGTH_OFFSET);
  if (headerLength < IPV4_MIN_HEADER_LENGTH || totalLength < headerLength) return MALFORMED_HEADERS;
  if (totalLength > frameEnd - ipOffset) return CUT_SHORT;
  if ((view.getUint16(ipOffset + IPV4_FLAGS_FRAGMENT_OFFSET) & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET_MASK)) !== 0) return IP_FRAGMENT;
  if (view.getUint8(ipOffset + IPV4_PROTOCOL_OFFSET) !== IPV4_PROTOCOL_UDP) return NOT_UDP;
  const udpOffset = ipOffset + headerLength;
  const udpRoom = totalLength - headerLength;
  if (udpRoom < UDP_HEADER_LENGTH) return MALFORMED_HEADERS;
  const udpLength = view.getUint16(udpOffset + UDP_LENGTH_OFFSET);
  if (udpLength < UDP_HEADER_LENGTH || udpLength > udpRoom) return MALFORMED_HEADERS;
  return udpOffset + UDP_HEADER_LENGTH;
}

/** Ethernet -> IPv4 -> UDP in one call: the payload's offset, or a negative reason. */
export function ethernetUdpPayloadOffset(view: DataView, frameOffset: number, frameEnd: number): number {
  const ipOffset = ethernetIpv4Offset(view, frameOffset, frameEnd);
  return ipOffset < 0 ? ipOffset : ipv4UdpPayloadOffset(view, ipOffset, frameEnd);
}

/** Offset of the UDP header in front of a payload the functions above found (ports, length, checksum). */
export function udpHeaderOffset(payloadOffset: number): number {
  return payloadOffset - UDP_HEADER_LENGTH;
}

/** Bytes of UDP payload at `payloadOffset`, as its UDP header says (checked against the IPv4 datagram above). */
export function udpPayloadLength(view: DataView, payloadOffset: number): number {
  return view.getUint16(udpHeaderOffset(payloadOffset) + UDP_LENGTH_OFFSET) - UDP_HEADER_LENGTH;
}
