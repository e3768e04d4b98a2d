/** The replay suite's section of RESULTS.md, with issue 7's two goals judged on the run's medians. */
import { formatRate, formatRatio, markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import type { MaxSpeedResult, PacedResult, PacedRound, ReplaySuiteResult, Scheduling, ThroughputRun } from './results.js';

/** At max speed: at least this many 100-byte datagrams per second. */
export const MAX_SPEED_GOAL_PPS = 1_000_000;
/** At 1x: pacing error p99 below this. */
export const PACING_GOAL_P99_NANOS = 20_000;

export interface ThroughputVerdict {
  zerotickPps: number;
  /** Undefined when tcpreplay did not run. */
  tcpreplayPps: number | undefined;
  met: boolean;
}

export function judgeMaxSpeed(result: MaxSpeedResult): ThroughputVerdict {
  const rateOf = (tool: ThroughputRun['tool']): number | undefined => {
    const rates = result.runs.filter((run) => run.tool === tool).map((run) => run.packetsPerSecond);
    return rates.length === 0 ? undefined : median(rates);
  };
  const zerotickPps = rateOf('zerotick') ?? 0;
  return { zerotickPps, tcpreplayPps: rateOf('tcpreplay'), met: zerotickPps >= MAX_SPEED_GOAL_PPS };
}

export interface PacingVerdict {
  scheduling: Scheduling;
  /** Median over rounds of each round's p99. */
  p99Nanos: number;
  met: boolean;
}

/** One verdict per scheduling that ran: the median round's p99 against the goal. */
export function judgePacing(rounds: readonly PacedRound[]): PacingVerdict[] {
  const schedulings = [...new Set(rounds.map((round) => round.scheduling))];
  return schedulings.map((scheduling) => {
    const p99Nanos = median(rounds.filter((round) => round.scheduling === scheduling).map((round) => round.p99Nanos));
    return { scheduling, p99Nanos, met: p99Nanos < PACING_GOAL_P99_NANOS };
  });
}

const SCHEDULING_DESCRIPTIONS: Record<Scheduling, string> = {
  shared: 'sending thread shared with the machine\'s other work (ordinary scheduling)',
  realtime: 'sending thread SCHED_FIFO (stands in for an isolated core)',
};

function micros(nanos: number): string {
  return (nanos / 1000).toFixed(1);
}

function metOrMissed(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

function renderMaxSpeed(result: MaxSpeedResult): string[] {
  const verdict = judgeMaxSpeed(result);
  const comparison = verdict.tcpreplayPps === undefined
    ? `tcpreplay not measured: ${result.tcpreplayUnavailable ?? 'no runs'}.`
    : `tcpreplay --topspeed ${formatRate(verdict.tcpreplayPps)} in the same run: zerotick at ${formatRatio(verdict.zerotickPps, verdict.tcpreplayPps)} of tcpreplay.`;
  const rounds = [...new Set(result.runs.map((run) => run.round))];
  const rows = rounds.map((round) => {
    const zerotick = result.runs.find((run) => run.round === round && run.tool === 'zerotick');
    const tcpreplay = result.runs.find((run) => run.round === round && run.tool === 'tcpreplay');
    return [
      String(round),
      zerotick === undefined ? '-' : formatRate(zerotick.packetsPerSecond),
      tcpreplay === undefined ? 'not run' : formatRate(tcpreplay.packetsPerSecond),
      zerotick === undefined || tcpreplay === undefined ? '-' : formatRatio(zerotick.packetsPerSecond, tcpreplay.packetsPerSecond),
    ];
  });
  return [
    `### Max speed: ${result.filePackets} datagrams x ${result.loops} passes per run`,
    '',
    `**zerotick replay --speed max: median ${formatRate(verdict.zerotickPps)} (goal >= ${formatRate(MAX_SPEED_GOAL_PPS)}: ${metOrMissed(verdict.met)}). ${comparison}**`,
    '',
    markdownTable(['round', 'zerotick replay --speed max', 'tcpreplay --topspeed -K', 'zerotick / tcpreplay'], rows, [true, true, true, true]),
  ];
}

function renderPacing(result: PacedResult): string[] {
  const verdicts = judgePacing(result.rounds);
  const lines = verdicts.map(
    (verdict) => `- ${SCHEDULING_DESCRIPTIONS[verdict.scheduling]}: median p99 ${micros(verdict.p99Nanos)} us (goal < ${micros(PACING_GOAL_P99_NANOS)} us: ${metOrMissed(verdict.met)})`,
  );
  if (result.realtimeUnavailable !== undefined) lines.push(`- real-time rounds not run: ${result.realtimeUnavailable}`);
  const rows = result.rounds.map((round) => [
    String(round.round),
    round.scheduling,
    micros(round.p50Nanos),
    micros(round.p99Nanos),
    micros(round.maxNanos),
    `${round.sends}`,
    String(round.preemptions),
  ]);
  return [
    `### 1x: ${result.filePackets} datagrams over ${(result.fileSpanNs / 1e9).toFixed(2)} s of capture per round`,
    '',
    'Gaps: 97% 10-50 us (busy-wait), 2.5% 100-900 us (futex, then busy-wait), 0.5% 1-5 ms (timer, futex, busy-wait). ' +
      'Pacing error = clock read after sendmmsg returned - scheduled time, the replayer\'s own histogram; a warm-up pass first, not shown.',
    '',
    '**Pacing error p99 at 1x:**',
    '',
    ...lines,
    '',
    markdownTable(['round', 'sending thread', 'p50 (us)', 'p99 (us)', 'max (us)', 'sendmmsg calls', 'preemptions'], rows, [true, false, true, true, true, true, true]),
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
