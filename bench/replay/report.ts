/** The replay suite's section of RESULTS.md, with issue 7's two goals judged on the run's medians. */
import { SPIN_WINDOW_NS, TIMER_SLEEP_THRESHOLD_NS } from '../../src/replay/pacing-clock.js';
import { formatRate, formatRatio, markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import { REALISTIC_GAPS, type GapBand } from './captures.js';
import { MAX_SPEED_SENDERS, type MaxSpeedResult, type MaxSpeedSender, type PacedResult, type PacedRound, type ReplaySuiteResult, type Scheduling, type ThroughputRun } from './results.js';

/** At max speed: at least this many 100-byte datagrams per second. */
export const MAX_SPEED_GOAL_PPS = 1_000_000;
/** At 1x: pacing error p99 below this. */
export const PACING_GOAL_P99_NANOS = 20_000;

export interface ThroughputVerdict {
  /** Median packets/s of each sender that ran. */
  medians: Partial<Record<MaxSpeedSender, number>>;
  met: boolean;
}

export function judgeMaxSpeed(result: MaxSpeedResult): ThroughputVerdict {
  const medians: Partial<Record<MaxSpeedSender, number>> = {};
  for (const sender of MAX_SPEED_SENDERS) {
    const rates = result.runs.filter((run) => run.sender === sender).map((run) => run.packetsPerSecond);
    if (rates.length > 0) medians[sender] = median(rates);
  }
  return { medians, met: (medians.zerotick ?? 0) >= MAX_SPEED_GOAL_PPS };
}

export interface PacingVerdict {
  scheduling: Scheduling;
  /** Median over rounds of each round's p99. */
  p99Nanos: number;
  met: boolean;
  /** Medians over rounds of the C wait-only floor's and the C sender's p99 under the same scheduling; undefined when not run. */
  floorP99Nanos: number | undefined;
  cSenderP99Nanos: number | undefined;
}

function medianOfMeasured(values: ReadonlyArray<number | undefined>): number | undefined {
  const measured = values.filter((value): value is number => value !== undefined);
  return measured.length === 0 ? undefined : median(measured);
}

/** One verdict per scheduling that ran: the median round's p99 against the goal. */
export function judgePacing(rounds: readonly PacedRound[]): PacingVerdict[] {
  const schedulings = [...new Set(rounds.map((round) => round.scheduling))];
  return schedulings.map((scheduling) => {
    const scheduled = rounds.filter((round) => round.scheduling === scheduling);
    const p99Nanos = median(scheduled.map((round) => round.p99Nanos));
    return {
      scheduling,
      p99Nanos,
      met: p99Nanos < PACING_GOAL_P99_NANOS,
      floorP99Nanos: medianOfMeasured(scheduled.map((round) => round.floorP99Nanos)),
      cSenderP99Nanos: medianOfMeasured(scheduled.map((round) => round.cSenderP99Nanos)),
    };
  });
}

const SCHEDULING_DESCRIPTIONS: Record<Scheduling, string> = {
  shared: 'sending thread shared with the machine\'s other work (ordinary scheduling)',
  realtime: 'sending thread SCHED_FIFO (stands in for an isolated core)',
};

/** "97% 10-50 us (busy-wait)": a band of the paced file's gaps, and how the replayer waits them. */
function describeGapBand(band: GapBand): string {
  const waits = band.maxNs <= SPIN_WINDOW_NS ? 'busy-wait' : band.maxNs <= TIMER_SLEEP_THRESHOLD_NS ? 'kernel sleep, then busy-wait' : 'timer, kernel sleep, busy-wait';
  const range = band.minNs >= 1e6 ? `${band.minNs / 1e6}-${band.maxNs / 1e6} ms` : `${band.minNs / 1e3}-${band.maxNs / 1e3} us`;
  return `${band.perMille / 10}% ${range} (${waits})`;
}

function micros(nanos: number): string {
  return (nanos / 1000).toFixed(1);
}

function metOrMissed(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

const SENDER_COLUMNS: Record<MaxSpeedSender, string> = {
  zerotick: 'zerotick replay --speed max',
  tcpreplay: 'tcpreplay --topspeed -K',
  'c-sendmmsg': 'C sendmmsg (reference)',
  'c-gso': 'C UDP GSO (reference)',
};

/** "zerotick at 1.05x of tcpreplay" for each sender beside zerotick that ran, or why it did not. */
function comparisons(result: MaxSpeedResult, medians: ThroughputVerdict['medians']): string[] {
  const zerotick = medians.zerotick ?? 0;
  return MAX_SPEED_SENDERS.filter((sender) => sender !== 'zerotick').map((sender) => {
    const rate = medians[sender];
    if (rate === undefined) return `- ${SENDER_COLUMNS[sender]}: not measured: ${result.unavailable[sender] ?? 'no runs'}`;
    return `- ${SENDER_COLUMNS[sender]}: median ${formatRate(rate)}; zerotick at ${formatRatio(zerotick, rate)} of it`;
  });
}

/** "100.0%" when every sender's datagrams all reached UDP, else the lowest run's share and whose. */
function deliveredShare(result: MaxSpeedResult): string {
  const lowest = result.runs.reduce<ThroughputRun | undefined>(
    (worst, run) => (worst === undefined || run.delivered / run.packets < worst.delivered / worst.packets ? run : worst),
    undefined,
  );
  if (lowest === undefined) return 'none';
  const share = `${((100 * lowest.delivered) / lowest.packets).toFixed(1)}%`;
  return lowest.delivered >= lowest.packets ? share : `as little as ${share} (${lowest.sender}, round ${lowest.round})`;
}

/** At max speed zerotick sends by UDP GSO, as the C GSO reference does: the ratio between them is what the TypeScript side costs. */
function gsoNote(medians: ThroughputVerdict['medians']): string[] {
  const gso = medians['c-gso'];
  if (gso === undefined) return [];
  return [
    '',
    `zerotick sends runs of equal-length datagrams by UDP GSO (src/io/udp-sender.ts sendSegmented), as the C GSO reference does, and runs at ${formatRatio(medians.zerotick ?? 0, gso)} of it; ` +
      "a short run also pays V8's compilation of the send loop on the pinned core.",
  ];
}

function renderMaxSpeed(result: MaxSpeedResult): string[] {
  const verdict = judgeMaxSpeed(result);
  const rounds = [...new Set(result.runs.map((run) => run.round))];
  const rows = rounds.map((round) => [
    String(round),
    ...MAX_SPEED_SENDERS.map((sender) => {
      const run = result.runs.find((candidate) => candidate.round === round && candidate.sender === sender);
      return run === undefined ? '-' : formatRate(run.packetsPerSecond);
    }),
  ]);
  return [
    `### Max speed: ${result.filePackets} datagrams x ${result.loops} pass${result.loops === 1 ? '' : 'es'} per run`,
    '',
    `**zerotick replay --speed max: median ${formatRate(verdict.medians.zerotick ?? 0)} (goal >= ${formatRate(MAX_SPEED_GOAL_PPS)}: ${metOrMissed(verdict.met)}).** In the same run:`,
    '',
    ...comparisons(result, verdict.medians),
    ...gsoNote(verdict.medians),
    '',
    'The C references send as many datagrams without a file: sendmmsg (64 a call), as zerotick did before GSO, and UDP GSO (UDP_SEGMENT, 64 datagrams a sendmsg, one pass down the stack for them all). ' +
      `Datagrams that reached the sink socket, over all runs: ${deliveredShare(result)} of those sent.`,
    '',
    markdownTable(['round', ...MAX_SPEED_SENDERS.map((sender) => SENDER_COLUMNS[sender])], rows, [true, true, true, true, true]),
  ];
}

function renderPacing(result: PacedResult): string[] {
  const verdicts = judgePacing(result.rounds);
  const lines = verdicts.map(
    (verdict) =>
      `- ${SCHEDULING_DESCRIPTIONS[verdict.scheduling]}: median p99 ${micros(verdict.p99Nanos)} us (goal < ${micros(PACING_GOAL_P99_NANOS)} us: ${metOrMissed(verdict.met)})` +
      (verdict.floorP99Nanos === undefined ? '' : `; in C on the same core, waiting only: ${micros(verdict.floorP99Nanos)} us`) +
      (verdict.cSenderP99Nanos === undefined ? '' : `, sending each datagram by sendto: ${micros(verdict.cSenderP99Nanos)} us`),
  );
  if (result.realtimeUnavailable !== undefined) lines.push(`- real-time rounds not run: ${result.realtimeUnavailable}`);
  if (result.floorUnavailable !== undefined) lines.push(`- C wait-only floor not measured: ${result.floorUnavailable}`);
  // The least disturbed rounds say best what the kernel's share is.
  const quietest: Scheduling = result.rounds.some((round) => round.scheduling === 'realtime') ? 'realtime' : 'shared';
  const sendP99 = median(result.rounds.filter((round) => round.scheduling === quietest).map((round) => round.sendP99Nanos));
  if (sendP99 >= PACING_GOAL_P99_NANOS) {
    lines.push(`- the send call alone has a median p99 of ${micros(sendP99)} us in the ${quietest} rounds: more than the goal before any waiting, on this machine at this load`);
  }
  const rows = result.rounds.map((round) => [
    String(round.round),
    round.scheduling,
    micros(round.p50Nanos),
    micros(round.p99Nanos),
    micros(round.maxNanos),
    micros(round.sendP99Nanos),
    round.floorP99Nanos === undefined ? '-' : micros(round.floorP99Nanos),
    round.cSenderP99Nanos === undefined ? '-' : micros(round.cSenderP99Nanos),
    `${round.sends}`,
    String(round.preemptions),
    String(round.collections),
  ]);
  return [
    `### 1x: ${result.filePackets} datagrams over ${(result.fileSpanNs / 1e9).toFixed(2)} s of capture per round`,
    '',
    `Gaps: ${REALISTIC_GAPS.map(describeGapBand).join(', ')}. ` +
      'Pacing error = clock read after sendmmsg returned - scheduled time, the replayer\'s own histogram; a warm-up pass first, not shown. ' +
      'Send call = the end of the wait to sendmmsg\'s return (loopback delivery included): the kernel\'s share of the error. Preemptions: of the sending thread. GCs: collections that started during the round. ' +
      'C wait-only: pacing_floor.c right after, waiting the same deadlines the same way under the same scheduling and sending nothing: the lateness this core imposes on any sender. ' +
      'C sender: the same, sending each datagram by sendto when due (one call per datagram) and reading the time after it, as the replayer does.',
    '',
    '**Pacing error p99 at 1x:**',
    '',
    ...lines,
    '',
    markdownTable(['round', 'sending thread', 'p50 (us)', 'p99 (us)', 'max (us)', 'send call p99 (us)', 'C wait-only p99 (us)', 'C sender p99 (us)', 'sendmmsg calls', 'preemptions', 'GCs'], rows, [true, false, true, true, true, true, true, true, true, true, true]),
  ];
}

export function renderReplaySection(run: SuiteRun<ReplaySuiteResult>): string {
  const result = run.result;
  return [
    `## Replay: top speed and pacing${run.quick ? ' (quick)' : ''}`,
    '',
    `Datagrams of ${result.payloadBytes} bytes of UDP payload to ${result.destination} (this host), into a sink socket that is never read; ${result.pinning}. ` +
      `Load average at the start: ${run.machine.loadAverage?.toFixed(2) ?? 'unknown'} on ${run.machine.cores} cores.`,
    '',
    ...renderMaxSpeed(result.maxSpeed),
    '',
    ...renderPacing(result.paced),
  ].join('\n');
}
