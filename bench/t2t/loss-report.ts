/** RESULTS.md lines that say where lost packets went: the latency run's, and the sweep's deciding losses. */
import { formatRate, markdownTable } from '../lib/markdown.js';
import { generatorFellBehind, LATE_SEND_NS, milliseconds, responderPreempted, type LossAccount } from './loss-account.js';
import { decidingFailure, type ResponderResult, type SavedSweep } from './results.js';

/** Lossy rounds listed in a cell before "and N more". */
const ROUNDS_LISTED = 6;

function countCell(count: number | null): string {
  return count === null ? '-' : String(count);
}

function refusedCell(account: LossAccount): string {
  if (account.refused === null) return '-';
  const reasons = Object.entries(account.refused).map(([reason, count]) => `${count} ${reason}`);
  return reasons.length === 0 ? '0' : reasons.join(', ');
}

/** The exchange's side in one cell: packets sent late, the worst lag, its wait for CPU. */
function exchangeCell(account: LossAccount): string {
  const lostOfThem = account.lostSentLate > 0 ? ` (${account.lostSentLate} of the lost)` : '';
  return `${account.sentLate} late${lostOfThem}, max ${milliseconds(account.maxSendLagNs)}, waited ${milliseconds(account.exchangeRunQueueWaitNs)}`;
}

/** The responder's wait for its core, how many preemptions it took, how often it slept, and the core's steal time, beside how long its socket buffer lasts at the rate. */
function responderCell(account: LossAccount): string {
  if (account.responderRunQueueWaitNs === null) return '-';
  const waited = `${milliseconds(account.responderRunQueueWaitNs)} / ${account.responderPreemptions} / ${account.responderSleeps ?? '-'} / ${milliseconds(account.coreStealNs)}`;
  return account.socketBufferNs === null ? waited : `${waited} (buffer ${milliseconds(account.socketBufferNs)})`;
}

/** What outside the responder's code may explain a lossy trial. */
function causesBesidesResponder(account: LossAccount): string[] {
  return [generatorFellBehind(account) ? 'exchange behind' : '', responderPreempted(account) ? 'responder preempted' : ''].filter((cause) => cause !== '');
}

function noiseCell(account: LossAccount): string {
  return causesBesidesResponder(account).join(', ') || 'none';
}

/** The count columns shared by both tables: lost, then where they went. */
function whereCells(account: LossAccount): string[] {
  return [String(account.lost), String(account.notSent), countCell(account.feedDrops), refusedCell(account), String(account.unexplained)];
}

const WHERE_HEADERS = ['lost', 'never sent', 'dropped before read', 'refused by the gateway', 'no order by trial end'];

const HOW_COUNTED =
  `Never sent: the exchange's count of refused sends. Dropped before read: the kernel's drop count of the responder's UDP socket (/proc/net/udp, for the C and gateway responders alike), the gateway's source drops (GET /status, the AF_PACKET ring's), or the exchange's count of packets a full SPSC ring refused. Refused: the gateway's rejects by reason (GET /status). ` +
  `Exchange: packets sent more than ${LATE_SEND_NS / 1000} us after their intended time, the worst lag, its wait for CPU (schedstat). Responder wait: the run-queue wait of the thread spinning on the measured core (schedstat) / the times it was preempted / the times it slept (voluntary context switches: a spinning thread that sleeps waits for something, a lock or a page) / the measured core's steal time (/proc/stat, in 10 ms ticks: the hypervisor ran something else on it, and the guest sees neither a preemption nor a sleep), beside how long its socket buffer holds the offered rate: a responder off its core longer than that at once loses packets however fast its code ("responder preempted").`;

function lossyRoundsCell(responder: ResponderResult): string {
  const rounds = responder.latency?.lossyRounds ?? [];
  if (rounds.length === 0) return '-';
  const listed = rounds.slice(0, ROUNDS_LISTED).map(({ round, account }) => {
    const causes = causesBesidesResponder(account);
    return `${round}: ${account.lost}${causes.length === 0 ? '' : ` ${causes.join(', ')}`}`;
  });
  return `${rounds.length} of the rounds (${listed.join(', ')}${rounds.length > ROUNDS_LISTED ? `, and ${rounds.length - ROUNDS_LISTED} more` : ''})`;
}

/** The exchange's lateness during each responder's latency trials, when the run recorded it. */
export function sendLagLines(responders: readonly ResponderResult[]): string[] {
  const lagged = responders.filter((responder) => responder.latency?.sendLag !== undefined);
  if (lagged.length === 0) return [];
  const figures = lagged.map((responder) => {
    const lag = responder.latency!.sendLag!;
    return `${responder.name} ${lag.p99} / ${lag.p999} / ${lag.max}`;
  });
  return [
    '',
    `The exchange's own send lag in the same trials, p99 / p99.9 / max in us: ${figures.join('; ')}. A packet's latency counts from its intended send, so this is a floor under the responder's figures: where it comes near them, they measure the exchange's waits for its CPU more than the responder.`,
  ];
}

/** The latency run's losses per responder, summed over its measured rounds; nothing for runs saved before they were counted. */
export function lossAccountLines(responders: readonly ResponderResult[]): string[] {
  const accounted = responders.filter((responder) => responder.latency?.lossAccount !== undefined);
  if (accounted.length === 0) return [];
  const rows = accounted.map((responder) => {
    const account = responder.latency!.lossAccount!;
    return [responder.name, ...whereCells(account), exchangeCell(account), responderCell(account), lossyRoundsCell(responder)];
  });
  return [
    '',
    'Where the latency run\'s lost packets went, counted around every measured trial and summed over the rounds:',
    '',
    markdownTable(['responder', ...WHERE_HEADERS, 'exchange', 'responder wait', 'lossy rounds'], rows, [false, true, true, true, true, true, false, true, false]),
    '',
    HOW_COUNTED,
  ];
}

/** Each responder's lowest lossy rate, every attempt of it: why the loss-free rate is what it is. */
export function sweepLossLines(sweeps: readonly SavedSweep[]): string[] {
  const rows = sweeps.flatMap((sweep) =>
    decidingFailure(sweep).flatMap((trial) =>
      trial.account === undefined
        ? []
        : [[sweep.receiver, `${formatRate(trial.offeredRate)} #${trial.attempt}`, ...whereCells(trial.account), exchangeCell(trial.account), responderCell(trial.account), noiseCell(trial.account)]],
    ),
  );
  if (rows.length === 0) return [];
  return [
    '',
    `Where the packets of each responder's lowest lossy rate went (every attempt; the exchange was behind when it could not send a packet or most of the lost ones left more than ${LATE_SEND_NS / 1000} us late, in the bursts it sends to catch up; the responder was preempted when it was off its core, waiting for it or taken by the hypervisor, longer than its socket buffer lasts):`,
    '',
    markdownTable(['responder', 'rate #attempt', ...WHERE_HEADERS, 'exchange', 'responder wait', 'besides the responder'], rows, [false, true, true, true, true, true, true, false, true, false]),
  ];
}
