/**
 * What every feed source hands the feed handler: one datagram, in place. The source owns the
 * memory (a pool slot, a ring frame, a mapped capture file); the bytes are valid only during the
 * call. Sources call a handler object rather than a closure so the call site stays monomorphic
 * and nothing is allocated per datagram.
 */
export interface DatagramHandler {
  /**
   * @param view the region the datagram lives in (one view per region, created once)
   * @param offset byte offset of the UDP payload in `view`
   * @param length payload bytes
   * @param received when it was received (valid during the call only, like the bytes)
   * @param line feed line: 0 for A, 1 for B
   */
  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void;
}

/**
 * The receive time of the datagram being handed on: the kernel's timestamp, CLOCK_REALTIME ns
 * (the capture time for a file). Handed on in a field the source sets before each call, not as
 * a number: a double passed to a call V8 does not inline is boxed, 16 bytes a datagram.
 */
export class ReceiveTime {
  nanos = 0.5; // a double from the start, so the field never changes representation

  /** A new one holding `nanos`: for callers off the hot path (tests, tools). */
  static of(nanos: number): ReceiveTime {
    const received = new ReceiveTime();
    received.nanos = nanos;
    return received;
  }
}

/** A source of datagrams: a UDP socket, an AF_PACKET ring, an SPSC ring, a capture file. */
export interface FeedSource {
  /** The URL it was opened from, for status and errors. */
  readonly url: string;
  /**
   * Delivers up to `maxDatagrams` ready datagrams to `handler`, waiting at most `timeoutMs`
   * (0: busy-poll) when none is ready. Returns how many were delivered; -1 when a finite source
   * (a capture file) is exhausted.
   */
  poll(handler: DatagramHandler, maxDatagrams: number, timeoutMs: number): number;
  /** Datagrams the kernel or the source dropped before we saw them (socket drops, ring drops). */
  readonly droppedCount: number;
  /** UDP sources whose URL asked for a receive buffer (rcvbuf=): what they asked and got. */
  readonly receiveBuffer?: ReceiveBufferGrant;
  close(): void;
}

/**
 * SO_RCVBUF asked for and granted, in bytes. The kernel caps a request at net.core.rmem_max and
 * reports back twice what it granted (the other half pays for its bookkeeping), so `grantedBytes`
 * is half the reported size.
 */
export class ReceiveBufferGrant {
  readonly requestedBytes: number;
  readonly grantedBytes: number;

  constructor(requestedBytes: number, reportedBytes: number) {
    this.requestedBytes = requestedBytes;
    this.grantedBytes = reportedBytes / 2;
  }

  /** The grant of a socket whose URL asked for `requestedBytes` (rcvbuf=); undefined when it asked for nothing. */
  static ifRequested(requestedBytes: number | undefined, readReportedBytes: () => number): ReceiveBufferGrant | undefined {
    return requestedBytes === undefined ? undefined : new ReceiveBufferGrant(requestedBytes, readReportedBytes());
  }

  /** What the log says at start: the grant, and why it fell short of the request when it did. */
  describe(url: string): { level: 'info' | 'warn'; message: string } {
    if (this.grantedBytes >= this.requestedBytes) return { level: 'info', message: `feed ${url}: receive buffer ${this.grantedBytes} bytes` };
    return {
      level: 'warn',
      message: `feed ${url}: asked for a ${this.requestedBytes}-byte receive buffer, the kernel granted ${this.grantedBytes} (net.core.rmem_max caps it: raise it with sysctl)`,
    };
  }
}
