/** The tick-to-trade suite's section of RESULTS.md: the latency table, where lost packets went, the sweep, the goals. */
import { formatRate, formatRatio, markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import { lossAccountLines, sendLagLines, sweepLossLines } from './loss-report.js';
import { C_REFERENCE, COPY, ZERO_COPY } from './responders.js';
import { trialsByRate, type LatencyFigures, type ResponderResult, type SavedSweep, type T2tSuiteResult } from './results.js';

/** Relative to bench/, where RESULTS.md is: the chart is committed beside it. */
export const SPECTRUM_SVG = 't2t-spectrum.svg';

export type GoalStatus = 'met' | 'missed' | 'not measured';

export interface GoalCheck {
  goal: string;
  status: GoalStatus;
  /** The numbers behind the verdict, or why there are none. */
  detail: string;
}

/** The responder's latency figures, when it answered anything. */
function latencyOf(result: T2tSuiteResult, name: string): LatencyFigures | undefined {
  const latency = result.responders.find((responder) => responder.name === name)?.latency;
  return latency !== undefined && latency.count > 0 ? latency : undefined;
}

function lossFreeRateOf(result: T2tSuiteResult, name: string): number | null | undefined {
  return result.sweeps.find((sweep) => sweep.receiver === name)?.lossFreeRate;
}

/**
 * Why this loss-free rate is only a lower bound of what the responder sustains, or undefined when
 * it is exact: the exchange could not send more, or in every trial of the lowest rate that lost
 * the exchange fell behind its schedule or the responder was off its core (waiting for it, or
 * taken by the hypervisor) longer than its socket buffer lasts.
 */
function lowerBoundReason(sweep: SavedSweep): string | undefined {
  if (sweep.limitedBySender) return 'the exchange could not send faster';
  if (sweep.failureGeneratorBound === true) return 'the exchange fell behind where it began to lose';
  if (sweep.failurePreempted === true) return 'it was off its core (waiting for it, or taken by the hypervisor) longer than its socket buffer lasts where it began to lose';
  return undefined;
}

/**
 * Loss-free rates are exact when a higher rate lost with the generator on schedule, lower bounds
 * when the generator could not offer more or fell behind where the loss began: a verdict stands
 * only where a bound cannot reverse it.
 */
function lossFreeRateGoal(result: T2tSuiteResult): GoalCheck {
  const goal = 'zero-copy loss-free rate >= 0.9x C reference';
  const reference = result.sweeps.find((sweep) => sweep.receiver === C_REFERENCE);
  const zeroCopy = result.sweeps.find((sweep) => sweep.receiver === ZERO_COPY);
  if (reference?.lossFreeRate == null || zeroCopy?.lossFreeRate == null) {
    return { goal, status: 'not measured', detail: 'no loss-free rate for both (see the sweep)' };
  }
  const ratio = zeroCopy.lossFreeRate / reference.lossFreeRate;
  const referenceBound = lowerBoundReason(reference);
  const zeroCopyBound = lowerBoundReason(zeroCopy);
  const bound = (reason: string | undefined): string => (reason === undefined ? '' : ' (at least)');
  const detail = `${formatRate(zeroCopy.lossFreeRate)}${bound(zeroCopyBound)} vs ${formatRate(reference.lossFreeRate)}${bound(referenceBound)}: ${ratio.toFixed(2)}x`;
  const met = ratio >= 0.9;
  if (met && referenceBound !== undefined && zeroCopyBound === undefined) {
    return { goal, status: 'not measured', detail: `${detail}; the C reference's figure is a lower bound (${referenceBound}), which leaves it open` };
  }
  if (!met && zeroCopyBound !== undefined) {
    return { goal, status: 'not measured', detail: `${detail}; zero-copy's figure is a lower bound (${zeroCopyBound}): it measures the load generator or the machine, not zero-copy` };
  }
  const bothBound = referenceBound !== undefined && zeroCopyBound !== undefined ? `; both figures are lower bounds (C: ${referenceBound}; zero-copy: ${zeroCopyBound})` : '';
  return { goal, status: met ? 'met' : 'missed', detail: `${detail}${bothBound}` };
}

function unavailableReason(result: T2tSuiteResult, name: string): string {
  const responder = result.responders.find((candidate) => candidate.name === name);
  if (responder?.latency !== undefined) return 'no packet answered in time';
  return responder?.unavailable ?? 'did not run';
}

type GoalPercentile = 'p99' | 'p999';

const PERCENTILE_LABELS: Record<GoalPercentile, string> = { p99: 'p99', p999: 'p99.9' };

/** The p99 goal's limit, read round by round as well as over the run. */
const ZERO_COPY_P99_LIMIT = 1.3;

interface PercentileGoal {
  goal: string;
  name: string;
  reference: string;
  percentile: GoalPercentile;
  limit: number;
  /** The goal is `value >= limit x reference` (the copy baseline's), else `<=`. */
  atLeast: boolean;
}

function missingOf(result: T2tSuiteResult, ...names: string[]): string {
  return names.filter((name) => latencyOf(result, name) === undefined).map((name) => `${name}: ${unavailableReason(result, name)}`).join('; ');
}

/** " (over every packet sent, ...)" when either lost packets: what the figures compared mean then. */
function lossCounted(result: T2tSuiteResult, names: readonly string[]): string {
  const lossy = names.map((name) => ({ name, figures: latencyOf(result, name)! })).filter(({ figures }) => figures.lost > 0);
  if (lossy.length === 0) return '';
  return ` (over every packet sent, a lost one counted as never answered: ${lossy.map(({ name, figures }) => `${name} lost ${figures.lost} of ${figures.sent}`).join(', ')})`;
}

/**
 * A ratio of two responders' percentiles over every packet sent: a lost packet counts as never
 * answered, so a responder's losses raise its percentiles instead of leaving them to its
 * survivors. When the lost reach the percentile it has no value: the reference's leaves the goal
 * unjudged, the measured responder's misses a `<=` goal and meets an `>=` one.
 */
function percentileGoal(result: T2tSuiteResult, { goal, name, reference, percentile, limit, atLeast }: PercentileGoal): GoalCheck {
  const figures = latencyOf(result, name);
  const referenceFigures = latencyOf(result, reference);
  if (figures === undefined || referenceFigures === undefined) return { goal, status: 'not measured', detail: missingOf(result, name, reference) };
  if (figures.ofSent === undefined || referenceFigures.ofSent === undefined) return { goal, status: 'not measured', detail: 'run saved before lost packets were counted' };
  const value = figures.ofSent[percentile];
  const base = referenceFigures.ofSent[percentile];
  const counted = lossCounted(result, [name, reference]);
  const label = PERCENTILE_LABELS[percentile];
  if (base === null) return { goal, status: 'not measured', detail: `${reference}'s lost packets reach its ${label}${counted}` };
  if (value === null) return { goal, status: atLeast ? 'met' : 'missed', detail: `${name}'s lost packets reach its ${label}${counted}` };
  const ratio = value / base;
  const met = atLeast ? ratio >= limit : ratio <= limit;
  return { goal, status: met ? 'met' : 'missed', detail: `${value} us vs ${base} us: ${ratio.toFixed(2)}x${counted}` };
}

export function checkGoals(result: T2tSuiteResult): GoalCheck[] {
  const gc = result.zeroCopyWorkerGc;
  return [
    percentileGoal(result, { goal: `zero-copy p99 <= ${ZERO_COPY_P99_LIMIT}x C reference`, name: ZERO_COPY, reference: C_REFERENCE, percentile: 'p99', limit: ZERO_COPY_P99_LIMIT, atLeast: false }),
    percentileGoal(result, { goal: 'zero-copy p99.9 <= 1.6x C reference', name: ZERO_COPY, reference: C_REFERENCE, percentile: 'p999', limit: 1.6, atLeast: false }),
    percentileGoal(result, { goal: 'copy p99 >= 2x zero-copy p99', name: COPY, reference: ZERO_COPY, percentile: 'p99', limit: 2, atLeast: true }),
    lossFreeRateGoal(result),
    gc.runs === null
      ? { goal: 'zero GC in the zero-copy worker during the latency run', status: 'not measured', detail: gc.note }
      : { goal: 'zero GC in the zero-copy worker during the latency run', status: gc.runs === 0 ? 'met' : 'missed', detail: `${gc.runs} GC runs (${gc.note})` },
  ];
}

function ratioCell(value: number | undefined, reference: number | undefined): string {
  return value === undefined || reference === undefined || reference <= 0 ? '-' : formatRatio(value, reference);
}

export const LEFT_OUT = 'left out by ZEROTICK_T2T_RESPONDERS';

function describeUnavailable(reason: string | undefined): string {
  return reason === LEFT_OUT ? reason : `not available yet: ${reason ?? 'did not run'}`;
}

function latencyRow(responder: ResponderResult, reference: LatencyFigures | undefined, copy: LatencyFigures | undefined): string[] {
  const figures = responder.latency;
  if (figures === undefined) return [responder.name, describeUnavailable(responder.unavailable), '', '', '', '', '', '', '', '', ''];
  const loss = figures.lost === 0 ? '0' : `${figures.lost} / ${figures.sent}`;
  if (figures.count === 0) return [responder.name, 'no packet answered in time', '', '', '', '', '', '', loss, '', ''];
  return [
    responder.name,
    String(figures.p50),
    String(figures.p90),
    String(figures.p99),
    String(figures.p999),
    String(figures.p9999),
    String(figures.max),
    formatRate(figures.ordersPerSecond),
    loss,
    `${ratioCell(figures.p99, reference?.p99)} / ${ratioCell(figures.p999, reference?.p999)}`,
    `${ratioCell(figures.p99, copy?.p99)} / ${ratioCell(figures.p999, copy?.p999)}`,
  ];
}

/** "25 k/s, 100 k/s (lost 94, then clean)": each rate once, with its attempts when one lost. */
function describeTrials(sweep: SavedSweep): string {
  return trialsByRate(sweep)
    .map((attempts) => {
      const rate = formatRate(attempts[0]!.offeredRate);
      if (attempts.every((trial) => trial.lost === 0)) return rate;
      return `${rate} (${attempts.map((trial) => (trial.lost > 0 ? `lost ${trial.lost}` : 'clean')).join(', then ')})`;
    })
    .join(', ');
}

function describeAttempts(attempts: number | undefined): string {
  if (attempts === undefined) return 'A lossy trial was repeated once, straight away; the repeat stood:';
  return `A rate passes on its first loss-free trial (noise on a shared machine only adds loss) and fails when all ${attempts} of its trials lost; a lossy trial is repeated after the other responders' trials of the same step:`;
}

function sweepRow(sweep: SavedSweep, referenceRate: number | null | undefined): string[] {
  const rate = sweep.lossFreeRate;
  const trials = describeTrials(sweep);
  return [
    sweep.receiver,
    rate === null ? 'none' : `${formatRate(rate)}${lowerBoundReason(sweep) === undefined ? '' : ` (at least: ${lowerBoundReason(sweep)})`}`,
    rate === null || referenceRate === null || referenceRate === undefined ? '-' : formatRatio(rate, referenceRate),
    trials,
  ];
}

/** An order priced off the touch of its packet means a misread book: said under the table when it happens. */
function priceMismatchLines(responders: readonly ResponderResult[]): string[] {
  return responders
    .filter((responder) => (responder.latency?.priceMismatches ?? 0) > 0)
    .flatMap((responder) => ['', `**${responder.name}: ${responder.latency!.priceMismatches} orders not at the touch of their packet.**`]);
}

export function renderT2tSection(run: SuiteRun<T2tSuiteResult>): string {
  const result = run.result;
  const reference = latencyOf(result, C_REFERENCE);
  const copy = latencyOf(result, COPY);
  const referenceRate = lossFreeRateOf(result, C_REFERENCE);
  const goals = checkGoals(result);
  const files = result.responders.flatMap((responder) => (responder.hgrmPath === undefined ? [] : [`\`${responder.hgrmPath}\``]));
  return [
    `## Tick-to-trade${run.quick ? ' (quick)' : ''}`,
    '',
    `A C exchange (bench/c/t2t_exchange.c) publishes one MDP 3.0 Book46 packet every ${result.latencyIntervalNs / 1000} us and times each packet's order ` +
      'from the packet\'s *intended* send time to the order\'s arrival on its order entry session (coordinated omission corrected). ' +
      (result.settle === undefined ? '' : `Each responder first warmed up alone: at least ${result.settle.minTrials} trials of ${result.settle.packets} packets, until one lost nothing${result.settle.quietSpellMs === 0 ? '' : `, then again after a quiet spell of ${result.settle.quietSpellMs / 1000} s (so a gateway has read the exchange's heartbeats before the rounds, as each round's turn does)`}. `) +
      `Responders interleaved in ${result.rounds} rounds of ${result.packetsPerRound} packets (after ${result.warmUpPackets} warm-up packets each turn), ` +
      `the others frozen meanwhile; ${result.pinning}. A packet without its order ${result.drainMs} ms after its intended send is lost. ` +
      `The suite took ${result.durationSeconds} s; load average at the start: ${run.machine.loadAverage?.toFixed(2) ?? 'unknown'} on ${run.machine.cores} cores.`,
    '',
    markdownTable(
      ['responder', 'p50 (us)', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'orders/s', 'loss', 'p99 / p99.9 vs C', 'p99 / p99.9 vs copy'],
      result.responders.map((responder) => latencyRow(responder, reference, copy)),
      [false, true, true, true, true, true, true, true, true, true, true],
    ),
    '',
    `![tick-to-trade percentile spectrum](${SPECTRUM_SVG})`,
    '',
    `Histograms (.hgrm, .hlog beside them): ${files.join(', ')}.`,
    ...priceMismatchLines(result.responders),
    ...sendLagLines(result.responders),
    ...lossAccountLines(result.responders),
    '',
    `Throughput sweep: rising packet rates (${result.sweepLadder.map(formatRate).join(', ')}, then bisection), ${result.sweepTrialMs} ms per trial, interleaved; the highest rate with every packet answered. ` +
      describeAttempts(result.sweepAttempts),
    '',
    markdownTable(['responder', 'loss-free rate', 'vs C', 'trials'], result.sweeps.map((sweep) => sweepRow(sweep, referenceRate)), [false, true, true, false]),
    ...sweepLossLines(result.sweeps),
    '',
    'Goals (ratios within this run):',
    '',
    ...goals.map((goal) => `- ${goal.status === 'met' ? 'met' : goal.status === 'missed' ? '**missed**' : 'not measured'}: ${goal.goal}: ${goal.detail}`),
    ...pairedRoundLines(reference, latencyOf(result, ZERO_COPY)),
    ...workerGcLines(result.responders),
    ...ownTickToTradeLines(result.responders),
  ].join('\n');
}

/**
 * Each gateway's own tick-to-trade over the latency run: the gateway's part of its figures in the
 * table, which also hold the exchange's lateness and the delivery to the gateway.
 */
function ownTickToTradeLines(responders: readonly ResponderResult[]): string[] {
  const measured = responders.filter((responder) => responder.latency?.ownTickToTrade !== undefined);
  if (measured.length === 0) return [];
  const described = measured.map((responder) => {
    const own = responder.latency!.ownTickToTrade!;
    return `${responder.name} ${own.p99} / ${own.p999} / ${own.p9999} / ${own.max}`;
  });
  return [
    '',
    `Each gateway's own tick-to-trade over the latency run (GET /latency, warm-ups excluded), from the packet's receive time to the return of the order's send, p99 / p99.9 / p99.99 / max in us: ${described.join('; ')}. ` +
      "The receive time is the kernel's timestamp for zero-copy and AF_PACKET; for the copy baseline and the SPSC ring, when the gateway took the packet. What the table shows beyond these figures happened outside the gateway: the exchange's lateness, the delivery, the wait to be read.",
  ];
}

/** Every gateway's worker GC runs over the latency run: the copy baseline's allocate by design, the others' must not. */
function workerGcLines(responders: readonly ResponderResult[]): string[] {
  const counted = responders.filter((responder) => responder.latency?.workerGc !== undefined);
  if (counted.length === 0) return [];
  const described = counted.map((responder) => `${responder.name} ${responder.latency!.workerGc!.runs ?? 'not exposed'}`);
  return ['', `Each gateway's worker GC runs over the latency run (GET /status workerGcCount before and after, warm-ups included): ${described.join(', ')}.`];
}

/**
 * Zero-copy's p99 over the C reference's, round by round: the two turns of a round ran seconds
 * apart, so the spread of these ratios shows how much of the run's ratio is the machine's drift.
 */
function pairedRoundLines(reference: LatencyFigures | undefined, zeroCopy: LatencyFigures | undefined): string[] {
  const rounds = Math.min(reference?.roundP99s.length ?? 0, zeroCopy?.roundP99s.length ?? 0);
  if (rounds === 0) return [];
  const ratios = Array.from({ length: rounds }, (_, round) => zeroCopy!.roundP99s[round]! / reference!.roundP99s[round]!).sort((a, b) => a - b);
  const within = ratios.filter((ratio) => ratio <= ZERO_COPY_P99_LIMIT).length;
  return [
    '',
    `Round by round, zero-copy's p99 over the C reference's in the same round: median ${median(ratios).toFixed(2)}x, from ${ratios[0]!.toFixed(2)}x to ${ratios[rounds - 1]!.toFixed(2)}x; at most ${ZERO_COPY_P99_LIMIT}x in ${within} of ${rounds} rounds.`,
  ];
}
