/**
 * Writes UDP datagrams to a pcap (nanosecond) or pcapng file as they arrive: the recorder's
 * output. Records are built in one preallocated buffer, with synthesized Ethernet/IPv4/UDP
 * headers (pcap-writer.ts) so Wireshark and tcpreplay read the file, and written out whole.
 *
 * The file is valid after any stop: a flush only ever writes whole records, so a process
 * killed between flushes leaves a file that ends on a record boundary (losing what was still
 * buffered); close() flushes, fsyncs and closes. With `rotateBytes`, a record that would push
 * the current file past that size goes to a new file instead (`x.pcap`, `x.1.pcap`,
 * `x.2.pcap`, ...), each one complete with its own file header.
 *
 * Nothing is allocated per record: the payload is copied byte by byte from the caller's region
 * (a pool, a mapped file) at an offset, so no subarray is made.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { extname } from 'node:path';
import {
  LINKTYPE_ETHERNET,
  MAX_CAPTURED_LENGTH,
  PCAPNG_BLOCK_TRAILER_LENGTH,
  PCAPNG_BLOCK_TOTAL_LENGTH_OFFSET,
  PCAPNG_BLOCK_TYPE_OFFSET,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET_BLOCK,
  PCAPNG_EPB_CAPTURED_LENGTH_OFFSET,
  PCAPNG_EPB_INTERFACE_ID_OFFSET,
  PCAPNG_EPB_ORIGINAL_LENGTH_OFFSET,
  PCAPNG_EPB_PACKET_DATA_OFFSET,
  PCAPNG_EPB_TIMESTAMP_HIGH_OFFSET,
  PCAPNG_EPB_TIMESTAMP_LOW_OFFSET,
  PCAPNG_IDB_LINK_TYPE_OFFSET,
  PCAPNG_IDB_OPTIONS_OFFSET,
  PCAPNG_IDB_RESERVED_OFFSET,
  PCAPNG_IDB_SNAPLEN_OFFSET,
  PCAPNG_INTERFACE_DESCRIPTION_BLOCK,
  PCAPNG_OPTION_CODE_OFFSET,
  PCAPNG_OPTION_END,
  PCAPNG_OPTION_IF_TSRESOL,
  PCAPNG_OPTION_LENGTH_OFFSET,
  PCAPNG_OPTION_VALUE_OFFSET,
  PCAPNG_SECTION_HEADER_BLOCK,
  PCAPNG_SHB_BYTE_ORDER_MAGIC_OFFSET,
  PCAPNG_SHB_OPTIONS_OFFSET,
  PCAPNG_SHB_SECTION_LENGTH_OFFSET,
  PCAPNG_SHB_VERSION_MAJOR_OFFSET,
  PCAPNG_SHB_VERSION_MINOR_OFFSET,
  PCAPNG_VERSION_MAJOR,
  PCAP_RECORD_HEADER_LENGTH,
  pcapngPadded,
} from './pcap-format.js';
import { udpFrameOverhead, writePcapFileHeader, writePcapRecordHeader, writeUdpFrameHeaders, type UdpAddressing } from './pcap-writer.js';

export type CaptureFileFormat = 'pcap' | 'pcapng';

export interface PcapFileWriterOptions {
  /** Default 'pcap' (nanosecond timestamps, magic 0xa1b23c4d). */
  format?: CaptureFileFormat;
  /** Start a new file before one would grow past this many bytes. Default: one file, unbounded. */
  rotateBytes?: number;
  /** Bytes buffered between writes. Default 1 MiB; at least MIN_BUFFER_BYTES. */
  bufferBytes?: number;
}

export const DEFAULT_BUFFER_BYTES = 1 << 20;
/** Room for the largest record: a 64 KiB datagram with its headers. */
export const MIN_BUFFER_BYTES = 1 << 17;

/** pcapng if_tsresol value 9: timestamps count nanoseconds (10^-9 s). */
const NANOSECOND_TSRESOL = 9;
const SECTION_HEADER_LENGTH = PCAPNG_SHB_OPTIONS_OFFSET + PCAPNG_OPTION_VALUE_OFFSET + PCAPNG_BLOCK_TRAILER_LENGTH; // opt_endofopt, trailer
const INTERFACE_OPTIONS_LENGTH = PCAPNG_OPTION_VALUE_OFFSET + 4 + PCAPNG_OPTION_VALUE_OFFSET; // if_tsresol (padded) + opt_endofopt
const INTERFACE_DESCRIPTION_LENGTH = PCAPNG_IDB_OPTIONS_OFFSET + INTERFACE_OPTIONS_LENGTH + PCAPNG_BLOCK_TRAILER_LENGTH;
const ENHANCED_PACKET_OVERHEAD = PCAPNG_EPB_PACKET_DATA_OFFSET + PCAPNG_BLOCK_TRAILER_LENGTH;
const TWO_POW_16 = 0x1_0000;
const TWO_POW_32 = 0x1_0000_0000;
const NANOS_PER_SECOND = 1_000_000_000;

export class PcapFileWriter {
  readonly format: CaptureFileFormat;
  /** Every file written so far, the current one last. */
  readonly files: string[] = [];
  /** Records written (buffered ones included). */
  recordCount = 0;
  /** Bytes of all files, file headers and buffered bytes included. */
  byteCount = 0;

  private readonly basePath: string;
  private readonly rotateBytes: number;
  private readonly buffer: Uint8Array;
  private readonly view: DataView;
  private buffered = 0;
  private fd = -1;
  private fileBytes = 0;
  private fileRecords = 0;

  static create(path: string, options: PcapFileWriterOptions = {}): PcapFileWriter {
    return new PcapFileWriter(path, options);
  }

  private constructor(path: string, options: PcapFileWriterOptions) {
    const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!Number.isInteger(bufferBytes) || bufferBytes < MIN_BUFFER_BYTES) {
      throw new RangeError(`bufferBytes must be an integer >= ${MIN_BUFFER_BYTES}: bufferBytes=${bufferBytes}`);
    }
    const rotateBytes = options.rotateBytes ?? Infinity;
    if (!(rotateBytes > 0)) throw new RangeError(`rotateBytes must be positive: rotateBytes=${rotateBytes}`);
    this.format = options.format ?? 'pcap';
    this.basePath = path;
    this.rotateBytes = rotateBytes;
    this.buffer = new Uint8Array(bufferBytes);
    this.view = new DataView(this.buffer.buffer);
    this.openNextFile();
  }

  /**
   * Appends one datagram: `capturedLength` payload bytes at source[payloadOffset..], captured at
   * `seconds` + `nanoseconds` since the epoch. `originalLength` is the datagram's size on the
   * wire when fewer bytes were kept (the record is then marked truncated, as libpcap does).
   */
  writeUdp(
    source: Uint8Array,
    payloadOffset: number,
    capturedLength: number,
    seconds: number,
    nanoseconds: number,
    addressing: UdpAddressing,
    originalLength = capturedLength,
  ): void {
    const overhead = udpFrameOverhead(addressing.vlanId !== undefined);
    const frameLength = overhead + capturedLength;
    const recordLength = this.format === 'pcap' ? PCAP_RECORD_HEADER_LENGTH + frameLength : ENHANCED_PACKET_OVERHEAD + pcapngPadded(frameLength);
    if (this.fileRecords > 0 && this.fileBytes + recordLength > this.rotateBytes) this.rotate();
    if (this.buffered + recordLength > this.buffer.byteLength) this.flush();
    const recordOffset = this.buffered;
    const frameOffset =
      this.format === 'pcap'
        ? recordOffset + writePcapRecordHeader(this.view, recordOffset, seconds, nanoseconds, frameLength, overhead + originalLength)
        : recordOffset + this.writeEnhancedPacketHeader(recordOffset, recordLength, seconds, nanoseconds, frameLength, overhead + originalLength);
    const dataOffset = frameOffset + writeUdpFrameHeaders(this.view, frameOffset, originalLength, addressing);
    copyBytes(source, payloadOffset, this.buffer, dataOffset, capturedLength);
    if (this.format === 'pcapng') this.finishEnhancedPacket(recordOffset, recordLength, dataOffset + capturedLength);
    this.buffered += recordLength;
    this.fileBytes += recordLength;
    this.byteCount += recordLength;
    this.fileRecords++;
    this.recordCount++;
  }

  /** Writes the buffered records to the file (whole records only: the file stays readable). */
  flush(): void {
    let written = 0;
    while (written < this.buffered) written += writeSync(this.fd, this.buffer, written, this.buffered - written);
    this.buffered = 0;
  }

  /** Flushes, fsyncs and closes the current file. Idempotent. */
  close(): void {
    if (this.fd < 0) return;
    this.flush();
    syncUnlessSpecial(this.fd);
    closeSync(this.fd);
    this.fd = -1;
  }

  private rotate(): void {
    this.close();
    this.openNextFile();
  }

  private openNextFile(): void {
    const path = rotatedPath(this.basePath, this.files.length);
    this.fd = openSync(path, 'w');
    this.files.push(path);
    this.fileRecords = 0;
    const headerLength = this.format === 'pcap' ? writePcapFileHeader(this.view, this.buffered) : this.writePcapngHeaders(this.buffered);
    this.buffered += headerLength;
    this.fileBytes = headerLength;
    this.byteCount += headerLength;
  }

  /** A section header (little-endian, unknown length) and one Ethernet interface counting nanoseconds. */
  private writePcapngHeaders(offset: number): number {
    const view = this.view;
    writeBlockFrame(view, offset, PCAPNG_SECTION_HEADER_BLOCK, SECTION_HEADER_LENGTH);
    view.setUint32(offset + PCAPNG_SHB_BYTE_ORDER_MAGIC_OFFSET, PCAPNG_BYTE_ORDER_MAGIC, true);
    view.setUint16(offset + PCAPNG_SHB_VERSION_MAJOR_OFFSET, PCAPNG_VERSION_MAJOR, true);
    view.setUint16(offset + PCAPNG_SHB_VERSION_MINOR_OFFSET, 0, true);
    // Section length -1: "not specified", so the file may grow (and be cut) freely.
    view.setInt32(offset + PCAPNG_SHB_SECTION_LENGTH_OFFSET, -1, true);
    view.setInt32(offset + PCAPNG_SHB_SECTION_LENGTH_OFFSET + 4, -1, true);
    view.setUint32(offset + PCAPNG_SHB_OPTIONS_OFFSET, PCAPNG_OPTION_END, true);
    const idb = offset + SECTION_HEADER_LENGTH;
    writeBlockFrame(view, idb, PCAPNG_INTERFACE_DESCRIPTION_BLOCK, INTERFACE_DESCRIPTION_LENGTH);
    view.setUint16(idb + PCAPNG_IDB_LINK_TYPE_OFFSET, LINKTYPE_ETHERNET, true);
    view.setUint16(idb + PCAPNG_IDB_RESERVED_OFFSET, 0, true);
    view.setUint32(idb + PCAPNG_IDB_SNAPLEN_OFFSET, MAX_CAPTURED_LENGTH, true);
    const option = idb + PCAPNG_IDB_OPTIONS_OFFSET;
    view.setUint16(option + PCAPNG_OPTION_CODE_OFFSET, PCAPNG_OPTION_IF_TSRESOL, true);
    view.setUint16(option + PCAPNG_OPTION_LENGTH_OFFSET, 1, true);
    view.setUint32(option + PCAPNG_OPTION_VALUE_OFFSET, NANOSECOND_TSRESOL, true); // the byte, then 3 of padding
    view.setUint32(option + PCAPNG_OPTION_VALUE_OFFSET + 4, PCAPNG_OPTION_END, true); // code 0, length 0
    return SECTION_HEADER_LENGTH + INTERFACE_DESCRIPTION_LENGTH;
  }

  private writeEnhancedPacketHeader(
    offset: number,
    blockLength: number,
    seconds: number,
    nanoseconds: number,
    capturedLength: number,
    originalLength: number,
  ): number {
    const view = this.view;
    writeBlockFrame(view, offset, PCAPNG_ENHANCED_PACKET_BLOCK, blockLength);
    view.setUint32(offset + PCAPNG_EPB_INTERFACE_ID_OFFSET, 0, true);
    writeNanosecondTimestamp(view, offset + PCAPNG_EPB_TIMESTAMP_HIGH_OFFSET, offset + PCAPNG_EPB_TIMESTAMP_LOW_OFFSET, seconds, nanoseconds);
    view.setUint32(offset + PCAPNG_EPB_CAPTURED_LENGTH_OFFSET, capturedLength, true);
    view.setUint32(offset + PCAPNG_EPB_ORIGINAL_LENGTH_OFFSET, originalLength, true);
    return PCAPNG_EPB_PACKET_DATA_OFFSET;
  }

  /** Zeroes the padding after the packet data (the buffer is reused, so it holds old bytes). */
  private finishEnhancedPacket(offset: number, blockLength: number, dataEnd: number): void {
    const trailer = offset + blockLength - PCAPNG_BLOCK_TRAILER_LENGTH;
    for (let i = dataEnd; i < trailer; i++) this.buffer[i] = 0;
  }
}

/** fsync, except where the file is a pipe or device (recording into a FIFO for Wireshark): EINVAL there. */
function syncUnlessSpecial(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  }
}

/** `x.pcap` for the first file, then `x.1.pcap`, `x.2.pcap`, ... */
export function rotatedPath(path: string, index: number): string {
  if (index === 0) return path;
  const extension = extname(path);
  return `${path.slice(0, path.length - extension.length)}.${index}${extension}`;
}

/** Type and both copies of the total length: what frames every pcapng block. */
function writeBlockFrame(view: DataView, offset: number, blockType: number, blockLength: number): void {
  view.setUint32(offset + PCAPNG_BLOCK_TYPE_OFFSET, blockType, true);
  view.setUint32(offset + PCAPNG_BLOCK_TOTAL_LENGTH_OFFSET, blockLength, true);
  view.setUint32(offset + blockLength - PCAPNG_BLOCK_TRAILER_LENGTH, blockLength, true);
}

/**
 * Writes seconds * 10^9 + nanoseconds as the two uint32 halves of a 64-bit count, exactly and
 * without BigInt: the seconds are split into 16-bit halves so every partial product stays
 * below 2^53.
 */
function writeNanosecondTimestamp(view: DataView, highOffset: number, lowOffset: number, seconds: number, nanoseconds: number): void {
  const secondsHigh = Math.floor(seconds / TWO_POW_16);
  const low16Part = (seconds - secondsHigh * TWO_POW_16) * NANOS_PER_SECOND + nanoseconds; // < 2^47
  const high16Part = secondsHigh * NANOS_PER_SECOND; // to be shifted left by 16
  const shiftedHigh = Math.floor(high16Part / TWO_POW_16);
  let low = (low16Part % TWO_POW_32) + (high16Part - shiftedHigh * TWO_POW_16) * TWO_POW_16;
  let high = Math.floor(low16Part / TWO_POW_32) + shiftedHigh;
  if (low >= TWO_POW_32) {
    low -= TWO_POW_32;
    high += 1;
  }
  view.setUint32(highOffset, high, true);
  view.setUint32(lowOffset, low, true);
}

/** Byte loop rather than set(subarray(...)): no view is allocated per record. */
function copyBytes(source: Uint8Array, sourceOffset: number, target: Uint8Array, targetOffset: number, length: number): void {
  for (let i = 0; i < length; i++) target[targetOffset + i] = source[sourceOffset + i]!;
}
