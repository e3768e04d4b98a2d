import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CUT_SHORT,
  IP_FRAGMENT,
  MALFORMED_HEADERS,
  NOT_IPV4,
  NOT_UDP,
  ethernetUdpPayloadOffset,
  udpHeaderOffset,
  udpPayloadLength,
} from '../../src/io/udp-frame.js';

interface FrameOptions {
  /** EtherTypes of the VLAN tags in front of the IPv4 header, outermost first. */
  tags?: number[];
  etherType?: number;
  versionIhl?: number;
  flagsFragment?: number;
  protocol?: number;
  /** Overrides the UDP length field (header + payload by default). */
  udpLength?: number;
  payloadLength: number;
  /** Bytes after the IPv4 datagram, as Ethernet pads short frames. */
  padding?: number;
}

/** An Ethernet frame around an IPv4 UDP datagram with consistent lengths, unless told otherwise. */
function frame(options: FrameOptions): DataView {
  const tags = options.tags ?? [];
  const versionIhl = options.versionIhl ?? 0x45;
  const ipOffset = 14 + 4 * tags.length;
  const ipHeaderLength = (versionIhl & 0x0f) * 4;
  const totalLength = ipHeaderLength + 8 + options.payloadLength;
  const view = new DataView(new ArrayBuffer(ipOffset + totalLength + (options.padding ?? 0)));
  tags.forEach((tpid, index) => {
    view.setUint16(12 + 4 * index, tpid);
    view.setUint16(14 + 4 * index, 42 + index); // VLAN id
  });
  view.setUint16(ipOffset - 2, options.etherType ?? 0x0800);
  view.setUint8(ipOffset, versionIhl);
  view.setUint16(ipOffset + 2, totalLength);
  view.setUint16(ipOffset + 6, options.flagsFragment ?? 0);
  view.setUint8(ipOffset + 9, options.protocol ?? 17);
  const udpOffset = ipOffset + ipHeaderLength;
  view.setUint16(udpOffset + 2, 14310); // destination port
  view.setUint16(udpOffset + 4, options.udpLength ?? 8 + options.payloadLength);
  return view;
}

/** The first `length` bytes of a frame, in a view that ends there: a read past them throws. */
function captured(view: DataView, length: number): DataView {
  return new DataView(view.buffer, 0, length);
}

/** The payload offset of a whole frame (frameEnd is the end of its view). */
function payloadOffset(view: DataView): number {
  return ethernetUdpPayloadOffset(view, 0, view.byteLength);
}

describe('ethernetUdpPayloadOffset', () => {
  it('finds the payload behind an untagged header, an 802.1Q tag, stacked 802.1ad + 802.1Q tags, and IPv4 options', () => {
    // given
    const untagged = frame({ payloadLength: 10 });
    const tagged = frame({ tags: [0x8100], payloadLength: 10 });
    const stacked = frame({ tags: [0x88a8, 0x8100], payloadLength: 10 });
    const withOptions = frame({ versionIhl: 0x47, payloadLength: 10 });

    // then
    expect([untagged, tagged, stacked, withOptions].map(payloadOffset)).toEqual([42, 46, 50, 50]);
    expect(udpPayloadLength(stacked, 50)).toBe(10);
    expect(stacked.getUint16(udpHeaderOffset(50) + 2)).toBe(14310);
  });

  it('bounds the payload by the UDP length within the IPv4 total length, not by the Ethernet padding', () => {
    const padded = frame({ payloadLength: 4, padding: 14 });
    expect(payloadOffset(padded)).toBe(42);
    expect(udpPayloadLength(padded, 42)).toBe(4);
  });

  it('says why a frame holds no UDP payload', () => {
    expect(payloadOffset(frame({ etherType: 0x0806, payloadLength: 10 }))).toBe(NOT_IPV4); // ARP
    expect(payloadOffset(frame({ versionIhl: 0x65, payloadLength: 10 }))).toBe(NOT_IPV4); // IPv6 under the IPv4 EtherType
    expect(payloadOffset(frame({ protocol: 6, payloadLength: 10 }))).toBe(NOT_UDP);
    expect(payloadOffset(frame({ flagsFragment: 0x2000, payloadLength: 10 }))).toBe(IP_FRAGMENT); // first piece: More Fragments
    expect(payloadOffset(frame({ flagsFragment: 0x0003, payloadLength: 10 }))).toBe(IP_FRAGMENT); // a later piece
    expect(payloadOffset(frame({ flagsFragment: 0x4000, payloadLength: 10 }))).toBe(42); // Don't Fragment is whole
    expect(payloadOffset(frame({ versionIhl: 0x44, payloadLength: 10 }))).toBe(MALFORMED_HEADERS); // IHL below 20 bytes
    expect(payloadOffset(frame({ udpLength: 7, payloadLength: 10 }))).toBe(MALFORMED_HEADERS);
    expect(payloadOffset(frame({ udpLength: 19, payloadLength: 10 }))).toBe(MALFORMED_HEADERS); // beyond the IPv4 datagram
  });

  it('says CUT_SHORT when the captured bytes end inside a header or the datagram, without reading past them', () => {
    // given a whole 100-byte payload, captured in part
    const whole = frame({ tags: [0x8100], payloadLength: 100 });

    // then
    for (const length of [0, 13, 17, 20, 45, 53, whole.byteLength - 1]) {
      expect(ethernetUdpPayloadOffset(captured(whole, length), 0, length), `captured ${length} bytes`).toBe(CUT_SHORT);
    }
    expect(ethernetUdpPayloadOffset(captured(whole, whole.byteLength), 0, whole.byteLength)).toBe(46);
  });

  it('never reads past the captured bytes of any frame, and any payload it finds lies within them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (bytes, looksLikeIpv4Udp) => {
        // Half the cases start like a tagged or untagged IPv4 UDP frame, so the deeper checks are reached.
        if (looksLikeIpv4Udp && bytes.length >= 24) {
          bytes.set([0x08, 0x00, 0x45], 12);
          bytes[23] = 17;
        }
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        const offset = ethernetUdpPayloadOffset(view, 0, bytes.length);
        if (offset >= 0) expect(offset + udpPayloadLength(view, offset)).toBeLessThanOrEqual(bytes.length);
        else expect([NOT_IPV4, NOT_UDP, IP_FRAGMENT, MALFORMED_HEADERS, CUT_SHORT]).toContain(offset);
      }),
      { numRuns: 2000 },
    );
  });
});
