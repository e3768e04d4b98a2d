/**
 * Drives a StageLatencyRecorder with hand-set clocks through one packet, so every stage gets
 * one known sample (ns). Times are small (1 s since the epoch): a realtime double of today holds
 * only 256 ns, which would blur the expected values.
 *
 *   feed 3000, wire 2500, decode 700, risk_encode 400, strategy 900 (1300 in the handler, 400 of it in the order path), send 900, tick_to_trade 6000
 */
import type * as hdr from 'hdr-histogram-js';
import { MARK_RECEIVED, StageLatencyRecorder } from '../../src/metrics/stage-latency.js';
import { IntervalChannel, type HistogramInterval } from '../../src/metrics/interval-channel.js';
import { buildHistogram } from '../../src/metrics/latency-histogram.js';
import type { TimeSource } from '../../src/io/clock.js';
import { MDP3_SENDING_TIME_OFFSET } from '../../src/feed/framing/mdp3.js';

export class ManualClock implements TimeSource {
  nanos = 0;
  update(): void {}
}

/** A ManualClock that counts its reads: each stands for a koffi call in the worker. */
export class CountingClock extends ManualClock {
  reads = 0;
  override update(): void {
    this.reads++;
  }
}

export const EXPECTED_NANOS = { wire: 2500, decode: 700, strategy: 900, risk_encode: 400, send: 900, tick_to_trade: 6000, feed: 3000 } as const;

export function recordOnePacket(recorder: StageLatencyRecorder, realtime: ManualClock, monotonic: ManualClock, base = 1_000_000_000): void {
  const packet = new DataView(new ArrayBuffer(12));
  packet.setBigUint64(MDP3_SENDING_TIME_OFFSET, BigInt(base), true);
  const received = base + 3000;
  recorder.marks[MARK_RECEIVED] = received;
  realtime.nanos = received + 2500;
  monotonic.nanos = 100_000;
  recorder.beginPacket(packet, 0);
  monotonic.nanos = 100_700;
  recorder.enterStrategy();
  monotonic.nanos = 101_000;
  recorder.enterOrderPath();
  monotonic.nanos = 101_400;
  recorder.exitOrderPath();
  monotonic.nanos = 102_000;
  recorder.exitStrategy();
  recorder.endPacket();
  monotonic.nanos = 103_000;
  recorder.beginSend();
  monotonic.nanos = 103_900;
  realtime.nanos = received + 6000;
  recorder.endSend();
  recorder.recordTickToTrade(new Float64Array([received]), 0);
}

/** A recorder with manual clocks that has recorded `packets` identical packets. */
export function recorderWith(packets: number): StageLatencyRecorder {
  const realtime = new ManualClock();
  const monotonic = new ManualClock();
  const recorder = new StageLatencyRecorder({ realtime, monotonic });
  for (let i = 0; i < packets; i++) recordOnePacket(recorder, realtime, monotonic);
  return recorder;
}

/**
 * The interval of `histograms` as the control plane receives it, through an IntervalChannel: their
 * values are moved into histograms counting into the channel (the worker's attach before
 * recording), which the channel then hands over; `histograms` are left empty, as after offer().
 */
export function takeInterval(histograms: readonly hdr.JsHistogram[]): HistogramInterval {
  const channel = IntervalChannel.create(histograms.length);
  const counting = histograms.map(() => buildHistogram());
  channel.recordInto(counting);
  histograms.forEach((histogram, index) => {
    counting[index]!.add(histogram);
    histogram.reset();
  });
  const now = new ManualClock();
  now.nanos = Date.now() * 1_000_000;
  channel.offer(now);
  let taken: HistogramInterval | undefined;
  channel.drain((interval) => (taken = interval));
  return taken!;
}
