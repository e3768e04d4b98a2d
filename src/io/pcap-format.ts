/**
 * The binary layouts a capture file is made of, in one place: the classic pcap file and record
 * headers, the pcapng blocks we read, the link-layer headers (Ethernet with 802.1Q tags, Linux
 * cooked capture v1 and v2) and the IPv4 and UDP headers. The reader (pcap.ts) and the writer
 * (pcap-writer.ts) name every offset from here; neither carries a bare number.
 *
 * File headers are in the byte order the capture was written in (the magic number says which);
 * network headers (IPv4, UDP, Ethernet, SLL) are always big-endian.
 */

// ---------------------------------------------------------------------------------------------
// Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html)
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +---------------------------------------------------------------+
// |                          Magic Number                         |  0
// +-------------------------------+-------------------------------+
// |         Major Version         |         Minor Version         |  4
// +-------------------------------+-------------------------------+
// |                      Reserved1 (thiszone)                     |  8
// +---------------------------------------------------------------+
// |                      Reserved2 (sigfigs)                      | 12
// +---------------------------------------------------------------+
// |                            SnapLen                            | 16
// +---------------------------------------------------------------+
// |                           LinkType                            | 20
// +---------------------------------------------------------------+
//
// then records, each:
// +---------------------------------------------------------------+
// |                      Timestamp (Seconds)                      |  0
// +---------------------------------------------------------------+
// |            Timestamp (Microseconds or Nanoseconds)            |  4
// +---------------------------------------------------------------+
// |                    Captured Packet Length                     |  8
// +---------------------------------------------------------------+
// |                    Original Packet Length                     | 12
// +---------------------------------------------------------------+
// |                 Packet Data (captured length) ...             | 16
// ---------------------------------------------------------------------------------------------

/** The magic as written by a little-endian host, read little-endian: microsecond timestamps. */
export const PCAP_MAGIC_MICROS = 0xa1b2c3d4;
/** The nanosecond variant of the magic (libpcap 1.5+, tcpdump --nano). */
export const PCAP_MAGIC_NANOS = 0xa1b23c4d;
/** The same two magics read in the wrong byte order: the file was written big-endian. */
export const PCAP_MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
export const PCAP_MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;

export const PCAP_MAGIC_OFFSET = 0;
export const PCAP_VERSION_MAJOR_OFFSET = 4;
export const PCAP_VERSION_MINOR_OFFSET = 6;
export const PCAP_THISZONE_OFFSET = 8;
export const PCAP_SIGFIGS_OFFSET = 12;
export const PCAP_SNAPLEN_OFFSET = 16;
export const PCAP_LINK_TYPE_OFFSET = 20;
export const PCAP_FILE_HEADER_LENGTH = 24;
export const PCAP_VERSION_MAJOR = 2;
export const PCAP_VERSION_MINOR = 4;

export const PCAP_RECORD_SECONDS_OFFSET = 0;
export const PCAP_RECORD_FRACTION_OFFSET = 4;
export const PCAP_RECORD_CAPTURED_LENGTH_OFFSET = 8;
export const PCAP_RECORD_ORIGINAL_LENGTH_OFFSET = 12;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/**
 * Largest captured length we believe. libpcap itself rejects records above 256 KiB
 * (MAXIMUM_SNAPLEN); a larger one means the record header is garbage, not a big packet.
 */
export const MAX_CAPTURED_LENGTH = 262_144;

// ---------------------------------------------------------------------------------------------
// pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html)
//
// Every block:
// +---------------------------------------------------------------+
// |                          Block Type                           |  0
// +---------------------------------------------------------------+
// |                      Block Total Length                       |  4
// +---------------------------------------------------------------+
// /                          Block Body                           /  8
// +---------------------------------------------------------------+
// |                      Block Total Length                       |  total - 4
// +---------------------------------------------------------------+
//
// Section Header Block body: Byte-Order Magic (u32) at 8, Major (u16) at 12, Minor (u16) at 14,
// Section Length (i64) at 16, options from 24. A file may hold several sections; each one
// starts over with its own byte order and interface numbering.
// Interface Description Block body: LinkType (u16) at 8, Reserved (u16), SnapLen (u32) at 12,
// options from 16.
// Enhanced Packet Block body: Interface ID at 8, Timestamp high/low at 12/16, Captured Length at
// 20, Original Length at 24, Packet Data from 28 (padded to 32 bits), options.
// Simple Packet Block body: Original Length at 8, Packet Data from 12; no interface (always 0),
// no timestamp, captured length = min(original, block total - 16).
// Options: Code (u16), Length (u16), Value padded to 32 bits; opt_endofopt (0) ends the list.
// ---------------------------------------------------------------------------------------------

export const PCAPNG_BLOCK_TYPE_OFFSET = 0;
export const PCAPNG_BLOCK_TOTAL_LENGTH_OFFSET = 4;
export const PCAPNG_BLOCK_BODY_OFFSET = 8;
/** Type, leading and trailing total length: the smallest block there is. */
export const PCAPNG_BLOCK_OVERHEAD = 12;
export const PCAPNG_BLOCK_TRAILER_LENGTH = 4;

/** Reads the same in both byte orders (a palindrome), so it can open the file before the order is known. */
export const PCAPNG_SECTION_HEADER_BLOCK = 0x0a0d0d0a;
export const PCAPNG_INTERFACE_DESCRIPTION_BLOCK = 0x00000001;
export const PCAPNG_SIMPLE_PACKET_BLOCK = 0x00000003;
export const PCAPNG_ENHANCED_PACKET_BLOCK = 0x00000006;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
export const PCAPNG_SHB_BYTE_ORDER_MAGIC_OFFSET = 8;
export const PCAPNG_SHB_VERSION_MAJOR_OFFSET = 12;
export const PCAPNG_SHB_VERSION_MINOR_OFFSET = 14;
export const PCAPNG_SHB_SECTION_LENGTH_OFFSET = 16;
export const PCAPNG_SHB_OPTIONS_OFFSET = 24;
export const PCAPNG_VERSION_MAJOR = 1;

export const PCAPNG_IDB_LINK_TYPE_OFFSET = 8;
export const PCAPNG_IDB_RESERVED_OFFSET = 10;
export const PCAPNG_IDB_SNAPLEN_OFFSET = 12;
export const PCAPNG_IDB_OPTIONS_OFFSET = 16;

export const PCAPNG_EPB_INTERFACE_ID_OFFSET = 8;
export const PCAPNG_EPB_TIMESTAMP_HIGH_OFFSET = 12;
export const PCAPNG_EPB_TIMESTAMP_LOW_OFFSET = 16;
export const PCAPNG_EPB_CAPTURED_LENGTH_OFFSET = 20;
export const PCAPNG_EPB_ORIGINAL_LENGTH_OFFSET = 24;
export const PCAPNG_EPB_PACKET_DATA_OFFSET = 28;

export const PCAPNG_SPB_ORIGINAL_LENGTH_OFFSET = 8;
export const PCAPNG_SPB_PACKET_DATA_OFFSET = 12;

export const PCAPNG_OPTION_CODE_OFFSET = 0;
export const PCAPNG_OPTION_LENGTH_OFFSET = 2;
export const PCAPNG_OPTION_VALUE_OFFSET = 4;
export const PCAPNG_OPTION_END = 0;
/** if_tsresol: one byte; MSB clear = 10^-n seconds per unit, MSB set = 2^-n. Default 10^-6. */
export const PCAPNG_OPTION_IF_TSRESOL = 9;
export const PCAPNG_TSRESOL_BINARY_FLAG = 0x80;
export const PCAPNG_DEFAULT_TSRESOL = 6;

/** Rounds a pcapng length up to the 32-bit boundary every block and option is padded to. */
export function pcapngPadded(length: number): number {
  return (length + 3) & ~3;
}

// ---------------------------------------------------------------------------------------------
// Link-layer types (https://www.tcpdump.org/linktypes.html)
// ---------------------------------------------------------------------------------------------

export const LINKTYPE_ETHERNET = 1;
/** Raw IP; some platforms write the DLT values 12 or 14 for it. */
export const LINKTYPE_RAW = 101;
export const DLT_RAW_BSD = 12;
export const DLT_RAW_OPENBSD = 14;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

// Ethernet II: destination MAC (6), source MAC (6), EtherType (2). An 802.1Q (or 802.1ad) tag
// inserts 4 bytes before the EtherType: TPID 0x8100/0x88a8 (where the EtherType was), then TCI.
//
// +---------------------+---------------------+-------------+-------------+-----------+
// | destination MAC (6) |   source MAC (6)    | TPID 0x8100 |  TCI (VLAN) | EtherType |
// +---------------------+---------------------+-------------+-------------+-----------+
export const ETHERNET_DESTINATION_OFFSET = 0;
export const ETHERNET_SOURCE_OFFSET = 6;
export const ETHERNET_TYPE_OFFSET = 12;
export const ETHERNET_HEADER_LENGTH = 14;
export const ETHERNET_ADDRESS_LENGTH = 6;
export const VLAN_TAG_LENGTH = 4;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

// Linux cooked capture v1 (SLL), 16 bytes:
// | packet type (2) | ARPHRD type (2) | address length (2) | address (8) | protocol (2) |
export const SLL_PROTOCOL_OFFSET = 14;
export const SLL_HEADER_LENGTH = 16;

// Linux cooked capture v2 (SLL2), 20 bytes:
// | protocol (2) | reserved (2) | interface index (4) | ARPHRD type (2) | packet type (1) |
// | address length (1) | address (8) |
export const SLL2_PROTOCOL_OFFSET = 0;
export const SLL2_HEADER_LENGTH = 20;

// ---------------------------------------------------------------------------------------------
// IPv4 (RFC 791) and UDP (RFC 768)
//
// +-------+-------+---------------+-------------------------------+
// |Version|  IHL  |Type of Service|          Total Length         |  0
// +-------+-------+---------------+-----+-------------------------+
// |         Identification        |Flags|      Fragment Offset    |  4
// +---------------+---------------+-----+-------------------------+
// |  Time to Live |    Protocol   |         Header Checksum       |  8
// +---------------+---------------+-------------------------------+
// |                       Source Address                          | 12
// +---------------------------------------------------------------+
// |                    Destination Address                        | 16
// +---------------------------------------------------------------+
// |          UDP Source Port      |      UDP Destination Port     |  IHL*4
// +-------------------------------+-------------------------------+
// |          UDP Length           |         UDP Checksum          |  IHL*4 + 4
// +-------------------------------+-------------------------------+
// ---------------------------------------------------------------------------------------------

export const IPV4_VERSION_IHL_OFFSET = 0;
export const IPV4_TOS_OFFSET = 1;
export const IPV4_TOTAL_LENGTH_OFFSET = 2;
export const IPV4_IDENTIFICATION_OFFSET = 4;
export const IPV4_FLAGS_FRAGMENT_OFFSET = 6;
export const IPV4_TTL_OFFSET = 8;
export const IPV4_PROTOCOL_OFFSET = 9;
export const IPV4_CHECKSUM_OFFSET = 10;
export const IPV4_SOURCE_OFFSET = 12;
export const IPV4_DESTINATION_OFFSET = 16;
export const IPV4_MIN_HEADER_LENGTH = 20;
export const IPV4_VERSION = 4;
export const IPV4_PROTOCOL_UDP = 17;
/** More Fragments flag and the 13-bit fragment offset: either set means this is a piece of a datagram. */
export const IPV4_MORE_FRAGMENTS = 0x2000;
export const IPV4_FRAGMENT_OFFSET_MASK = 0x1fff;
export const IPV4_DONT_FRAGMENT = 0x4000;

export const UDP_SOURCE_PORT_OFFSET = 0;
export const UDP_DESTINATION_PORT_OFFSET = 2;
export const UDP_LENGTH_OFFSET = 4;
export const UDP_CHECKSUM_OFFSET = 6;
export const UDP_HEADER_LENGTH = 8;
