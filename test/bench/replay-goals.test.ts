import { describe, expect, it } from 'vitest';
import { judgeMaxSpeed, judgePacing } from '../../bench/replay/report.js';
import type { MaxSpeedResult, PacedRound, Scheduling, ThroughputRun } from '../../bench/replay/results.js';

function run(round: number, sender: ThroughputRun['sender'], packetsPerSecond: number): ThroughputRun {
  return { round, sender, packets: 1000, packetsPerSecond, delivered: 1000 };
}

function paced(round: number, scheduling: Scheduling, p99Nanos: number): PacedRound {
  return { round, scheduling, packets: 1000, sends: 900, p50Nanos: 5_000, p99Nanos, maxNanos: p99Nanos * 2, sendP99Nanos: 4_000, preemptions: 0, collections: 0, floorP99Nanos: undefined, cSenderP99Nanos: undefined };
}

describe('the max-speed goal (>= 1 M datagrams/s)', () => {
  it("judges zerotick's median round, and gives every other sender's median beside it", () => {
    // given: one slow round each, which the median leaves out
    const result: MaxSpeedResult = {
      runs: [run(0, 'zerotick', 1_100_000), run(0, 'tcpreplay', 900_000), run(1, 'zerotick', 200_000), run(1, 'tcpreplay', 100_000), run(2, 'zerotick', 1_050_000), run(2, 'tcpreplay', 950_000)],
      filePackets: 1000,
      loops: 1,
      unavailable: { 'c-sendmmsg': 'no compiler', 'c-gso': 'no compiler' },
    };
    // when
    const verdict = judgeMaxSpeed(result);
    // then
    expect(verdict).toEqual({ medians: { zerotick: 1_050_000, tcpreplay: 900_000 }, met: true });
  });

  it('is missed below 1 M/s', () => {
    const result: MaxSpeedResult = { runs: [run(0, 'zerotick', 999_999)], filePackets: 1000, loops: 1, unavailable: {} };
    expect(judgeMaxSpeed(result).met).toBe(false);
  });
});

describe('the pacing goal (p99 < 20 us at 1x)', () => {
  it('judges each scheduling on the median of its rounds p99', () => {
    const rounds = [paced(0, 'shared', 900_000), paced(0, 'realtime', 12_000), paced(1, 'realtime', 19_999), paced(1, 'shared', 30_000), paced(2, 'shared', 40_000), paced(2, 'realtime', 80_000)];
    expect(judgePacing(rounds)).toEqual([
      { scheduling: 'shared', p99Nanos: 40_000, met: false, floorP99Nanos: undefined, cSenderP99Nanos: undefined },
      { scheduling: 'realtime', p99Nanos: 19_999, met: true, floorP99Nanos: undefined, cSenderP99Nanos: undefined },
    ]);
  });

  it("gives the C floor's and C sender's median p99 beside each scheduling's, from the rounds that measured them", () => {
    const rounds = [
      { ...paced(0, 'realtime', 50_000), floorP99Nanos: 15_000, cSenderP99Nanos: 90_000 },
      { ...paced(1, 'realtime', 60_000), floorP99Nanos: 17_000, cSenderP99Nanos: 70_000 },
      paced(2, 'realtime', 70_000),
    ];
    expect(judgePacing(rounds)).toEqual([{ scheduling: 'realtime', p99Nanos: 60_000, met: false, floorP99Nanos: 16_000, cSenderP99Nanos: 80_000 }]);
  });
});
