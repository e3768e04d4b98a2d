/**
 * The throughput sweep's search for each responder's highest loss-free packet rate, interleaved
 * across responders so that a noisy stretch of the machine lands on all of them:
 *
 * 0. One warm-up trial per responder at the lowest rate, not counted.
 * 1. A rising ladder of rates: at each, every responder that has not lost yet runs in turn.
 * 2. Bisection (geometric midpoint) between each responder's last loss-free and first lossy
 *    rate, all responders' midpoints in one interleaved step.
 *
 * A rate is judged on up to `attempts` trials. A lossy trial is tried again after the other
 * responders' trials of the same step, not straight away, so that one stall of the machine does
 * not fail a responder twice. The rate passes on its first loss-free trial: on a shared machine
 * noise only ever adds loss (a responder or the exchange waiting for its CPU), it never answers
 * a packet that a responder could not, so one clean trial at the full offered rate shows the
 * responder sustains it. The rate fails when every attempt lost.
 *
 * Each trial carries its LossAccount. A failed rate whose every attempt saw the exchange fall
 * behind its schedule is marked generator-bound, and one whose every attempt saw the responder
 * wait for its core longer than its socket buffer lasts is marked preempted: such a loss says more
 * about the load generator or the machine than about the responder.
 */
import { SENDER_KEEPS_UP, type ReceiverSweep, type TrialOutcome } from '../io/sweep.js';
import { generatorFellBehind, responderPreempted, type LossAccount } from './loss-account.js';

export interface RateTrial extends TrialOutcome {
  /** 1 for the first trial at this rate, 2 for its retry, ... */
  attempt: number;
  account: LossAccount;
}

/** One responder's search: the trials in the order they ran, and the verdict per rate. */
export interface ResponderSweep extends ReceiverSweep {
  trials: RateTrial[];
  /** The lowest rate that failed had the exchange fall behind in every attempt. */
  failureGeneratorBound: boolean;
  /** The lowest rate that failed had the responder off its core (responderPreempted) longer than its socket buffer lasts in every attempt. */
  failurePreempted: boolean;
}

export interface RateSearchPlan {
  ladder: readonly number[];
  bisectionSteps: number;
  /** Trials a rate gets before it counts as lossy. */
  attempts: number;
}

export type RateTrialFunction = (responder: string, offeredRate: number, attempt: number) => Promise<RateTrial>;

/** Loss-free trials in a row whose sender fell short, after which offering more is pointless. */
const SENDER_BOUND_STREAK_TO_STOP = 2;

interface SearchState {
  sweep: ResponderSweep;
  lastPassRate: number | null;
  firstFailRate: number | null;
  senderBoundStreak: number;
}

/** A trial whose exchange sent at less than SENDER_KEEPS_UP of the offered rate. */
export function senderBound(offeredRate: number, achievedRate: number): boolean {
  return achievedRate < SENDER_KEEPS_UP * offeredRate;
}

function recordVerdict(state: SearchState, rate: number, trials: readonly RateTrial[]): void {
  const sweep = state.sweep;
  sweep.trials.push(...trials);
  const clean = trials.find((trial) => trial.lost === 0);
  if (clean === undefined) {
    if (state.firstFailRate === null || rate < state.firstFailRate) {
      state.firstFailRate = rate;
      sweep.failureGeneratorBound = trials.every((trial) => generatorFellBehind(trial.account));
      sweep.failurePreempted = trials.every((trial) => responderPreempted(trial.account));
    }
    sweep.limitedBySender = false;
    state.senderBoundStreak = 0;
    return;
  }
  sweep.limitedBySender = state.firstFailRate === null && clean.senderBound;
  state.senderBoundStreak = sweep.limitedBySender ? state.senderBoundStreak + 1 : 0;
  const sustained = Math.min(clean.offeredRate, clean.achievedRate);
  if (sweep.lossFreeRate === null || sustained > sweep.lossFreeRate) {
    sweep.lossFreeRate = sustained;
    state.lastPassRate = rate;
  }
}

/** Judges each (responder, rate) pair on up to `attempts` trials, retries interleaved. */
async function judgeRates(steps: ReadonlyArray<{ state: SearchState; rate: number }>, attempts: number, trial: RateTrialFunction): Promise<void> {
  const trials = steps.map((): RateTrial[] => []);
  let open = steps.map((_, index) => index);
  for (let attempt = 1; attempt <= attempts && open.length > 0; attempt++) {
    for (const index of open) trials[index]!.push(await trial(steps[index]!.state.sweep.receiver, steps[index]!.rate, attempt));
    open = open.filter((index) => trials[index]!.at(-1)!.lost > 0);
  }
  steps.forEach(({ state, rate }, index) => recordVerdict(state, rate, trials[index]!));
}

function stillRising(state: SearchState): boolean {
  return state.firstFailRate === null && state.senderBoundStreak < SENDER_BOUND_STREAK_TO_STOP;
}

function bisectionStep(state: SearchState): { state: SearchState; rate: number } | undefined {
  if (state.lastPassRate === null || state.firstFailRate === null) return undefined;
  const rate = Math.round(Math.sqrt(state.lastPassRate * state.firstFailRate));
  return rate > state.lastPassRate && rate < state.firstFailRate ? { state, rate } : undefined;
}

export async function searchLossFreeRates(responders: readonly string[], plan: RateSearchPlan, trial: RateTrialFunction): Promise<ResponderSweep[]> {
  const states = responders.map((receiver): SearchState => ({
    sweep: { receiver, trials: [], lossFreeRate: null, limitedBySender: false, failureGeneratorBound: false, failurePreempted: false },
    lastPassRate: null,
    firstFailRate: null,
    senderBoundStreak: 0,
  }));
  for (const state of states) await trial(state.sweep.receiver, plan.ladder[0]!, 0);
  for (const rate of plan.ladder) {
    const rising = states.filter(stillRising);
    if (rising.length === 0) break;
    await judgeRates(rising.map((state) => ({ state, rate })), plan.attempts, trial);
  }
  for (let step = 0; step < plan.bisectionSteps; step++) {
    const steps = states.flatMap((state) => bisectionStep(state) ?? []);
    if (steps.length === 0) break;
    await judgeRates(steps, plan.attempts, trial);
  }
  return states.map((state) => state.sweep);
}
