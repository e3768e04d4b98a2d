/**
 * `shm://name`: datagrams published by another process or thread (a replayer, a test, a kernel
 * bypass bridge) into the SPSC ring /dev/shm/zerotick-<name>, read in place. Each record is one
 * datagram; the ring carries no receive time, so the time the poll found the first of its
 * records stands in for all of them. A poll that finds nothing reads no clock.
 */
import { CLOCK_REALTIME, NanosecondClock } from '../../io/clock.js';
import { ShmRing, shmRingPath } from '../../io/shm-ring.js';
import { ReceiveTime, type DatagramHandler, type FeedSource } from '../datagram.js';

/** How long one idle wait sleeps between looks at the ring: the ring has no wakeup to block on. */
const IDLE_SLEEP_MS = 1;

export class ShmSource implements FeedSource {
  readonly url: string;
  readonly line: number;
  readonly ring: ShmRing;
  readonly droppedCount = 0;
  private handler: DatagramHandler | undefined;
  /**
   * Read into a field: koffi's realtimeNanos() returns a fresh heap number, and read on every
   * poll that was 16 bytes of garbage a poll (69 scavenges in 4.5 million polls with 1 MB
   * semi-spaces: test/feed/shm-source-zero-alloc.test.ts).
   */
  private readonly clock = new NanosecondClock(CLOCK_REALTIME);
  /** When this poll found its first record, standing in for every record it takes. */
  private readonly pollTime = new ReceiveTime();
  private timedThisPoll = false;
  private readonly sleepWord = new Int32Array(new SharedArrayBuffer(4));
  private readonly forward = (view: DataView, offset: number, length: number): void => {
    if (!this.timedThisPoll) {
      this.timedThisPoll = true;
      this.clock.update();
      this.pollTime.nanos = this.clock.nanos;
    }
    this.handler!.onDatagram(view, offset, length, this.pollTime, this.line);
  };

  /** Opens the ring a producer created (ShmRing.create(shmRingPath(name), capacity)). */
  static open(url: string, name: string, line: number): ShmSource {
    return new ShmSource(url, ShmRing.open(shmRingPath(name)), line);
  }

  private constructor(url: string, ring: ShmRing, line: number) {
    this.url = url;
    this.ring = ring;
    this.line = line;
  }

  poll(handler: DatagramHandler, maxDatagrams: number, timeoutMs: number): number {
    this.handler = handler;
    let waitedMs = 0;
    for (;;) {
      this.timedThisPoll = false;
      const read = this.ring.read(this.forward, maxDatagrams);
      if (read !== 0 || waitedMs >= timeoutMs) return read;
      Atomics.wait(this.sleepWord, 0, 0, IDLE_SLEEP_MS);
      waitedMs += IDLE_SLEEP_MS;
    }
  }

  close(): void {
    this.ring.close();
    this.clock.destroy();
  }
}
