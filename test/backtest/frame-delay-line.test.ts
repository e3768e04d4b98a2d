/**
 * The delay line of the backtest's order path: frames come out in the order they went in, each
 * with its bytes and its due time (sent + latency), across compaction and growth.
 */
import { describe, expect, it } from 'vitest';
import { FrameDelayLine } from '../../src/backtest/frame-delay-line.js';
import { RecordedClock } from '../../src/backtest/recorded-clock.js';

const LATENCY = 5_000;

function frame(index: number): DataView {
  const length = 20 + (index % 61); // lengths not multiples of 4, so the byte tail is copied too
  const view = new DataView(new ArrayBuffer(length));
  for (let i = 0; i < length; i++) view.setUint8(i, (index * 31 + i) & 0xff);
  return view;
}

function popAll(line: FrameDelayLine): { due: number; bytes: number[] }[] {
  const out: { due: number; bytes: number[] }[] = [];
  while (!line.isEmpty) {
    const head = line.head;
    out.push({ due: line.dueNanos[head]!, bytes: [...line.bytes.subarray(line.offsets[head]!, line.offsets[head]! + line.lengths[head]!)] });
    line.pop();
  }
  return out;
}

describe('FrameDelayLine', () => {
  it('hands frames out first in, first out, with their bytes and sent time + latency, past its initial capacity', () => {
    // given: more frames, and more bytes, than the line starts with, none taken out meanwhile
    const clock = new RecordedClock();
    const line = new FrameDelayLine(clock, LATENCY);
    const count = 5_000;
    for (let index = 0; index < count; index++) {
      clock.nanos = 1_000_000 + index;
      const view = frame(index);
      line.push(view, 0, view.byteLength);
    }

    // when
    const out = popAll(line);

    // then
    expect(out).toHaveLength(count);
    out.forEach((entry, index) => {
      expect(entry.due).toBe(1_000_000 + index + LATENCY);
      expect(entry.bytes).toEqual([...new Uint8Array(frame(index).buffer)]);
    });
  });

  it('keeps the frames still in flight when it moves them to the front to make room', () => {
    const clock = new RecordedClock();
    const line = new FrameDelayLine(clock, 0);
    const sent: number[] = [];
    const received: number[] = [];
    // Push 3, pop 2, over and over: the live part keeps moving along and must be compacted.
    for (let index = 0; index < 30_000; index++) {
      const view = frame(index);
      line.push(view, 0, view.byteLength);
      sent.push(index);
      if (index % 3 === 2) {
        for (let pops = 0; pops < 2; pops++) {
          received.push(line.bytes[line.offsets[line.head]!]!);
          line.pop();
        }
      }
    }
    received.push(...popAll(line).map((entry) => entry.bytes[0]!));

    expect(received).toEqual(sent.map((index) => (index * 31) & 0xff));
  });

  it('refuses a negative latency', () => {
    expect(() => new FrameDelayLine(new RecordedClock(), -1)).toThrow('latency must be >= 0 ns: latencyNanos=-1');
  });
});
