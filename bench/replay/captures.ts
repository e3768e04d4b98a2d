/**
 * The replay suite's captures: UDP datagrams of PAYLOAD_BYTES to an address of this host on the
 * sink's port, written as nanosecond pcap with the repo's own frame encoder
 * (src/io/pcap-writer.ts), so `zerotick replay` and `tcpreplay -i lo` read the same file.
 *
 * What differs from what the encoder synthesizes, so that tcpreplay's frames, injected on lo as
 * if received there, reach the sink socket as zerotick's datagrams do (the suite counts them):
 *  - the Ethernet destination is lo's own address (all zeros): a frame for another MAC is
 *    classed PACKET_OTHERHOST and dropped by ip_rcv before UDP;
 *  - the IPv4 destination is not 127.0.0.1 (a received packet for it is a martian, dropped at
 *    routing) but the host's own address, and the source a documentation address (TEST-NET-2):
 *    a received packet from one of the host's own addresses is a martian too.
 */
import { writeFileSync } from 'node:fs';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { ETHERNET_ADDRESS_LENGTH, ETHERNET_DESTINATION_OFFSET, PCAP_FILE_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from '../../src/io/pcap-format.js';
import { udpFrameOverhead, writePcapFileHeader, writePcapRecordHeader, writeUdpFrameHeaders, type UdpAddressing } from '../../src/io/pcap-writer.js';
import { SeededRandom } from '../../src/sim/seeded-random.js';

/** The goal's datagram: 100 bytes of UDP payload. */
export const PAYLOAD_BYTES = 100;
/** Not an address of this host: see above. */
const INJECTED_SOURCE = parseIpv4('198.51.100.1');
/** 2026-01-05 14:30:00 UTC: any fixed time would do. */
const CAPTURE_EPOCH_SECONDS = Date.UTC(2026, 0, 5, 14, 30, 0) / 1000;
const NANOS_PER_SECOND = 1e9;
/** At max speed the times do not matter; 1 us apart keeps the file plausible. */
const MAX_SPEED_GAP_NS = 1_000;

/** A share of the gaps between packets (per mille), drawn uniformly in [minNs, maxNs]. */
export interface GapBand {
  perMille: number;
  minNs: number;
  maxNs: number;
}

/**
 * Inter-packet gaps of a busy feed: mostly tens of microseconds (busy-waited), some hundreds
 * (the futex block), a few milliseconds (the timer sleep). Every waiting path takes part.
 */
export const REALISTIC_GAPS: readonly GapBand[] = [
  { perMille: 970, minNs: 10_000, maxNs: 50_000 },
  { perMille: 25, minNs: 100_000, maxNs: 900_000 },
  { perMille: 5, minNs: 1_000_000, maxNs: 5_000_000 },
];

/** Where the datagrams go: an address of this host, and the sink's port. */
export interface CaptureDestination {
  host: string;
  port: number;
}

export interface WrittenCapture {
  path: string;
  packets: number;
  /** Capture time from the first packet to the last. */
  spanNs: number;
}

/** `packets` datagrams 1 us apart: the max-speed file. */
export function writeBackToBackCapture(path: string, packets: number, destination: CaptureDestination): WrittenCapture {
  return writeCapture(path, packets, destination, () => MAX_SPEED_GAP_NS);
}

/** `packets` datagrams with gaps drawn from REALISTIC_GAPS (seeded: the same file every run). */
export function writeRealisticCapture(path: string, packets: number, destination: CaptureDestination, seed: number): WrittenCapture {
  const random = new SeededRandom(seed);
  return writeCapture(path, packets, destination, () => drawGap(random, REALISTIC_GAPS));
}

/** Bands whose shares do not add up to 1000 leave the rest to the last band. */
function drawGap(random: SeededRandom, bands: readonly GapBand[]): number {
  let pick = random.nextInt(1000);
  for (const band of bands) {
    if (pick < band.perMille) return random.nextIntBetween(band.minNs, band.maxNs);
    pick -= band.perMille;
  }
  const last = bands[bands.length - 1]!;
  return random.nextIntBetween(last.minNs, last.maxNs);
}

function writeCapture(path: string, packets: number, destination: CaptureDestination, nextGapNs: () => number): WrittenCapture {
  const address = parseIpv4(destination.host);
  const addressing: UdpAddressing = { sourceAddress: INJECTED_SOURCE, sourcePort: destination.port, destinationAddress: address, destinationPort: destination.port };
  const frameLength = udpFrameOverhead(false) + PAYLOAD_BYTES;
  const recordLength = PCAP_RECORD_HEADER_LENGTH + frameLength;
  const bytes = new Uint8Array(PCAP_FILE_HEADER_LENGTH + packets * recordLength);
  const view = new DataView(bytes.buffer);
  writePcapFileHeader(view, 0);
  let timeNs = 0;
  for (let i = 0; i < packets; i++) {
    if (i > 0) timeNs += nextGapNs();
    const recordOffset = PCAP_FILE_HEADER_LENGTH + i * recordLength;
    const seconds = Math.floor(timeNs / NANOS_PER_SECOND);
    writePcapRecordHeader(view, recordOffset, CAPTURE_EPOCH_SECONDS + seconds, timeNs - seconds * NANOS_PER_SECOND, frameLength, frameLength);
    const frameOffset = recordOffset + PCAP_RECORD_HEADER_LENGTH;
    const payloadOffset = frameOffset + writeUdpFrameHeaders(view, frameOffset, PAYLOAD_BYTES, addressing);
    bytes.fill(0, frameOffset + ETHERNET_DESTINATION_OFFSET, frameOffset + ETHERNET_DESTINATION_OFFSET + ETHERNET_ADDRESS_LENGTH);
    view.setUint32(payloadOffset, i); // a sequence number, for anyone reading the sink
  }
  writeFileSync(path, bytes);
  return { path, packets, spanNs: timeNs };
}
