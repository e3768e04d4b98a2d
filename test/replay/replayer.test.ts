import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { CaptureReader } from '../../src/io/pcap.js';
import { PcapWriter } from '../../src/io/pcap-writer.js';
import { needsTimerSleep, SPIN_WINDOW_NS, TIMER_SLEEP_THRESHOLD_NS, timerSleepMs, waitShortly, type PacingClock } from '../../src/replay/pacing-clock.js';
import { Replayer, type PacketSender, type ReplayOptions } from '../../src/replay/replayer.js';

const addressing = { sourceAddress: parseIpv4('10.0.0.1'), sourcePort: 5000, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };
const EPOCH_SECONDS = 1_700_000_000;
/** The fake clock moves this much on every read, as a real one does between two reads. */
const TICK_NS = 1000;
/** Send times are compared with the first send, itself a few clock reads after the pass's anchor. */
const SLACK_NS = 4 * TICK_NS;

/** Time that moves only when read, slept on or blocked on: pacing without a real clock. */
class FakeClock implements PacingClock {
  nanos = 5_000_000_000;
  timerSleeps = 0;

  update(): void {
    this.nanos += TICK_NS;
  }

  sleepMs(milliseconds: number): Promise<void> {
    this.timerSleeps++;
    this.nanos += milliseconds * 1e6;
    return Promise.resolve();
  }

  blockMs(milliseconds: number): void {
    this.nanos += milliseconds * 1e6;
  }
}

interface Sent {
  atNs: number;
  /** First payload byte of each packet: the packet's number in the capture. */
  packets: number[];
  /** By sendSegmented (runs may leave by UDP GSO) rather than send. */
  segmented: boolean;
}

/** Records each send: when (by the fake clock) and which packets. */
class RecordingSender implements PacketSender {
  readonly sends: Sent[] = [];
  private readonly offsets: number[] = [];

  constructor(
    readonly batchSize: number,
    private readonly clock: FakeClock,
  ) {}

  setPacket(index: number, offset: number): void {
    this.offsets[index] = offset;
  }

  send(region: Uint8Array, count: number): number {
    return this.record(region, count, false);
  }

  sendSegmented(region: Uint8Array, count: number): number {
    return this.record(region, count, true);
  }

  private record(region: Uint8Array, count: number, segmented: boolean): number {
    this.sends.push({ atNs: this.clock.nanos, packets: this.offsets.slice(0, count).map((offset) => region[offset]!), segmented });
    return count;
  }

  /** Send time of each packet, by packet number. */
  sendTimes(): number[] {
    return this.sends.flatMap((sent) => sent.packets.map(() => sent.atNs));
  }

  packetOrder(): number[] {
    return this.sends.flatMap((sent) => sent.packets);
  }
}

/** A capture whose packet i (payload byte 0 = i) was captured `offsetsNs[i]` after the first. */
function capture(offsetsNs: number[]): CaptureReader {
  const writer = new PcapWriter();
  offsetsNs.forEach((offsetNs, i) => {
    const seconds = Math.floor(offsetNs / 1e9);
    writer.writeUdp(Uint8Array.of(i, 0xee), EPOCH_SECONDS + seconds, offsetNs - seconds * 1e9, addressing);
  });
  return new CaptureReader(writer.bytes().slice());
}

async function replay(offsetsNs: number[], options: ReplayOptions, batchSize = 64) {
  const clock = new FakeClock();
  const sender = new RecordingSender(batchSize, clock);
  const replayer = new Replayer(capture(offsetsNs), sender, options, clock);
  const stats = await replayer.run();
  return { stats, sender, clock };
}

describe('pacing clock', () => {
  it('never returns before the deadline, and overshoots it by one clock read at most', () => {
    const clock = new FakeClock();
    for (const aheadNs of [-5_000, 0, 500, SPIN_WINDOW_NS - 1, SPIN_WINDOW_NS + 1, 1_900_000]) {
      const deadline = clock.nanos + aheadNs;
      waitShortly(clock, Float64Array.of(deadline), 0);
      expect(clock.nanos).toBeGreaterThanOrEqual(deadline);
      if (aheadNs > 0) expect(clock.nanos - deadline).toBeLessThanOrEqual(TICK_NS);
    }
  });

  it('sleeps on a timer only beyond the threshold, and wakes before the deadline with room to spare', () => {
    const clock = new FakeClock();
    expect(needsTimerSleep(clock, clock.nanos + TIMER_SLEEP_THRESHOLD_NS / 2)).toBe(false);
    const deadline = clock.nanos + 10 * TIMER_SLEEP_THRESHOLD_NS;
    expect(needsTimerSleep(clock, deadline)).toBe(true);
    const sleepMs = timerSleepMs(clock, deadline);
    expect(clock.nanos + sleepMs * 1e6).toBeLessThanOrEqual(deadline - TIMER_SLEEP_THRESHOLD_NS / 2);
    expect(sleepMs).toBeGreaterThanOrEqual(1);
  });
});

describe('Replayer pacing (fake clock)', () => {
  // Gaps from 3 us to 1.7 s: busy-wait, futex block and timer sleep all take part.
  const offsetsNs = [0, 3_000, 250_000, 251_000, 4_000_000, 30_000_000, 1_700_000_000, 1_700_000_500];

  for (const speed of [1, 2, 0.5]) {
    it(`sends packet i at start + (t_i - t_0) / ${speed}, never early, in order`, async () => {
      // when
      const { stats, sender } = await replay(offsetsNs, { speed });
      // then
      expect(sender.packetOrder()).toEqual(offsetsNs.map((_, i) => i));
      const times = sender.sendTimes();
      const start = times[0]!;
      offsetsNs.forEach((offsetNs, i) => {
        const scheduledAfterFirst = offsetNs / speed;
        // On time to within a few reads of the fake clock, never drifting.
        expect(times[i]! - start).toBeGreaterThanOrEqual(scheduledAfterFirst - SLACK_NS);
        expect(times[i]! - start).toBeLessThanOrEqual(scheduledAfterFirst + SLACK_NS);
      });
      expect(stats.packets).toBe(offsetsNs.length);
      expect(stats.pacingError?.count).toBe(offsetsNs.length);
      expect(stats.pacingError!.maxNanos).toBeLessThanOrEqual(SLACK_NS);
    });
  }

  it('sleeps on a timer only for long gaps, so the event loop turns while waiting', async () => {
    const { clock } = await replay(offsetsNs, { speed: 1 });
    // 3 gaps over 2 ms (3.75 ms, 26 ms, 1.67 s); each may take a few timer sleeps.
    expect(clock.timerSleeps).toBeGreaterThanOrEqual(3);
  });

  it('sends packets captured together in one sendmmsg', async () => {
    const { sender, stats } = await replay([0, 0, 0, 0, 10_000_000, 10_000_000], { speed: 1 });
    expect(sender.sends.map((sent) => sent.packets)).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect(stats.sends).toBe(2);
  });

  it('splits a burst larger than the batch', async () => {
    const { sender } = await replay(new Array(10).fill(0), { speed: 1 }, 4);
    expect(sender.sends.map((sent) => sent.packets.length)).toEqual([4, 4, 2]);
  });

  it('paces at a fixed rate with --pps, whatever the capture times', async () => {
    const { sender } = await replay([0, 5e9, 5e9, 6e9], { packetsPerSecond: 1000 });
    const times = sender.sendTimes();
    times.forEach((time, i) => {
      expect(time - times[0]!).toBeGreaterThanOrEqual(i * 1e6 - SLACK_NS);
      expect(time - times[0]!).toBeLessThanOrEqual(i * 1e6 + SLACK_NS);
    });
  });

  it("at 'max' sends full batches back to back and measures no pacing", async () => {
    const { sender, stats } = await replay(Array.from({ length: 150 }, (_, i) => i * 1e9), { speed: 'max' });
    expect(sender.sends.map((sent) => sent.packets.length)).toEqual([64, 64, 22]);
    expect(sender.packetOrder()).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(stats.pacingError).toBeUndefined();
  });

  it("sends by sendSegmented (UDP GSO runs) only at 'max'; paced sends keep send", async () => {
    const atMax = await replay([0, 1e6, 2e6], { speed: 'max' });
    const paced = await replay([0, 1e6, 2e6], { speed: 1 });
    expect(atMax.sender.sends.map((sent) => sent.segmented)).toEqual([true]);
    expect(paced.sender.sends.map((sent) => sent.segmented)).toEqual([false, false, false]);
  });

  it('re-anchors each pass of a loop: every pass keeps the capture gaps', async () => {
    // when
    const { sender, stats } = await replay([0, 1_000_000, 3_000_000], { speed: 1, loops: 3 });
    // then
    expect(sender.packetOrder()).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(stats.passes).toBe(3);
    const times = sender.sendTimes();
    for (let pass = 0; pass < 3; pass++) {
      const start = times[pass * 3]!;
      expect(times[pass * 3 + 2]! - start).toBeGreaterThanOrEqual(3_000_000 - SLACK_NS);
      expect(times[pass * 3 + 2]! - start).toBeLessThanOrEqual(3_000_000 + SLACK_NS);
    }
  });

  it('stops after the batch in hand when asked', async () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(64, clock);
    const replayer = new Replayer(capture([0, 1e6, 2e6, 3e6]), sender, { speed: 1 }, clock);
    const original = sender.send.bind(sender);
    sender.send = (region, count) => {
      replayer.stop();
      return original(region, count);
    };
    const stats = await replayer.run();
    expect(stats.packets).toBe(1);
    expect(stats.passes).toBe(0);
  });

  it('replays a file cut mid-record up to the cut and reports where it broke', async () => {
    // given: three records, the last cut short
    const writer = new PcapWriter();
    for (let i = 0; i < 3; i++) writer.writeUdp(Uint8Array.of(i, 1, 2, 3), EPOCH_SECONDS, i, addressing);
    const bytes = writer.bytes();
    const cut = bytes.slice(0, bytes.byteLength - 3);
    const clock = new FakeClock();
    const sender = new RecordingSender(64, clock);
    // when
    const stats = await new Replayer(new CaptureReader(cut), sender, { speed: 'max', loops: 2 }, clock).run();
    // then
    expect(sender.packetOrder()).toEqual([0, 1, 0, 1]);
    expect(stats.fileError?.message).toMatch(/pcap record claims 46 captured bytes but only 43 remain in the file at byte offset 148$/);
  });

  it('refuses nonsense options', () => {
    const clock = new FakeClock();
    const sender = new RecordingSender(64, clock);
    expect(() => new Replayer(capture([0]), sender, { speed: 0 }, clock)).toThrow(/speed=0/);
    expect(() => new Replayer(capture([0]), sender, { loops: 0 }, clock)).toThrow(/loops=0/);
    expect(() => new Replayer(capture([0]), sender, { packetsPerSecond: -1 }, clock)).toThrow(/packetsPerSecond=-1/);
  });
});
