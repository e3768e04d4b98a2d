/** The I/O suite's section of RESULTS.md: loss-free rates, loss at equal offered loads, drain rates, the recvmmsg goal. */
import { formatPercent, formatRate, formatRatio, markdownTable } from '../lib/markdown.js';
import type { SuiteRun } from '../lib/suite.js';
import { C_RECEIVER, C_RECEIVER_WITH_TIMESTAMPS, NODE_DGRAM, ZEROTICK_RECVMMSG, ZEROTICK_RECVMMSG_WITHOUT_TIMESTAMPS } from './receivers.js';
import type { DrainRate, IoSuiteResult, PayloadSweep } from './results.js';
import type { ReceiverSweep, TrialOutcome } from './sweep.js';

/** Goal of issue 3: zerotick's recvmmsg path takes at least this share of the C loop's loss-free rate. */
const RECVMMSG_GOAL_RATIO = 0.9;

/** Whether a receiver's loss-free rate is only a lower bound, and why. */
function lowerBoundReason(sweep: ReceiverSweep): 'sender limit' | 'top of the ladder' | null {
  if (sweep.limitedBySender) return 'sender limit';
  return sweep.trials.every((trial) => trial.lost === 0) ? 'top of the ladder' : null;
}

function describeRate(sweep: ReceiverSweep): string {
  if (sweep.lossFreeRate === null) return 'lost datagrams at every rate tried';
  const bound = lowerBoundReason(sweep);
  return bound === null ? formatRate(sweep.lossFreeRate) : `>= ${formatRate(sweep.lossFreeRate)} (${bound})`;
}

function renderRates(payload: PayloadSweep): string {
  const reference = payload.sweeps.find((sweep) => sweep.receiver === C_RECEIVER);
  const rows = payload.sweeps.map((sweep) => [
    sweep.receiver,
    describeRate(sweep),
    reference?.lossFreeRate && sweep.lossFreeRate !== null ? formatRatio(sweep.lossFreeRate, reference.lossFreeRate) : 'n/a',
    String(sweep.trials.length),
  ]);
  for (const [name, reason] of Object.entries(payload.unavailable)) {
    rows.push([name, `not available in this build: ${reason}`, 'n/a', '0']);
  }
  return markdownTable(['receiver', 'highest loss-free rate', 'vs C loop', 'trials'], rows, [false, true, true, true]);
}

/** Loss of every receiver at each ladder rate it ran: the "same offered loads" comparison. */
function renderLossAtLadder(payload: PayloadSweep, ladder: readonly number[]): string {
  const names = payload.sweeps.map((sweep) => sweep.receiver);
  const rows: string[][] = [];
  for (const rate of ladder) {
    const cells = payload.sweeps.map((sweep) => {
      const trial = sweep.trials.find((t) => t.offeredRate === rate);
      if (trial === undefined) return '-';
      return `${formatPercent(trial.lost / trial.sent)}${trial.senderBound ? ` (sent ${formatRate(trial.achievedRate)})` : ''}`;
    });
    if (cells.some((cell) => cell !== '-')) rows.push([formatRate(rate), ...cells]);
  }
  return markdownTable(['offered', ...names.map((name) => `${name} loss`)], rows, names.map(() => true).concat(true));
}

export type GoalVerdict = 'met' | 'NOT met' | 'not decidable' | 'not measured';

/**
 * Goal of issue 3, judged only where the data can judge it. A figure that is a lower bound
 * (sender limit, top of the ladder) says only "at least this much": the goal is met when
 * zerotick's figure reaches 0.9x an exact C figure, missed when an exact zerotick figure falls
 * short of 0.9x the C figure, and not decidable otherwise.
 */
export function judgeRecvmmsgGoal(payload: PayloadSweep): { verdict: GoalVerdict; why: string } {
  const c = payload.sweeps.find((sweep) => sweep.receiver === C_RECEIVER);
  const zerotick = payload.sweeps.find((sweep) => sweep.receiver === ZEROTICK_RECVMMSG);
  if (zerotick === undefined || c === undefined) {
    return { verdict: 'not measured', why: payload.unavailable[ZEROTICK_RECVMMSG] ?? payload.unavailable[C_RECEIVER] ?? 'not run' };
  }
  if (zerotick.lossFreeRate === null) return { verdict: 'NOT met', why: 'zerotick lost datagrams at every rate tried' };
  if (c.lossFreeRate === null) return { verdict: 'not decidable', why: 'the C loop lost datagrams at every rate tried' };
  const ratio = zerotick.lossFreeRate / c.lossFreeRate;
  const figures = `zerotick ${describeRate(zerotick)} vs C ${describeRate(c)} = ${ratio.toFixed(2)}x`;
  if (ratio >= RECVMMSG_GOAL_RATIO && lowerBoundReason(c) === null) return { verdict: 'met', why: figures };
  if (ratio < RECVMMSG_GOAL_RATIO && lowerBoundReason(zerotick) === null) return { verdict: 'NOT met', why: figures };
  const openSide = ratio >= RECVMMSG_GOAL_RATIO ? 'C' : 'zerotick';
  return { verdict: 'not decidable', why: `${figures}; a lower bound on the ${openSide} side leaves the ratio open (compare the loss columns at equal offered loads instead)` };
}

function renderGoal(payload: PayloadSweep): string {
  const { verdict, why } = judgeRecvmmsgGoal(payload);
  return `Goal (${payload.payloadBytes} B): zerotick recvmmsg >= ${RECVMMSG_GOAL_RATIO}x the C loop's loss-free rate: ${verdict}: ${why}.`;
}

/**
 * One drain comparison: the ratio of median rates per CPU second (the receiver's own cost, which
 * other work on the shared machine disturbs least), then the best wall-clock rounds.
 */
function compareDrains(drainRates: Record<string, DrainRate | null>, name: string, referenceName: string): { cpuRatio: number | undefined; text: string } | null {
  const rate = drainRates[name];
  const reference = drainRates[referenceName];
  if (rate == null || reference == null) return null;
  const wall = `drain rate (best): ${formatRate(rate.best)} vs ${formatRate(reference.best)} = ${(rate.best / reference.best).toFixed(2)}x`;
  if (rate.cpuMedian === undefined || reference.cpuMedian === undefined) return { cpuRatio: undefined, text: wall };
  const cpuRatio = rate.cpuMedian / reference.cpuMedian;
  return { cpuRatio, text: `per CPU second (median): ${formatRate(rate.cpuMedian)} vs ${formatRate(reference.cpuMedian)} = ${cpuRatio.toFixed(2)}x; ${wall}` };
}

/** The pairs the drain goal compares, each zerotick receiver against C doing the same kernel work per datagram. */
const LIKE_FOR_LIKE: ReadonlyArray<readonly [zerotick: string, c: string]> = [
  [ZEROTICK_RECVMMSG, C_RECEIVER_WITH_TIMESTAMPS],
  [ZEROTICK_RECVMMSG_WITHOUT_TIMESTAMPS, C_RECEIVER],
];

/**
 * Goal of issue 3 judged on drain rates, like for like: zerotick's receive path against a C
 * loop asking the kernel for the same thing, a SO_TIMESTAMPNS control message per datagram
 * (zerotick's default) or none (`timestamps: false`). The kernel's timestamp costs C itself
 * 7-14% (measured 2026-11-26): against the plain loop, zerotick's default would be judged on
 * the kernel's work, not its own. Met when every pair reaches the ratio. Read on the median
 * datagrams per CPU second, not the best wall-clock round: on this shared 2-core machine the
 * wall clock also counts the time other benchmarks held the core.
 */
export function judgeDrainGoal(drainRates: Record<string, DrainRate | null>): { verdict: GoalVerdict; why: string } {
  const pairs = LIKE_FOR_LIKE.map(([zerotick, c]) => ({ zerotick, c, comparison: compareDrains(drainRates, zerotick, c) }));
  const measured = pairs.filter((pair) => pair.comparison?.cpuRatio !== undefined);
  if (measured.length < pairs.length) {
    const missing = pairs.filter((pair) => !measured.includes(pair)).map((pair) => `${pair.zerotick} vs ${pair.c}`);
    return { verdict: 'not measured', why: `no drain rate per CPU second for ${missing.join(' and ')}` };
  }
  const met = measured.every((pair) => pair.comparison!.cpuRatio! >= RECVMMSG_GOAL_RATIO);
  return { verdict: met ? 'met' : 'NOT met', why: measured.map((pair) => `${pair.zerotick} vs ${pair.c}: ${pair.comparison!.text}`).join('; ') };
}

function describeDrainBacklog(payload: PayloadSweep, result: IoSuiteResult): string {
  const backlog = payload.drainBacklog;
  const rounds = `${result.drainRounds} rounds${result.drainWarmupRounds === undefined ? '' : ` after ${result.drainWarmupRounds} warm-up rounds`}`;
  if (backlog === undefined) return `${result.drainDatagrams} datagrams (records) queued while the receiver is idle; ${rounds}`;
  const memory = `Every receiver is started afresh for it with ${formatMebibytes(backlog.requestedBufferBytes)} to hold the backlog: SO_RCVBUF asked by SO_RCVBUFFORCE, which net.core.rmem_max does not cap (the kernel grants a socket twice its request), and rings of that size; as the receivers reported, ${describeGrants(backlog.bufferBytes)}`;
  const fallback = backlog.fellBack
    ? ` Some receiver got less than that (SO_RCVBUFFORCE needs CAP_NET_ADMIN; SO_RCVBUF is capped by rmem_max): ${Object.entries(backlog.bufferBytes).filter(([, bytes]) => bytes < backlog.requestedBufferBytes).map(([name, bytes]) => `${name} ${formatMebibytes(bytes)}`).join(', ')}, so the backlog is only what 4 MiB holds.`
    : '';
  return `${backlog.datagrams} datagrams (records) queued while the receiver is idle; ${rounds}. ${memory}.${fallback}`;
}

/** "1057 + 13 ns": kernel and user CPU time per datagram. */
function describeCpuSplit(rate: DrainRate | null): string {
  if (rate?.systemNsPerDatagram === undefined || rate.userNsPerDatagram === undefined) return 'n/a';
  return `${rate.systemNsPerDatagram.toFixed(0)} + ${rate.userNsPerDatagram.toFixed(0)} ns`;
}

/** "128 MiB: A, B; 64 MiB: C": receivers grouped by the memory they got. */
function describeGrants(bufferBytes: Record<string, number>): string {
  const byGrant = new Map<number, string[]>();
  for (const [name, bytes] of Object.entries(bufferBytes)) byGrant.set(bytes, [...(byGrant.get(bytes) ?? []), name]);
  return [...byGrant].map(([bytes, names]) => `${formatMebibytes(bytes)}: ${names.join(', ')}`).join('; ');
}

function formatMebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

/** Drain rates (the receiver's own capacity, sender out of the way) and the goal judged on them. */
function renderDrainRates(payload: PayloadSweep, result: IoSuiteResult): string[] {
  const drainRates = payload.drainRates;
  if (drainRates === undefined) return [];
  const reference = drainRates[C_RECEIVER] ?? null;
  const rows = Object.entries(drainRates).map(([name, rate]) => [
    name,
    rate === null ? 'backlog never fully arrived' : formatRate(rate.best),
    rate === null ? 'n/a' : formatRate(rate.median),
    rate === null || reference === null ? 'n/a' : formatRatio(rate.best, reference.best),
    rate?.cpuMedian === undefined ? 'n/a' : formatRate(rate.cpuMedian),
    rate?.cpuMedian === undefined || reference?.cpuMedian === undefined ? 'n/a' : formatRatio(rate.cpuMedian, reference.cpuMedian),
    describeCpuSplit(rate),
  ]);
  const { verdict, why } = judgeDrainGoal(drainRates);
  const againstPlainLoop = compareDrains(drainRates, ZEROTICK_RECVMMSG, C_RECEIVER);
  const timestampCost = compareDrains(drainRates, C_RECEIVER_WITH_TIMESTAMPS, C_RECEIVER);
  return [
    `Drain rate: ${describeDrainBacklog(payload, result)} Each round queues the backlog, then the receiver reads it as fast as it can, first poll to last datagram; receivers interleaved round by round. The sender is out of the way, so this is each receiver's own capacity (node:dgram reads continuously and cannot hold a backlog). Per CPU second: the same datagrams over the receiving thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which leaves out the time the scheduler gave the core to others: on a shared machine its ratios hold where wall-clock ones wander, so the goal is judged on its medians. CPU per datagram: the same thread's time split into kernel and user space (getrusage RUSAGE_THREAD, summed over all rounds; the kernel samples the split at each timer tick, so a few ns of user time are within its grain), which says on which side of the system call a difference lies.`,
    '',
    markdownTable(
      ['receiver', 'drain rate (best)', 'drain rate (median)', 'best vs C loop', 'per CPU second (median)', 'per CPU second vs C loop', 'CPU per datagram: kernel + user'],
      rows,
      [false, true, true, true, true, true, true],
    ),
    '',
    `Goal (${payload.payloadBytes} B) on drain rate per CPU second (median), like for like: zerotick recvmmsg >= ${RECVMMSG_GOAL_RATIO}x a C loop doing the same kernel work per datagram (with its default SO_TIMESTAMPNS control message against C asking for it too; with \`timestamps: false\` against the plain C loop): ${verdict}: ${why}.`,
    ...(timestampCost === null ? [] : ['', `What the kernel's receive timestamp costs by itself: the C loop with SO_TIMESTAMPNS against the C loop without: ${timestampCost.text}.`]),
    ...(againstPlainLoop === null ? [] : ['', `zerotick recvmmsg with its default timestamps against the plain C loop, which asks for none: ${againstPlainLoop.text}.`]),
  ];
}

/** node:dgram's loss at the highest offered load zerotick recvmmsg took without loss: the headline comparison. */
function renderDgramAtZerotickLoad(payload: PayloadSweep): string | undefined {
  const zerotick = payload.sweeps.find((sweep) => sweep.receiver === ZEROTICK_RECVMMSG);
  const dgram = payload.sweeps.find((sweep) => sweep.receiver === NODE_DGRAM);
  if (zerotick === undefined || dgram === undefined) return undefined;
  const cleanRates = zerotick.trials.filter((trial) => trial.lost === 0).map((trial) => trial.offeredRate);
  const shared = dgram.trials.filter((trial) => cleanRates.includes(trial.offeredRate));
  const highest = shared.reduce<TrialOutcome | undefined>((best, trial) => (best === undefined || trial.offeredRate > best.offeredRate ? trial : best), undefined);
  if (highest === undefined) return undefined;
  const zerotickTrial = zerotick.trials.find((trial) => trial.lost === 0 && trial.offeredRate === highest.offeredRate)!;
  return `At ${formatRate(highest.offeredRate)} offered, the highest load both ran at where zerotick recvmmsg lost nothing, node:dgram lost ${formatPercent(highest.lost / highest.sent)} (${highest.lost} of ${highest.sent}; the sender delivered ${formatRate(highest.achievedRate)} to node:dgram and ${formatRate(zerotickTrial.achievedRate)} to zerotick).`;
}

function renderPayload(payload: PayloadSweep, result: IoSuiteResult): string[] {
  const lines: string[] = [];
  if (payload.senderCeiling !== undefined) {
    const perDatagram = payload.perDatagramSenderCeiling === undefined
      ? ''
      : `; one datagram per message (sendmmsg, what the TPACKET rings are sent): ${formatRate(payload.perDatagramSenderCeiling)}`;
    lines.push(`The sender alone, flat out into a socket nobody reads: ${formatRate(payload.senderCeiling)} by UDP GSO (what the socket receivers are sent)${perDatagram}.`, '');
  }
  lines.push(
    renderRates(payload),
    '',
    'Loss at the same offered loads (each receiver\'s trial at that ladder rate; "-": not run because it had already lost at a lower rate):',
    '',
    renderLossAtLadder(payload, result.ladder),
    '',
    renderGoal(payload),
  );
  const dgramLine = renderDgramAtZerotickLoad(payload);
  if (dgramLine !== undefined) lines.push('', dgramLine);
  const drain = renderDrainRates(payload, result);
  if (drain.length > 0) lines.push('', ...drain);
  return lines;
}

export function renderIoSection(suiteRun: SuiteRun<IoSuiteResult>): string {
  const result = suiteRun.result;
  const lines = [
    '## I/O: loss-free receive rate and drain rate on loopback (bench/io)',
    '',
    `Run ${suiteRun.machine.date}${suiteRun.quick ? ' (--quick)' : ''}, load average ${suiteRun.machine.loadAverage?.toFixed(2) ?? 'unknown'} at start. ${result.pinning}. Each receiver is its own process, started once and idle between trials; trials of all receivers are interleaved at each offered rate (a rising x2 ladder from ${formatRate(result.ladder[0]!)}, then ${result.bisectionSteps} bisection steps per receiver). A trial offers ${result.trialDurationMs} ms of datagrams from bench/c/udp_sender.c (busy-wait paced on CLOCK_MONOTONIC, sequence number in each datagram); loss = sent - received. On loopback the sender pays for each datagram's delivery too, several times what reading it costs, so socket receivers are sent each turn's datagrams as one UDP GSO message (UDP_SEGMENT, split into the same datagrams on delivery to the socket); the TPACKET rings, which would see that message as one unsplit packet on lo, get one datagram per message (sendmmsg, up to 64 a call). In this sweep, SO_RCVBUF ${result.receiveBufferBytes / 1024 / 1024} MiB is requested for every socket, batches of ${result.batch}. The TPACKET rings get the same ${result.receiveBufferBytes / 1024 / 1024} MiB as 2 KiB frames on lo (BPF filter on the port; a never-read UDP socket holds the port). The SPSC ring (capacity ${result.receiveBufferBytes / 1024 / 1024} MiB) is fed by a TypeScript producer process at the same rates; a record that finds the ring full is dropped and counted lost. A rate counts as lossy when a retry at that rate loses too. "Sender limit": the sender could not offer more on this machine, so the figure is a lower bound; "top of the ladder": no loss at the highest rate tried.`,
  ];
  for (const payload of result.payloads) {
    lines.push('', `### ${payload.payloadBytes}-byte payloads`, '', ...renderPayload(payload, result));
  }
  return lines.join('\n');
}
