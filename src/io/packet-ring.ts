/**
 * AF_PACKET receive ring: the kernel copies each IPv4 UDP datagram for one destination port
 * (a classic-BPF filter, native/zt_packet_ring.c) into memory mapped into this process, and
 * poll() walks the ready frames in place: no system call, no copy, no allocation per packet.
 * TPACKET_V2 hands over each frame as soon as it is written: use it for latency. TPACKET_V3
 * hands over whole blocks, when full or after `blockTimeoutMs` (about 1 ms or more): use it
 * for throughput. Layouts: packet-ring-layout.ts.
 *
 * Memory order. The kernel writes a frame, then smp_wmb(), then sets its status to
 * TP_STATUS_USER. We read the status with Atomics.load on an Int32Array over the ring: V8
 * neither caches that load across iterations nor moves the frame reads that follow above it,
 * and x86 does not reorder loads with loads, so a frame we see as ours is complete. We hand it
 * back with Atomics.store(TP_STATUS_KERNEL), a full barrier: every read of the frame is done
 * before the kernel may reuse it (the kernel selftest does the same with __sync_synchronize()).
 *
 * Needs CAP_NET_RAW (root, or `setcap cap_net_raw+ep $(which node)`).
 */
import { constants } from 'node:os';
import { SyscallError, checkResult } from './errors.js';
import { koffi, nativeLibrary } from './native.js';
import {
  BLOCK_FIRST_PACKET_OFFSET,
  BLOCK_PACKET_COUNT_OFFSET,
  BLOCK_STATUS_OFFSET,
  STATS_DROPS_OFFSET,
  STATS_FREEZE_QUEUE_COUNT_OFFSET,
  STATS_LENGTH,
  STATS_PACKETS_OFFSET,
  TPACKET2_MAC_OFFSET,
  TPACKET2_NSEC_OFFSET,
  TPACKET2_SEC_OFFSET,
  TPACKET2_SNAPLEN_OFFSET,
  TPACKET2_STATUS_OFFSET,
  TPACKET3_HEADER_LENGTH,
  TPACKET3_MAC_OFFSET,
  TPACKET3_NEXT_OFFSET,
  TPACKET3_NSEC_OFFSET,
  TPACKET3_SEC_OFFSET,
  TPACKET3_SNAPLEN_OFFSET,
  TPACKET_ALIGNMENT,
  TP_STATUS_KERNEL,
  TP_STATUS_USER,
} from './packet-ring-layout.js';
import { BufferPool } from './pool.js';
import { CUT_SHORT, IP_FRAGMENT, ethernetUdpPayloadOffset, udpPayloadLength } from './udp-frame.js';

/**
 * Called once per datagram: the UDP payload is `payloadLength` bytes at `payloadOffset` in
 * `view` (the whole ring), valid only until the handler returns. The kernel receive time
 * (CLOCK_REALTIME) comes as whole seconds plus nanoseconds, exactly as the kernel wrote it:
 * two small integers cost nothing to pass, where one number of nanoseconds since the epoch
 * would be a heap number (an allocation) per call. `seconds * 1e9 + nanoseconds` gives the
 * number that realtimeNanos() returns. Pass a function made once, not a closure per call.
 */
export type PacketHandler = (
  view: DataView,
  payloadOffset: number,
  payloadLength: number,
  timestampSeconds: number,
  timestampNanoseconds: number,
) => void;

export type TpacketVersion = 2 | 3;

export interface PacketRingOptions {
  /** Interface to capture on, e.g. 'eth0' or 'lo'. */
  interfaceName: string;
  /** Only IPv4 UDP datagrams to this destination port reach the ring. */
  udpPort: number;
  /** 2 (a frame per datagram, handed over at once: latency) or 3 (blocks: throughput). Default 2. */
  version?: TpacketVersion;
  /** Bytes per block: a multiple of the page size and of frameSize. Default 64 KiB (V2), 256 KiB (V3). */
  blockSize?: number;
  /** Default 64 (V2), 32 (V3). */
  blockCount?: number;
  /** Bytes per frame, headers included: a multiple of 16. Default 2048 (a 1500-byte MTU frame fits). */
  frameSize?: number;
  /** V3: how long the kernel keeps a partly filled block before handing it over. Default 1 ms. */
  blockTimeoutMs?: number;
}

/** The kernel's counters, cumulative since open. */
export interface PacketRingStatistics {
  /** Datagrams that passed the filter, dropped ones included. */
  packets: number;
  /** Datagrams lost because the ring was full. */
  drops: number;
  /** V3: times the ring froze because every block was full; 0 for V2. */
  freezeQueueCount: number;
}

/** AF_PACKET sockets need CAP_NET_RAW; the message says how to grant it. */
export class MissingCapabilityError extends Error {
  readonly capability = 'CAP_NET_RAW';

  constructor(cause: SyscallError) {
    super(`AF_PACKET needs CAP_NET_RAW: run as root or \`setcap cap_net_raw+ep $(which node)\` (${cause.message})`, { cause });
    this.name = 'MissingCapabilityError';
  }
}

const GEOMETRY_DEFAULTS: Record<TpacketVersion, { blockSize: number; blockCount: number }> = {
  2: { blockSize: 64 * 1024, blockCount: 64 },
  3: { blockSize: 256 * 1024, blockCount: 32 },
};
const DEFAULT_FRAME_SIZE = 2048;
const DEFAULT_BLOCK_TIMEOUT_MS = 1;
/** The kernel keeps the block timeout in 16 bits (struct tpacket_kbdq_core.retire_blk_tov). */
const MAX_BLOCK_TIMEOUT_MS = 65_535;
const PAGE_SIZE = 4096;

const FAILED_CALL_NAMES: Record<number, string> = {
  1: 'socket AF_PACKET',
  2: 'setsockopt PACKET_VERSION',
  3: 'setsockopt SO_ATTACH_FILTER',
  4: 'setsockopt PACKET_IGNORE_OUTGOING',
  5: 'setsockopt PACKET_RX_RING',
  6: 'mmap',
  7: 'if_nametoindex',
  8: 'bind',
};
const SOCKET_CALL = 1;

const PacketRingResult = koffi.struct('zt_packet_ring', {
  ring: 'void *',
  ring_length: 'uint64_t',
  fd: 'int32_t',
  failed_call: 'int32_t',
});

interface PacketRingOpenResult {
  ring: bigint;
  ring_length: number | bigint;
  fd: number;
  failed_call: number;
}

const ztPacketRingOpen: (
  interfaceName: string, udpPort: number, version: number, blockSize: number, blockCount: number,
  frameSize: number, blockTimeoutMs: number, out: PacketRingOpenResult,
) => number = nativeLibrary.func('zt_packet_ring_open', 'int', [
  'const char *', 'uint32_t', 'uint32_t', 'uint32_t', 'uint32_t', 'uint32_t', 'uint32_t', koffi.out(koffi.pointer(PacketRingResult)),
]);
const ztPacketRingWait: (fd: number, timeoutMs: number) => number = nativeLibrary.func('int zt_packet_ring_wait(int fd, int timeout_ms)');
// Into native memory read with a DataView: an out-struct would be a new object a read.
const ztPacketRingStatistics: (fd: number, out: bigint) => number = nativeLibrary.func('int zt_packet_ring_statistics(int fd, void *out)');
const ztPacketRingClose: (fd: number, ring: bigint, ringLength: number) => number =
  nativeLibrary.func('int zt_packet_ring_close(int fd, void *ring, uint64_t ring_length)');

interface PacketRingGeometry {
  version: TpacketVersion;
  blockSize: number;
  blockCount: number;
  frameSize: number;
  blockTimeoutMs: number;
}

export abstract class PacketRing {
  readonly interfaceName: string;
  readonly udpPort: number;
  readonly version: TpacketVersion;
  readonly blockSize: number;
  readonly blockCount: number;
  readonly frameSize: number;
  readonly ringLength: number;
  /** The whole ring, viewed once; frames and payloads are offsets into it. Invalid after close(). */
  view: DataView;
  /** Frames that were not IPv4 UDP after all, or whose headers contradict each other (the filter lets neither through; counted, never delivered). */
  malformedCount = 0;
  /** Datagrams not whole in their frame (longer than a frame holds: raise frameSize; or IP fragments): counted, never delivered cut short. */
  truncatedCount = 0;

  protected statusWords: Int32Array;
  protected readonly fd: number;
  private readonly address: bigint;
  private readonly description: string;
  private readonly totals: PacketRingStatistics = { packets: 0, drops: 0, freezeQueueCount: 0 };
  /** Where the native call writes the counters since the previous read (STATS_* layout). */
  private readonly statsBuffer = BufferPool.create({ slotSize: STATS_LENGTH, slotCount: 1 });
  private closed = false;

  /** Opens a ring on `options.interfaceName` for `options.udpPort`; throws MissingCapabilityError without CAP_NET_RAW. */
  static open(options: PacketRingOptions): PacketRing {
    const geometry = resolveGeometry(options);
    const description = `${options.interfaceName}, UDP port ${options.udpPort}, TPACKET_V${geometry.version}`;
    const result = {} as PacketRingOpenResult;
    const status = ztPacketRingOpen(
      options.interfaceName, options.udpPort, geometry.version, geometry.blockSize, geometry.blockCount,
      geometry.frameSize, geometry.blockTimeoutMs, result,
    );
    if (status < 0) throw openError(status, result.failed_call, description);
    return geometry.version === 2
      ? new TpacketV2Ring(options, geometry, result, description)
      : new TpacketV3Ring(options, geometry, result, description);
  }

  protected constructor(options: PacketRingOptions, geometry: PacketRingGeometry, opened: PacketRingOpenResult, description: string) {
    this.interfaceName = options.interfaceName;
    this.udpPort = options.udpPort;
    this.version = geometry.version;
    this.blockSize = geometry.blockSize;
    this.blockCount = geometry.blockCount;
    this.frameSize = geometry.frameSize;
    this.ringLength = Number(opened.ring_length);
    this.fd = opened.fd;
    this.address = opened.ring;
    this.description = description;
    const ring = koffi.view(opened.ring, this.ringLength);
    this.view = new DataView(ring);
    this.statusWords = new Int32Array(ring);
  }

  /**
   * Hands up to `maxPackets` ready datagrams to `handler`, in arrival order, and gives their
   * frames back to the kernel; never blocks. Returns the number of frames taken from the ring
   * (0: nothing ready). A frame whose handler throws is given back all the same.
   */
  abstract poll(handler: PacketHandler, maxPackets: number): number;

  /**
   * Blocks up to `timeoutMs` (-1: forever) until the kernel hands over a frame (V3: a block);
   * false on timeout. Call it after poll() returned 0: a V3 block already ours does not wake it.
   */
  wait(timeoutMs: number): boolean {
    return checkResult(ztPacketRingWait(this.fd, timeoutMs), 'poll', this.description) === 1;
  }

  /** The kernel's counters since open (each read of PACKET_STATISTICS resets the kernel's copy, so we add them up). */
  statistics(): PacketRingStatistics {
    this.addKernelCounters();
    return { ...this.totals };
  }

  /** Datagrams lost because the ring was full, since open: statistics().drops without allocating, for the hot loop. */
  get dropCount(): number {
    this.addKernelCounters();
    return this.totals.drops;
  }

  private addKernelCounters(): void {
    // (the native call writes into statsBuffer, which close() freed)
    if (this.closed) throw new Error(`${this.description}: the ring is closed`);
    checkResult(ztPacketRingStatistics(this.fd, this.statsBuffer.address), 'getsockopt PACKET_STATISTICS', this.description);
    const stats = this.statsBuffer.view;
    this.totals.packets += stats.getUint32(STATS_PACKETS_OFFSET, true);
    this.totals.drops += stats.getUint32(STATS_DROPS_OFFSET, true);
    this.totals.freezeQueueCount += stats.getUint32(STATS_FREEZE_QUEUE_COUNT_OFFSET, true);
  }

  /**
   * Unmaps the ring and closes the socket. `view` taken before this call must not be used
   * afterwards: the memory is gone. The ring's own views become empty, so a late poll() throws
   * a RangeError instead of touching it.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.statusWords = new Int32Array(0);
    this.view = new DataView(this.statusWords.buffer);
    this.statsBuffer.destroy();
    checkResult(ztPacketRingClose(this.fd, this.address, this.ringLength), 'close', this.description);
  }

  /** Hands the frame's UDP payload to `handler`, or counts why it cannot. */
  protected deliver(handler: PacketHandler, macOffset: number, capturedLength: number, seconds: number, nanoseconds: number): void {
    const view = this.view;
    const payloadOffset = ethernetUdpPayloadOffset(view, macOffset, macOffset + capturedLength);
    if (payloadOffset >= 0) {
      handler(view, payloadOffset, udpPayloadLength(view, payloadOffset), seconds, nanoseconds);
    } else if (payloadOffset === CUT_SHORT || payloadOffset === IP_FRAGMENT) {
      this.truncatedCount++;
    } else {
      this.malformedCount++;
    }
  }
}

/** TPACKET_V2: frames tile the ring; the next frame to look at is always frameIndex. */
class TpacketV2Ring extends PacketRing {
  private readonly frameCount: number;
  private frameIndex = 0;

  constructor(options: PacketRingOptions, geometry: PacketRingGeometry, opened: PacketRingOpenResult, description: string) {
    super(options, geometry, opened, description);
    this.frameCount = (geometry.blockSize / geometry.frameSize) * geometry.blockCount;
  }

  poll(handler: PacketHandler, maxPackets: number): number {
    const view = this.view;
    const statusWords = this.statusWords;
    const frameSize = this.frameSize;
    let taken = 0;
    while (taken < maxPackets) {
      const frameOffset = this.frameIndex * frameSize;
      const statusIndex = (frameOffset + TPACKET2_STATUS_OFFSET) >> 2;
      if ((Atomics.load(statusWords, statusIndex) & TP_STATUS_USER) === 0) break; // acquire
      taken++;
      this.frameIndex = this.frameIndex + 1 === this.frameCount ? 0 : this.frameIndex + 1;
      try {
        this.deliver(
          handler,
          frameOffset + view.getUint16(frameOffset + TPACKET2_MAC_OFFSET, true),
          view.getUint32(frameOffset + TPACKET2_SNAPLEN_OFFSET, true),
          view.getUint32(frameOffset + TPACKET2_SEC_OFFSET, true),
          view.getUint32(frameOffset + TPACKET2_NSEC_OFFSET, true),
        );
      } finally {
        Atomics.store(statusWords, statusIndex, TP_STATUS_KERNEL); // release: give the frame back
      }
    }
    return taken;
  }
}

/**
 * TPACKET_V3: blocks of packets. A block is ours from the moment its status says so until we
 * give the whole block back, so the walk through it may pause between poll() calls.
 */
class TpacketV3Ring extends PacketRing {
  private blockIndex = 0;
  private packetsLeftInBlock = 0;
  private packetOffset = 0;

  poll(handler: PacketHandler, maxPackets: number): number {
    const view = this.view;
    let taken = 0;
    while (taken < maxPackets) {
      if (this.packetsLeftInBlock === 0 && !this.openNextBlock()) break;
      const packetOffset = this.packetOffset;
      this.packetOffset = packetOffset + view.getUint32(packetOffset + TPACKET3_NEXT_OFFSET, true);
      this.packetsLeftInBlock--;
      taken++;
      try {
        this.deliver(
          handler,
          packetOffset + view.getUint16(packetOffset + TPACKET3_MAC_OFFSET, true),
          view.getUint32(packetOffset + TPACKET3_SNAPLEN_OFFSET, true),
          view.getUint32(packetOffset + TPACKET3_SEC_OFFSET, true),
          view.getUint32(packetOffset + TPACKET3_NSEC_OFFSET, true),
        );
      } finally {
        if (this.packetsLeftInBlock === 0) this.releaseBlock();
      }
    }
    return taken;
  }

  /** True when the next block is ours and holds packets; an empty one is given straight back. */
  private openNextBlock(): boolean {
    for (let checked = 0; checked < this.blockCount; checked++) {
      const blockOffset = this.blockIndex * this.blockSize;
      const statusIndex = (blockOffset + BLOCK_STATUS_OFFSET) >> 2;
      if ((Atomics.load(this.statusWords, statusIndex) & TP_STATUS_USER) === 0) return false; // acquire
      const packetCount = this.view.getUint32(blockOffset + BLOCK_PACKET_COUNT_OFFSET, true);
      if (packetCount !== 0) {
        this.packetsLeftInBlock = packetCount;
        this.packetOffset = blockOffset + this.view.getUint32(blockOffset + BLOCK_FIRST_PACKET_OFFSET, true);
        return true;
      }
      this.releaseBlock();
    }
    return false;
  }

  private releaseBlock(): void {
    const statusIndex = (this.blockIndex * this.blockSize + BLOCK_STATUS_OFFSET) >> 2;
    Atomics.store(this.statusWords, statusIndex, TP_STATUS_KERNEL); // release: every packet in it has been read
    this.blockIndex = this.blockIndex + 1 === this.blockCount ? 0 : this.blockIndex + 1;
  }
}

function resolveGeometry(options: PacketRingOptions): PacketRingGeometry {
  const version = options.version ?? 2;
  if (version !== 2 && version !== 3) throw new RangeError(`version must be 2 or 3 (TPACKET_V2/V3): version=${String(version)}`);
  const defaults = GEOMETRY_DEFAULTS[version];
  const geometry: PacketRingGeometry = {
    version,
    blockSize: options.blockSize ?? defaults.blockSize,
    blockCount: options.blockCount ?? defaults.blockCount,
    frameSize: options.frameSize ?? DEFAULT_FRAME_SIZE,
    blockTimeoutMs: options.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS,
  };
  const { blockSize, blockCount, frameSize, blockTimeoutMs } = geometry;
  const { udpPort } = options;
  if (!Number.isInteger(udpPort) || udpPort < 1 || udpPort > 65535) throw new RangeError(`udpPort must be in 1..65535: udpPort=${udpPort}`);
  if (!Number.isInteger(frameSize) || frameSize < TPACKET3_HEADER_LENGTH || frameSize % TPACKET_ALIGNMENT !== 0) {
    throw new RangeError(`frameSize must be a multiple of ${TPACKET_ALIGNMENT} of at least ${TPACKET3_HEADER_LENGTH}: frameSize=${frameSize}`);
  }
  if (!Number.isInteger(blockSize) || blockSize < PAGE_SIZE || blockSize % PAGE_SIZE !== 0 || blockSize % frameSize !== 0) {
    throw new RangeError(`blockSize must be a multiple of the page size (${PAGE_SIZE}) and of frameSize (${frameSize}): blockSize=${blockSize}`);
  }
  if (!Number.isInteger(blockCount) || blockCount < 1 || blockSize * blockCount > 0x7fffffff) {
    throw new RangeError(`blockCount must be at least 1 with blockSize * blockCount below 2 GiB: blockCount=${blockCount}`);
  }
  if (!Number.isInteger(blockTimeoutMs) || blockTimeoutMs < 0 || blockTimeoutMs > MAX_BLOCK_TIMEOUT_MS) {
    throw new RangeError(`blockTimeoutMs must be an integer in 0..${MAX_BLOCK_TIMEOUT_MS}: blockTimeoutMs=${blockTimeoutMs}`);
  }
  return geometry;
}

function openError(status: number, failedCall: number, description: string): Error {
  const error = new SyscallError(FAILED_CALL_NAMES[failedCall] ?? 'zt_packet_ring_open', description, -status);
  return failedCall === SOCKET_CALL && -status === constants.errno.EPERM ? new MissingCapabilityError(error) : error;
}
