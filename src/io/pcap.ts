/**
 * Reads UDP datagrams out of a pcap or pcapng capture held whole in one buffer.
 *
 * The capture is one region (a mapped file, or any Uint8Array: a Buffer from readFileSync, bytes
 * built in memory), viewed by one DataView created once. Each datagram comes out
 * as an (offset, length) pair into that region plus its timestamp and addresses, written into a
 * caller-owned `UdpDatagram` record: nothing is allocated or copied per packet, so a replay or a
 * backtest can run the feed handler straight over the file. Offsets are file offsets, which is
 * also what every error message names.
 *
 * Packets we cannot hand out whole (IP fragments, non-IPv4, non-UDP, records cut short by the
 * snap length, headers that contradict each other, unknown link types in pcapng) are skipped and
 * counted by reason in `skipped`. A file whose structure is broken (bad magic, a record running
 * past the end of the file, a pcapng block whose lengths disagree) stops the reader with a
 * `CaptureFormatError` naming the byte offset: past that point nothing can be trusted.
 */
import { readFileSync } from 'node:fs';
import { MappedFile } from './mapped-file.js';
import {
  DLT_RAW_BSD,
  DLT_RAW_OPENBSD,
  IPV4_DESTINATION_OFFSET,
  IPV4_SOURCE_OFFSET,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_RAW,
  MAX_CAPTURED_LENGTH,
  PCAPNG_BLOCK_OVERHEAD,
  PCAPNG_BLOCK_TOTAL_LENGTH_OFFSET,
  PCAPNG_BLOCK_TRAILER_LENGTH,
  PCAPNG_BLOCK_TYPE_OFFSET,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_DEFAULT_TSRESOL,
  PCAPNG_ENHANCED_PACKET_BLOCK,
  PCAPNG_EPB_CAPTURED_LENGTH_OFFSET,
  PCAPNG_EPB_INTERFACE_ID_OFFSET,
  PCAPNG_EPB_ORIGINAL_LENGTH_OFFSET,
  PCAPNG_EPB_PACKET_DATA_OFFSET,
  PCAPNG_EPB_TIMESTAMP_HIGH_OFFSET,
  PCAPNG_EPB_TIMESTAMP_LOW_OFFSET,
  PCAPNG_IDB_LINK_TYPE_OFFSET,
  PCAPNG_IDB_OPTIONS_OFFSET,
  PCAPNG_INTERFACE_DESCRIPTION_BLOCK,
  PCAPNG_OPTION_CODE_OFFSET,
  PCAPNG_OPTION_END,
  PCAPNG_OPTION_IF_TSRESOL,
  PCAPNG_OPTION_LENGTH_OFFSET,
  PCAPNG_OPTION_VALUE_OFFSET,
  PCAPNG_SECTION_HEADER_BLOCK,
  PCAPNG_SHB_BYTE_ORDER_MAGIC_OFFSET,
  PCAPNG_SIMPLE_PACKET_BLOCK,
  PCAPNG_SPB_ORIGINAL_LENGTH_OFFSET,
  PCAPNG_SPB_PACKET_DATA_OFFSET,
  PCAPNG_TSRESOL_BINARY_FLAG,
  PCAP_FILE_HEADER_LENGTH,
  PCAP_LINK_TYPE_OFFSET,
  PCAP_MAGIC_MICROS,
  PCAP_MAGIC_MICROS_SWAPPED,
  PCAP_MAGIC_NANOS,
  PCAP_MAGIC_NANOS_SWAPPED,
  PCAP_MAGIC_OFFSET,
  PCAP_RECORD_CAPTURED_LENGTH_OFFSET,
  PCAP_RECORD_FRACTION_OFFSET,
  PCAP_RECORD_HEADER_LENGTH,
  PCAP_RECORD_ORIGINAL_LENGTH_OFFSET,
  PCAP_RECORD_SECONDS_OFFSET,
  SLL2_HEADER_LENGTH,
  SLL2_PROTOCOL_OFFSET,
  SLL_HEADER_LENGTH,
  SLL_PROTOCOL_OFFSET,
  UDP_DESTINATION_PORT_OFFSET,
  UDP_SOURCE_PORT_OFFSET,
} from './pcap-format.js';
import {
  CUT_SHORT,
  IP_FRAGMENT,
  NOT_IPV4,
  NOT_UDP,
  ethernetIpv4Offset,
  ipv4IfEtherType,
  ipv4UdpPayloadOffset,
  udpHeaderOffset,
  udpPayloadLength,
} from './udp-frame.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** The capture file's structure is broken at `byteOffset`; reading cannot go on. */
export class CaptureFormatError extends Error {
  readonly byteOffset: number;

  constructor(reason: string, byteOffset: number) {
    super(`${reason} at byte offset ${byteOffset}`);
    this.name = 'CaptureFormatError';
    this.byteOffset = byteOffset;
  }
}

/** Captured packets not handed out, by reason. */
export interface SkippedPackets {
  /** A piece of a fragmented IPv4 datagram (MF set or a non-zero fragment offset). */
  fragment: number;
  /** Not IPv4 (ARP, IPv6, LLDP, ...). */
  notIpv4: number;
  /** IPv4 but not UDP. */
  notUdp: number;
  /** Captured length shorter than the packet's original length (snap length cut it). */
  truncated: number;
  /** Headers that contradict each other or the captured length (IHL, total length, UDP length). */
  malformed: number;
  /** A pcapng interface whose link type this reader does not know. */
  unsupportedLinkType: number;
  /** UDP, but not to the destination the filter asks for. */
  filtered: number;
}

/** Only hand out datagrams sent to this destination. */
export interface CaptureFilter {
  destinationPort?: number;
  /** An IPv4 address as an unsigned 32-bit number (see `parseIpv4`). */
  destinationAddress?: number;
}

/**
 * One datagram, written by `CaptureReader.next`. Reuse one instance for the whole file: its
 * fields are overwritten on every call, never reallocated.
 */
export class UdpDatagram {
  /** 1-based number of the captured packet in the file (Wireshark's frame number). */
  packetNumber = 0;
  /** File offset of the record or block that holds the packet. */
  recordOffset = 0;
  /** File offset and length of the UDP payload. */
  payloadOffset = 0;
  payloadLength = 0;
  /** Capture time: whole seconds since the epoch, and the nanoseconds within that second. */
  timestampSeconds = 0;
  timestampNanoseconds = 0;
  /** The pcapng interface the packet was captured on; 0 in classic pcap. */
  interfaceId = 0;
  /** IPv4 addresses as unsigned 32-bit numbers (`formatIpv4` prints them); ports as numbers. */
  sourceAddress = 0;
  sourcePort = 0;
  destinationAddress = 0;
  destinationPort = 0;

  /** The exact capture time in nanoseconds since the epoch. Allocates a BigInt: cold path only. */
  timestampBigInt(): bigint {
    return BigInt(this.timestampSeconds) * 1_000_000_000n + BigInt(this.timestampNanoseconds);
  }
}

/** True when the bytes start like a pcap or pcapng file (any byte order, any timestamp unit). */
export function isCaptureFile(bytes: Uint8Array): boolean {
  return detectFormat(bytes) !== undefined;
}

function detectFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (bytes.byteLength < 4) return undefined;
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(PCAP_MAGIC_OFFSET, true);
  switch (magic) {
    case PCAP_MAGIC_MICROS:
    case PCAP_MAGIC_NANOS:
    case PCAP_MAGIC_MICROS_SWAPPED:
    case PCAP_MAGIC_NANOS_SWAPPED:
      return 'pcap';
    case PCAPNG_SECTION_HEADER_BLOCK:
      return 'pcapng';
    default:
      return undefined;
  }
}

/** ipv4Offset(): a link type this reader does not know; below every udp-frame.ts reason. */
const UNSUPPORTED_LINK_TYPE = -16;
const NANOS_PER_SECOND = 1_000_000_000;
const TWO_POW_16 = 0x1_0000;
const TWO_POW_32 = 0x1_0000_0000;
/** A decimal resolution finer than this (10^-9 s) needs more than 30 bits of divisor: BigInt path. */
const MAX_EXACT_DECIMAL_EXPONENT = 9;

/** How a pcapng interface counts time: 10^-exponent or 2^-exponent seconds per unit. */
interface InterfaceDescription {
  linkType: number;
  binaryResolution: boolean;
  resolutionExponent: number;
}

export class CaptureReader {
  readonly bytes: Uint8Array;
  /** The one view over the whole capture: offsets handed out are offsets into it (= file offsets). */
  readonly view: DataView;
  readonly format: CaptureFormat;
  /** format === 'pcap', as a boolean: next() tests it per packet. */
  private readonly classic: boolean;
  readonly skipped: SkippedPackets = {
    fragment: 0,
    notIpv4: 0,
    notUdp: 0,
    truncated: 0,
    malformed: 0,
    unsupportedLinkType: 0,
    filtered: 0,
  };
  /** Captured packets seen so far in this pass, handed out or skipped. */
  packetCount = 0;

  private readonly filterPort: number;
  private readonly filterAddress: number;
  private position = 0;
  /** Byte order of the file headers (the current section's, in pcapng). */
  private littleEndian = true;
  // Classic pcap: one link type and timestamp unit for the whole file.
  private classicLinkType = 0;
  private classicNanosPerFraction = 1000;
  // pcapng: the current section's interfaces, by interface id.
  private interfaces: InterfaceDescription[] = [];
  // The packet the last record yielded, before its headers are parsed.
  private frameOffset = 0;
  private frameLength = 0;
  private frameLinkType = 0;
  private mappedFile: MappedFile | undefined;

  constructor(bytes: Uint8Array, filter: CaptureFilter = {}) {
    const format = detectFormat(bytes);
    if (format === undefined) {
      throw new CaptureFormatError('not a pcap or pcapng file: unknown magic number', 0);
    }
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.format = format;
    this.classic = format === 'pcap';
    this.filterPort = filter.destinationPort ?? -1;
    this.filterAddress = filter.destinationAddress ?? -1;
    this.rewind();
  }

  /** Reads a whole capture file into the JS heap and opens it. */
  static open(path: string, filter?: CaptureFilter): CaptureReader {
    return new CaptureReader(readFileSync(path), filter);
  }

  /** Maps a capture file (no copy: see MappedFile) and opens it; `close()` unmaps it. */
  static map(path: string, filter?: CaptureFilter): CaptureReader {
    const file = MappedFile.open(path);
    try {
      const reader = new CaptureReader(file.bytes, filter);
      reader.mappedFile = file;
      return reader;
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Releases a mapped file; `bytes`, `view` and every offset handed out are invalid afterwards. */
  close(): void {
    this.mappedFile?.close();
    this.mappedFile = undefined;
  }

  /** Bytes of the file read so far in this pass (of `bytes.byteLength`): how far through it the reader is. */
  get bytesRead(): number {
    return this.position;
  }

  /** Starts over from the first packet (for replay loops); `skipped` keeps counting across passes. */
  rewind(): void {
    this.interfaces = [];
    this.packetCount = 0;
    if (this.classic) {
      this.readClassicFileHeader();
    } else {
      this.position = 0;
    }
  }

  /**
   * Fills `datagram` with the next UDP datagram and returns true, or returns false at the end of
   * the file. Throws `CaptureFormatError` when the file's structure is broken.
   */
  next(datagram: UdpDatagram): boolean {
    for (;;) {
      const found = this.classic ? this.nextClassicRecord(datagram) : this.nextPcapngPacket(datagram);
      if (!found) return false;
      datagram.packetNumber = ++this.packetCount;
      if (this.locateUdpPayload(datagram)) return true;
    }
  }

  // --- classic pcap --------------------------------------------------------------------------

  private readClassicFileHeader(): void {
    const view = this.view;
    if (view.byteLength < PCAP_FILE_HEADER_LENGTH) {
      throw new CaptureFormatError(
        `pcap file header needs ${PCAP_FILE_HEADER_LENGTH} bytes but the file has ${view.byteLength}`,
        0,
      );
    }
    const magic = view.getUint32(PCAP_MAGIC_OFFSET, true);
    this.littleEndian = magic === PCAP_MAGIC_MICROS || magic === PCAP_MAGIC_NANOS;
    const nanosecondMagic = magic === PCAP_MAGIC_NANOS || magic === PCAP_MAGIC_NANOS_SWAPPED;
    this.classicNanosPerFraction = nanosecondMagic ? 1 : 1000;
    // The top 4 bits of the link type field carry FCS information in newer files.
    this.classicLinkType = view.getUint32(PCAP_LINK_TYPE_OFFSET, this.littleEndian) & 0x0fffffff;
    if (!isSupportedLinkType(this.classicLinkType)) {
      throw new CaptureFormatError(`unsupported link type ${this.classicLinkType}`, PCAP_LINK_TYPE_OFFSET);
    }
    this.position = PCAP_FILE_HEADER_LENGTH;
  }

  /**
   * The hot path of a replay: two bounds checks per record (header, then the captured bytes);
   * building an error message is left to a cold method so that this one stays small enough
   * for V8 to inline into next().
   */
  private nextClassicRecord(datagram: UdpDatagram): boolean {
    const view = this.view;
    const recordOffset = this.position;
    const frameOffset = recordOffset + PCAP_RECORD_HEADER_LENGTH;
    if (frameOffset > view.byteLength) {
      if (recordOffset === view.byteLength) return false;
      throw this.truncatedRecordHeader(recordOffset);
    }
    const littleEndian = this.littleEndian;
    const capturedLength = view.getUint32(recordOffset + PCAP_RECORD_CAPTURED_LENGTH_OFFSET, littleEndian);
    const frameEnd = frameOffset + capturedLength;
    if (frameEnd > view.byteLength || capturedLength > MAX_CAPTURED_LENGTH) throw this.badCapturedLength(recordOffset, capturedLength);
    const originalLength = view.getUint32(recordOffset + PCAP_RECORD_ORIGINAL_LENGTH_OFFSET, littleEndian);
    this.position = frameEnd;
    datagram.recordOffset = recordOffset;
    datagram.interfaceId = 0;
    datagram.timestampSeconds = view.getUint32(recordOffset + PCAP_RECORD_SECONDS_OFFSET, littleEndian);
    datagram.timestampNanoseconds =
      view.getUint32(recordOffset + PCAP_RECORD_FRACTION_OFFSET, littleEndian) * this.classicNanosPerFraction;
    this.frameOffset = frameOffset;
    this.frameLength = capturedLength < originalLength ? -1 : capturedLength;
    this.frameLinkType = this.classicLinkType;
    return true;
  }

  private truncatedRecordHeader(recordOffset: number): CaptureFormatError {
    const remaining = this.view.byteLength - recordOffset;
    return new CaptureFormatError(`truncated pcap record header (${remaining} of ${PCAP_RECORD_HEADER_LENGTH} bytes)`, recordOffset);
  }

  private badCapturedLength(recordOffset: number, capturedLength: number): CaptureFormatError {
    if (capturedLength > MAX_CAPTURED_LENGTH) {
      return new CaptureFormatError(`pcap record claims ${capturedLength} captured bytes (more than ${MAX_CAPTURED_LENGTH})`, recordOffset);
    }
    return new CaptureFormatError(
      `pcap record claims ${capturedLength} captured bytes but only ${this.view.byteLength - recordOffset - PCAP_RECORD_HEADER_LENGTH} remain in the file`,
      recordOffset,
    );
  }

  // --- pcapng --------------------------------------------------------------------------------

  private nextPcapngPacket(datagram: UdpDatagram): boolean {
    for (;;) {
      const blockOffset = this.position;
      if (blockOffset === this.view.byteLength) return false;
      const blockType = this.readBlockType(blockOffset);
      if (blockType === PCAPNG_SECTION_HEADER_BLOCK) this.littleEndian = this.readSectionByteOrder(blockOffset);
      const blockLength = this.checkedBlockLength(blockOffset);
      this.position = blockOffset + blockLength;
      switch (blockType) {
        case PCAPNG_SECTION_HEADER_BLOCK:
          this.interfaces = [];
          break;
        case PCAPNG_INTERFACE_DESCRIPTION_BLOCK:
          this.interfaces.push(this.readInterfaceDescription(blockOffset, blockLength));
          break;
        case PCAPNG_ENHANCED_PACKET_BLOCK:
          this.readEnhancedPacket(blockOffset, blockLength, datagram);
          return true;
        case PCAPNG_SIMPLE_PACKET_BLOCK:
          this.readSimplePacket(blockOffset, blockLength, datagram);
          return true;
        default:
          break; // statistics, name resolution, custom blocks: nothing we need
      }
    }
  }

  private readBlockType(blockOffset: number): number {
    if (this.view.byteLength - blockOffset < PCAPNG_BLOCK_OVERHEAD) {
      throw new CaptureFormatError(`truncated pcapng block header (${this.view.byteLength - blockOffset} bytes left)`, blockOffset);
    }
    const blockType = this.view.getUint32(blockOffset + PCAPNG_BLOCK_TYPE_OFFSET, this.littleEndian);
    if (blockOffset === 0 && blockType !== PCAPNG_SECTION_HEADER_BLOCK) {
      throw new CaptureFormatError('pcapng file does not start with a section header block', 0);
    }
    return blockType;
  }

  private readSectionByteOrder(blockOffset: number): boolean {
    const magicOffset = blockOffset + PCAPNG_SHB_BYTE_ORDER_MAGIC_OFFSET;
    if (this.view.byteLength - magicOffset < 4) {
      throw new CaptureFormatError('truncated pcapng section header block', blockOffset);
    }
    const magic = this.view.getUint32(magicOffset, true);
    if (magic === PCAPNG_BYTE_ORDER_MAGIC) return true;
    if (this.view.getUint32(magicOffset, false) === PCAPNG_BYTE_ORDER_MAGIC) return false;
    throw new CaptureFormatError(`bad pcapng byte-order magic 0x${magic.toString(16)}`, magicOffset);
  }

  /** The block's total length, after checking it is sane, fits the file and matches its trailer copy. */
  private checkedBlockLength(blockOffset: number): number {
    const view = this.view;
    const blockLength = view.getUint32(blockOffset + PCAPNG_BLOCK_TOTAL_LENGTH_OFFSET, this.littleEndian);
    if (blockLength < PCAPNG_BLOCK_OVERHEAD || blockLength % 4 !== 0) {
      throw new CaptureFormatError(`bad pcapng block total length ${blockLength}`, blockOffset);
    }
    if (blockLength > view.byteLength - blockOffset) {
      throw new CaptureFormatError(
        `pcapng block of ${blockLength} bytes runs past the end of the file (${view.byteLength - blockOffset} bytes left)`,
        blockOffset,
      );
    }
    const trailerLength = view.getUint32(blockOffset + blockLength - PCAPNG_BLOCK_TRAILER_LENGTH, this.littleEndian);
    if (trailerLength !== blockLength) {
      throw new CaptureFormatError(`pcapng block total length ${blockLength} does not match its trailing copy ${trailerLength}`, blockOffset);
    }
    return blockLength;
  }

  private readInterfaceDescription(blockOffset: number, blockLength: number): InterfaceDescription {
    const view = this.view;
    const littleEndian = this.littleEndian;
    const optionsEnd = blockOffset + blockLength - PCAPNG_BLOCK_TRAILER_LENGTH;
    if (blockOffset + PCAPNG_IDB_OPTIONS_OFFSET > optionsEnd) {
      throw new CaptureFormatError(`pcapng interface description block too short (${blockLength} bytes)`, blockOffset);
    }
    const description: InterfaceDescription = {
      linkType: view.getUint16(blockOffset + PCAPNG_IDB_LINK_TYPE_OFFSET, littleEndian),
      binaryResolution: false,
      resolutionExponent: PCAPNG_DEFAULT_TSRESOL,
    };
    let optionOffset = blockOffset + PCAPNG_IDB_OPTIONS_OFFSET;
    while (optionOffset + PCAPNG_OPTION_VALUE_OFFSET <= optionsEnd) {
      const code = view.getUint16(optionOffset + PCAPNG_OPTION_CODE_OFFSET, littleEndian);
      const length = view.getUint16(optionOffset + PCAPNG_OPTION_LENGTH_OFFSET, littleEndian);
      if (code === PCAPNG_OPTION_END) break;
      const valueOffset = optionOffset + PCAPNG_OPTION_VALUE_OFFSET;
      if (valueOffset + length > optionsEnd) {
        throw new CaptureFormatError(`pcapng option ${code} of ${length} bytes runs past its block`, optionOffset);
      }
      if (code === PCAPNG_OPTION_IF_TSRESOL && length >= 1) {
        const resolution = view.getUint8(valueOffset);
        description.binaryResolution = (resolution & PCAPNG_TSRESOL_BINARY_FLAG) !== 0;
        description.resolutionExponent = resolution & ~PCAPNG_TSRESOL_BINARY_FLAG;
      }
      optionOffset = valueOffset + ((length + 3) & ~3);
    }
    return description;
  }

  private interfaceFor(interfaceId: number, blockOffset: number): InterfaceDescription {
    const description = this.interfaces[interfaceId];
    if (description === undefined) {
      throw new CaptureFormatError(
        `packet block refers to interface ${interfaceId} but the section describes ${this.interfaces.length}`,
        blockOffset,
      );
    }
    return description;
  }

  private readEnhancedPacket(blockOffset: number, blockLength: number, datagram: UdpDatagram): void {
    const view = this.view;
    const littleEndian = this.littleEndian;
    if (blockLength < PCAPNG_EPB_PACKET_DATA_OFFSET + PCAPNG_BLOCK_TRAILER_LENGTH) {
      throw new CaptureFormatError(`pcapng enhanced packet block too short (${blockLength} bytes)`, blockOffset);
    }
    const interfaceId = view.getUint32(blockOffset + PCAPNG_EPB_INTERFACE_ID_OFFSET, littleEndian);
    const description = this.interfaceFor(interfaceId, blockOffset);
    const capturedLength = view.getUint32(blockOffset + PCAPNG_EPB_CAPTURED_LENGTH_OFFSET, littleEndian);
    const originalLength = view.getUint32(blockOffset + PCAPNG_EPB_ORIGINAL_LENGTH_OFFSET, littleEndian);
    if (capturedLength > blockLength - PCAPNG_EPB_PACKET_DATA_OFFSET - PCAPNG_BLOCK_TRAILER_LENGTH) {
      throw new CaptureFormatError(`pcapng enhanced packet claims ${capturedLength} captured bytes, more than its block holds`, blockOffset);
    }
    datagram.recordOffset = blockOffset;
    datagram.interfaceId = interfaceId;
    const high = view.getUint32(blockOffset + PCAPNG_EPB_TIMESTAMP_HIGH_OFFSET, littleEndian);
    const low = view.getUint32(blockOffset + PCAPNG_EPB_TIMESTAMP_LOW_OFFSET, littleEndian);
    if (description.binaryResolution) {
      binaryUnitsToTime(high, low, description.resolutionExponent, datagram);
    } else {
      decimalUnitsToTime(high, low, description.resolutionExponent, datagram);
    }
    this.frameOffset = blockOffset + PCAPNG_EPB_PACKET_DATA_OFFSET;
    this.frameLength = capturedLength < originalLength ? -1 : capturedLength;
    this.frameLinkType = description.linkType;
  }

  private readSimplePacket(blockOffset: number, blockLength: number, datagram: UdpDatagram): void {
    const description = this.interfaceFor(0, blockOffset);
    const originalLength = this.view.getUint32(blockOffset + PCAPNG_SPB_ORIGINAL_LENGTH_OFFSET, this.littleEndian);
    // The block holds at most the snap length; the rest is padding.
    const room = blockLength - PCAPNG_SPB_PACKET_DATA_OFFSET - PCAPNG_BLOCK_TRAILER_LENGTH;
    datagram.recordOffset = blockOffset;
    datagram.interfaceId = 0;
    datagram.timestampSeconds = 0; // a simple packet block carries no timestamp
    datagram.timestampNanoseconds = 0;
    this.frameOffset = blockOffset + PCAPNG_SPB_PACKET_DATA_OFFSET;
    this.frameLength = originalLength > room ? -1 : originalLength;
    this.frameLinkType = description.linkType;
  }

  // --- link layer, IPv4, UDP -----------------------------------------------------------------

  /** Finds the UDP payload of the current frame, or counts why there is none. */
  private locateUdpPayload(datagram: UdpDatagram): boolean {
    if (this.frameLength < 0) {
      this.skipped.truncated++;
      return false;
    }
    const view = this.view;
    const frameEnd = this.frameOffset + this.frameLength;
    const ipOffset = this.ipv4Offset(frameEnd);
    const payloadOffset = ipOffset < 0 ? ipOffset : ipv4UdpPayloadOffset(view, ipOffset, frameEnd);
    if (payloadOffset < 0) {
      this.countSkipped(payloadOffset);
      return false;
    }
    const udpOffset = udpHeaderOffset(payloadOffset);
    const destinationAddress = view.getUint32(ipOffset + IPV4_DESTINATION_OFFSET);
    const destinationPort = view.getUint16(udpOffset + UDP_DESTINATION_PORT_OFFSET);
    if ((this.filterPort >= 0 && destinationPort !== this.filterPort) ||
        (this.filterAddress >= 0 && destinationAddress !== this.filterAddress)) {
      this.skipped.filtered++;
      return false;
    }
    datagram.sourceAddress = view.getUint32(ipOffset + IPV4_SOURCE_OFFSET);
    datagram.sourcePort = view.getUint16(udpOffset + UDP_SOURCE_PORT_OFFSET);
    datagram.destinationAddress = destinationAddress;
    datagram.destinationPort = destinationPort;
    datagram.payloadOffset = payloadOffset;
    datagram.payloadLength = udpPayloadLength(view, payloadOffset);
    return true;
  }

  /** Offset of the IPv4 header in the current frame, or why there is none (a udp-frame.ts reason, or UNSUPPORTED_LINK_TYPE). */
  private ipv4Offset(frameEnd: number): number {
    const view = this.view;
    const frameOffset = this.frameOffset;
    switch (this.frameLinkType) {
      case LINKTYPE_ETHERNET:
        return ethernetIpv4Offset(view, frameOffset, frameEnd);
      case LINKTYPE_LINUX_SLL:
        if (frameOffset + SLL_HEADER_LENGTH > frameEnd) return CUT_SHORT;
        return ipv4IfEtherType(view.getUint16(frameOffset + SLL_PROTOCOL_OFFSET), frameOffset + SLL_HEADER_LENGTH);
      case LINKTYPE_LINUX_SLL2:
        if (frameOffset + SLL2_HEADER_LENGTH > frameEnd) return CUT_SHORT;
        return ipv4IfEtherType(view.getUint16(frameOffset + SLL2_PROTOCOL_OFFSET), frameOffset + SLL2_HEADER_LENGTH);
      case LINKTYPE_RAW:
      case LINKTYPE_IPV4:
      case DLT_RAW_BSD:
      case DLT_RAW_OPENBSD:
        return frameOffset; // the version nibble tells IPv4 from IPv6
      default:
        return UNSUPPORTED_LINK_TYPE;
    }
  }

  private countSkipped(reason: number): void {
    const skipped = this.skipped;
    switch (reason) {
      case NOT_IPV4:
        skipped.notIpv4++;
        break;
      case NOT_UDP:
        skipped.notUdp++;
        break;
      case IP_FRAGMENT:
        skipped.fragment++;
        break;
      case UNSUPPORTED_LINK_TYPE:
        skipped.unsupportedLinkType++;
        break;
      default:
        // MALFORMED_HEADERS, and CUT_SHORT: the record holds the whole packet (checked before),
        // so a header running past its end contradicts the record, not the snap length.
        skipped.malformed++;
    }
  }
}

function isSupportedLinkType(linkType: number): boolean {
  return (
    linkType === LINKTYPE_ETHERNET ||
    linkType === LINKTYPE_LINUX_SLL ||
    linkType === LINKTYPE_LINUX_SLL2 ||
    linkType === LINKTYPE_RAW ||
    linkType === LINKTYPE_IPV4 ||
    linkType === DLT_RAW_BSD ||
    linkType === DLT_RAW_OPENBSD
  );
}

/**
 * Splits a 64-bit count of 10^-exponent second units into seconds and nanoseconds, exactly and
 * without BigInt: long division by 10^exponent (< 2^30) over 16-bit digits keeps every
 * intermediate below 2^46.
 */
function decimalUnitsToTime(high: number, low: number, exponent: number, out: UdpDatagram): void {
  if (exponent > MAX_EXACT_DECIMAL_EXPONENT) {
    // Picosecond-or-finer captures are rare enough to take the allocating path.
    const units = (BigInt(high) << 32n) | BigInt(low);
    const unitsPerSecond = 10n ** BigInt(exponent);
    out.timestampSeconds = Number(units / unitsPerSecond);
    out.timestampNanoseconds = Number(((units % unitsPerSecond) * 1_000_000_000n) / unitsPerSecond);
    return;
  }
  const unitsPerSecond = 10 ** exponent;
  let quotient = 0;
  let remainder = 0;
  for (let shift = 48; shift >= 0; shift -= 16) {
    const word = shift >= 32 ? high : low;
    const digit = (word >>> (shift & 31)) & 0xffff;
    const current = remainder * TWO_POW_16 + digit;
    const quotientDigit = Math.floor(current / unitsPerSecond);
    remainder = current - quotientDigit * unitsPerSecond;
    quotient = quotient * TWO_POW_16 + quotientDigit;
  }
  out.timestampSeconds = quotient;
  out.timestampNanoseconds = remainder * 10 ** (MAX_EXACT_DECIMAL_EXPONENT - exponent);
}

/**
 * Splits a 64-bit count of 2^-exponent second units into seconds and nanoseconds: the split
 * itself is exact (shifts over the two 32-bit halves); the nanoseconds round down.
 */
function binaryUnitsToTime(high: number, low: number, exponent: number, out: UdpDatagram): void {
  let fraction: number;
  if (exponent <= 32) {
    const unitsPerSecond = 2 ** exponent;
    const lowSeconds = Math.floor(low / unitsPerSecond);
    out.timestampSeconds = high * 2 ** (32 - exponent) + lowSeconds;
    fraction = low - lowSeconds * unitsPerSecond;
  } else {
    const highUnitsPerSecond = 2 ** (exponent - 32);
    const seconds = Math.floor(high / highUnitsPerSecond);
    out.timestampSeconds = seconds;
    fraction = (high - seconds * highUnitsPerSecond) * TWO_POW_32 + low;
  }
  out.timestampNanoseconds = Math.floor((fraction / 2 ** exponent) * NANOS_PER_SECOND);
}
