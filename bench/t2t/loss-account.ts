/**
 * Where a trial's lost packets went. A packet has no order by the end of its trial when:
 *
 *   - the exchange never sent it (a refused sendmmsg): the exchange counts these;
 *   - it was dropped before the responder read it: the responder's UDP socket overflowed (the
 *     kernel's count for that socket, the `drops` column of /proc/net/udp, read for every UDP
 *     responder alike, C or gateway), the gateway's source lost it (its `sourceDrops`, which
 *     is the AF_PACKET ring's drop count), or the SPSC ring it reads was full (the exchange
 *     counts these: a full ring is the responder's buffer overflowing, as a full socket is);
 *   - the gateway read it and refused the order (risk, a full send queue, the session down):
 *     GET /status rejectsByReason;
 *   - or none of these: the order was not sent, or came after the trial (the exchange counts
 *     orders that arrive after their trial ended, at its next report).
 *
 * Beside the counts, what makes them happen: how far behind schedule the exchange sent (every
 * packet's send lag), how long the exchange and the responder's hot thread waited for a CPU
 * (schedstat run delay), and how long the hypervisor ran something else on the measured core
 * (steal time: in a VM the core itself stops, and the guest sees neither a preemption nor a
 * sleep, only the time gone). A responder that is off its core longer than its socket buffer lasts
 * at the offered rate may lose the difference, however fast its code: on a shared machine that is
 * what most losses are (every lost packet of a probe at 40-100 k/s was a socket drop during such
 * waits; with the responder and the exchange SCHED_FIFO the C reference lost nothing up to 200 k/s.
 * The ~100 ms stalls that cost a round 1,600-1,900 packets in three runs of 2026-11-26, with no
 * preemption and no sleep, were the hypervisor's: perf had no sample at all on the core for
 * 100 ms in one, and the core's steal grew by 100 ms in another).
 */
import { readFileSync } from 'node:fs';
import type { Trial } from './exchange.js';

/** A packet sent this long after its intended time counts as sent late. */
export const LATE_SEND_NS = 100_000;
/**
 * What the kernel charges a UDP socket for one probe datagram on loopback (skb truesize): a frozen
 * responder's socket, at the default 212992 bytes, held 256 of them (its first loss was packet 256).
 */
const LOOPBACK_PROBE_TRUESIZE = 832;
/**
 * SO_RCVBUF of every responder's feed socket (the C reference's --rcvbuf, the gateways' rcvbuf=),
 * as a deployment sizes it to ride out a stall. With the system's default (212992 bytes, 256
 * probe datagrams: 6.4 ms at 40 k/s, 1.3 ms at 200 k/s) the sweep measured the scheduler more than
 * the responders: the machine's own threads (kdamond, the VM agent) take the measured core for
 * 3-7 ms at a time, and each such stall above ~100 k/s lost packets, for C and gateways alike.
 * 1 MiB holds ~2,500 of them (12 ms at 200 k/s); a 400 ms trial can hide at most that many
 * (~6 k/s) of a shortfall, alike for every responder.
 */
export const FEED_RECEIVE_BUFFER_BYTES = 1024 * 1024;
/** The kernel grants a request up to net.core.rmem_max, and doubles it for its bookkeeping. */
const GRANTED_RECEIVE_BUFFER_BYTES = 2 * Math.min(FEED_RECEIVE_BUFFER_BYTES, Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')));

export interface LossAccount {
  sent: number;
  lost: number;
  /** Packets the exchange could not send (send error). */
  notSent: number;
  /** Dropped before the responder read them: its socket's kernel drops, its gateway's source drops, or its full SPSC ring; null: nothing tells. */
  feedDrops: number | null;
  /** Orders the gateway refused, by reason (nonzero ones); null: not a gateway. */
  refused: Record<string, number> | null;
  /** Lost packets the counts above do not explain (order missing or after its trial): never negative. */
  unexplained: number;
  /** Orders the exchange saw arrive after their trial had ended (reported with the next trial). */
  lateOrders: number;
  /** Packets sent more than LATE_SEND_NS after their intended time, and how many of the lost ones were. */
  sentLate: number;
  lostSentLate: number;
  maxSendLagNs: number;
  exchangeRunQueueWaitNs: number;
  /** The responder's hot thread's wait for its core, and how many times it was switched out for another; null when its thread is unknown. */
  responderRunQueueWaitNs: number | null;
  responderPreemptions: number | null;
  /**
   * The times the hot thread gave up its core itself (voluntary context switches): a spinning
   * thread never does, so each is a wait for something (a lock, a page, a blocking call).
   */
  responderSleeps: number | null;
  /** Steal time of the measured core (the hypervisor ran something else); null where the kernel does not report it. */
  coreStealNs: number | null;
  /** How long the responder's socket buffer holds the offered rate's packets; null: it reads no socket. */
  socketBufferNs: number | null;
}

/** Counters read on the responder's side before and after a trial. */
export interface ResponderCounters {
  socketDrops: number | null;
  sourceDrops: number | null;
  rejectsByReason: Record<string, number> | null;
  runQueueWaitNs: number | null;
  preemptions: number | null;
  sleeps: number | null;
  /** The measured core's steal time so far (cpuStealNs). */
  coreStealNs: number | null;
}

/** The unit of /proc/stat's times: USER_HZ, which the kernel's ABI fixes at 100 on x86. */
const PROC_STAT_TICK_NS = 10_000_000;

/**
 * The time the hypervisor has run something else while `cpu` had work (steal, the 8th time of
 * its /proc/stat line), in nanoseconds at the 10 ms grain of that file; null when not reported.
 */
export function cpuStealNs(cpu: number): number | null {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((text) => text.startsWith(`cpu${cpu} `));
  const steal = Number(line?.trim().split(/\s+/)[8]);
  return Number.isFinite(steal) ? steal * PROC_STAT_TICK_NS : null;
}

/** The kernel's drop count of the UDP socket bound to 127.0.0.1:`port` (/proc/net/udp), or null when there is none. */
export function udpSocketDrops(port: number): number | null {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local) return Number(fields[fields.length - 1]);
  }
  return null;
}

type SchedulerCounters = Pick<ResponderCounters, 'runQueueWaitNs' | 'preemptions' | 'sleeps'>;

/**
 * What the scheduler did to thread `tid` of `pid` so far: nanoseconds on a run queue waiting for a
 * CPU (schedstat's second field), involuntary and voluntary context switches (status); nulls when unreadable.
 */
export function threadSchedulerWaits(pid: number, tid: number): SchedulerCounters {
  try {
    const task = `/proc/${pid}/task/${tid}`;
    const waited = Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[1]);
    const status = readFileSync(`${task}/status`, 'utf8');
    const switches = (kind: string): number | null => {
      const count = Number(new RegExp(`^${kind}_ctxt_switches:\\s*(\\d+)$`, 'm').exec(status)?.[1]);
      return Number.isFinite(count) ? count : null;
    };
    return { runQueueWaitNs: Number.isFinite(waited) ? waited : null, preemptions: switches('nonvoluntary'), sleeps: switches('voluntary') };
  } catch {
    return UNKNOWN_SCHEDULER_COUNTERS;
  }
}

export const UNKNOWN_SCHEDULER_COUNTERS: SchedulerCounters = { runQueueWaitNs: null, preemptions: null, sleeps: null };

function difference(after: number | null, before: number | null): number | null {
  return after === null || before === null ? null : Math.max(0, after - before);
}

function rejectsBetween(after: Record<string, number> | null, before: Record<string, number> | null): Record<string, number> | null {
  if (after === null || before === null) return null;
  return Object.fromEntries(Object.entries(after).flatMap(([reason, count]) => (count > (before[reason] ?? 0) ? [[reason, count - (before[reason] ?? 0)]] : [])));
}

function sum(values: Record<string, number> | null): number {
  return values === null ? 0 : Object.values(values).reduce((total, value) => total + value, 0);
}

/** The trial's account from the exchange's figures and the responder's counters around it. */
export function accountTrial(trial: Trial, before: ResponderCounters, after: ResponderCounters): LossAccount {
  const { report } = trial;
  const notSent = report.sendErrors;
  // The socket's own count when the responder reads a UDP socket; its gateway's otherwise (AF_PACKET ring); the exchange's for the SPSC ring.
  const sourceDrops = difference(after.socketDrops, before.socketDrops) ?? difference(after.sourceDrops, before.sourceDrops);
  const feedDrops = report.ringFull > 0 ? (sourceDrops ?? 0) + report.ringFull : sourceDrops;
  const refused = rejectsBetween(after.rejectsByReason, before.rejectsByReason);
  let sentLate = 0;
  let lostSentLate = 0;
  trial.sendLagNs.forEach((lag, index) => {
    if (lag <= LATE_SEND_NS) return;
    sentLate++;
    if (trial.latencyNs[index]! < 0n) lostSentLate++;
  });
  return {
    sent: report.sent,
    lost: report.lost,
    notSent,
    feedDrops,
    refused,
    unexplained: Math.max(0, report.lost - notSent - (feedDrops ?? 0) - sum(refused)),
    lateOrders: report.late,
    sentLate,
    lostSentLate,
    maxSendLagNs: report.maxSendLagNs,
    exchangeRunQueueWaitNs: report.runQueueWaitNs,
    responderRunQueueWaitNs: difference(after.runQueueWaitNs, before.runQueueWaitNs),
    responderPreemptions: difference(after.preemptions, before.preemptions),
    responderSleeps: difference(after.sleeps, before.sleeps),
    coreStealNs: difference(after.coreStealNs, before.coreStealNs),
    socketBufferNs: before.socketDrops === null ? null : socketBufferNs(report.offeredRate),
  };
}

/** How long a feed socket holds probe packets arriving at `rate` per second with nobody reading. */
export function socketBufferNs(rate: number): number {
  return (Math.floor(GRANTED_RECEIVE_BUFFER_BYTES / LOOPBACK_PROBE_TRUESIZE) / rate) * 1e9;
}

function addNullable(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function addRecords(a: Record<string, number> | null, b: Record<string, number> | null): Record<string, number> | null {
  if (a === null || b === null) return a ?? b;
  const total = { ...a };
  for (const [reason, count] of Object.entries(b)) total[reason] = (total[reason] ?? 0) + count;
  return total;
}

/** Two accounts as one (a run's rounds): counts and waits add up, the worst lag and busiest loop stand. */
export function combineAccounts(a: LossAccount, b: LossAccount): LossAccount {
  return {
    sent: a.sent + b.sent,
    lost: a.lost + b.lost,
    notSent: a.notSent + b.notSent,
    feedDrops: addNullable(a.feedDrops, b.feedDrops),
    refused: addRecords(a.refused, b.refused),
    unexplained: a.unexplained + b.unexplained,
    lateOrders: a.lateOrders + b.lateOrders,
    sentLate: a.sentLate + b.sentLate,
    lostSentLate: a.lostSentLate + b.lostSentLate,
    maxSendLagNs: Math.max(a.maxSendLagNs, b.maxSendLagNs),
    exchangeRunQueueWaitNs: a.exchangeRunQueueWaitNs + b.exchangeRunQueueWaitNs,
    responderRunQueueWaitNs: addNullable(a.responderRunQueueWaitNs, b.responderRunQueueWaitNs),
    responderPreemptions: addNullable(a.responderPreemptions, b.responderPreemptions),
    responderSleeps: addNullable(a.responderSleeps, b.responderSleeps),
    coreStealNs: addNullable(a.coreStealNs, b.coreStealNs),
    socketBufferNs: a.socketBufferNs === null || b.socketBufferNs === null ? null : Math.min(a.socketBufferNs, b.socketBufferNs),
  };
}

/**
 * The exchange's own schedule made the loss: it could not send a packet, or most of the lost
 * packets left late. A late packet is still timed from its intended send, but an exchange that
 * fell behind (waiting for its CPU) catches up in bursts of up to 32 packets a pass, far faster
 * than the offered rate, and a responder's socket overflows in the burst, not at the rate.
 */
export function generatorFellBehind(account: LossAccount): boolean {
  return account.notSent > 0 || (account.lost > 0 && 2 * account.lostSentLate >= account.lost);
}

/**
 * The responder's hot thread was off its core, in all, at least as long as its socket buffer
 * lasts: waiting for it (the guest's scheduler) or with the core itself taken by the hypervisor
 * (steal). One such stall overflows the buffer whatever the responder's speed (a sum of short ones
 * may not: it is a possible cause, and a certain one when a single stall is that long). False when
 * it reads no socket or its thread is unknown.
 */
export function responderPreempted(account: LossAccount): boolean {
  if (account.socketBufferNs === null || account.responderRunQueueWaitNs === null) return false;
  return account.responderRunQueueWaitNs + (account.coreStealNs ?? 0) >= account.socketBufferNs;
}

/** "12.3 ms"; "-" when unknown. */
export function milliseconds(ns: number | null): string {
  return ns === null ? '-' : `${(ns / 1e6).toFixed(1)} ms`;
}

/** Where the lost packets went, e.g. "94 socket drops, 3 refused (queueFull 3)"; "" when nothing was lost. */
export function describeLoss(account: LossAccount): string {
  if (account.lost === 0) return '';
  const refusals = Object.entries(account.refused ?? {}).map(([reason, count]) => `${reason} ${count}`);
  const parts = [
    account.notSent > 0 ? `${account.notSent} never sent` : '',
    (account.feedDrops ?? 0) > 0 ? `${account.feedDrops} dropped before the responder read them` : '',
    refusals.length > 0 ? `${sum(account.refused)} refused by the gateway (${refusals.join(', ')})` : '',
    account.unexplained > 0 ? `${account.unexplained} without an order by the end of the trial` : '',
  ].filter((part) => part !== '');
  return parts.join(', ');
}

/** What the two processes went through: the exchange's schedule and load, the responder's waits for its core, the core's steal time. */
export function describeCircumstances(account: LossAccount): string {
  const lostOfThem = account.lostSentLate > 0 ? `, ${account.lostSentLate} of them lost` : '';
  const exchange = `exchange sent ${account.sentLate} of ${account.sent} > ${LATE_SEND_NS / 1000} us late${lostOfThem} (max ${milliseconds(account.maxSendLagNs)}), waited ${milliseconds(account.exchangeRunQueueWaitNs)} for CPU`;
  const buffer = account.socketBufferNs === null ? '' : ` (its socket buffer lasts ${milliseconds(account.socketBufferNs)})`;
  const sleeps = account.responderSleeps === null ? '' : `, slept ${account.responderSleeps} times`;
  const responder = account.responderRunQueueWaitNs === null ? '' : `; responder's hot thread waited ${milliseconds(account.responderRunQueueWaitNs)} for its core over ${account.responderPreemptions} preemptions${sleeps}${buffer}`;
  const steal = (account.coreStealNs ?? 0) > 0 ? `; steal on the measured core ${milliseconds(account.coreStealNs)} (the hypervisor's, counted in 10 ms ticks)` : '';
  return `${exchange}${responder}${steal}`;
}
