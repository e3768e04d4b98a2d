/**
 * The search for each receiver's highest loss-free rate, interleaved across receivers so that
 * a noisy stretch of the machine hits them all:
 *
 * 0. One warm-up trial per receiver at the lowest rate, not counted (JIT, page faults, first
 *    socket buffer growth).
 * 1. A rising ladder of offered rates (x2 per step). At each rate every receiver still without
 *    loss runs a trial, in turn (A B C at 25k, A B C at 50k, ...). The receivers named in
 *    `alwaysAtLadder` (node:dgram) run at every ladder rate even after losing, so that their
 *    loss can be reported at the same offered loads as the others'.
 * 2. Bisection (geometric midpoint) between each receiver's last loss-free rate and its first
 *    lossy one, one step for every receiver in turn.
 *
 * A rate counts as lossy only when a second trial right after a lossy one loses too: on a
 * shared 2-core machine one descheduling of the receiver can lose datagrams at any rate, and
 * the retry is given to every receiver alike. The retry's outcome is the one reported.
 *
 * A trial whose sender could not reach the offered rate is "sender-bound". When a receiver never
 * lost and its highest trial was sender-bound, its loss-free rate is only a lower bound: it took
 * everything this machine could send.
 */
export interface TrialOutcome {
  offeredRate: number;
  achievedRate: number;
  sent: number;
  received: number;
  lost: number;
  senderBound: boolean;
}

export interface ReceiverSweep {
  receiver: string;
  trials: TrialOutcome[];
  /** Highest rate (as achieved by the sender) with zero loss; null when even the lowest lost. */
  lossFreeRate: number | null;
  /** The loss-free rate is a lower bound: the sender could not offer more. */
  limitedBySender: boolean;
}

export interface SweepPlan {
  ladder: readonly number[];
  bisectionSteps: number;
  alwaysAtLadder: ReadonlySet<string>;
}

export type TrialFunction = (receiver: string, offeredRate: number) => Promise<TrialOutcome>;

/** A sender that delivers less than this share of the offered rate could not keep up. */
export const SENDER_KEEPS_UP = 0.9;

/** Loss-free trials in a row where the sender fell short after which offering more is pointless. */
const SENDER_BOUND_STREAK_TO_STOP = 2;

interface SearchState {
  sweep: ReceiverSweep;
  lastPassRate: number | null;
  firstFailRate: number | null;
  senderBoundStreak: number;
}

function record(state: SearchState, outcome: TrialOutcome): void {
  state.sweep.trials.push(outcome);
  state.sweep.limitedBySender = state.firstFailRate === null && outcome.lost === 0 && outcome.senderBound;
  state.senderBoundStreak = state.sweep.limitedBySender ? state.senderBoundStreak + 1 : 0;
  if (outcome.lost > 0) {
    state.sweep.limitedBySender = false;
    if (state.firstFailRate === null || outcome.offeredRate < state.firstFailRate) state.firstFailRate = outcome.offeredRate;
    return;
  }
  const sustained = Math.min(outcome.offeredRate, outcome.achievedRate);
  if (state.sweep.lossFreeRate === null || sustained > state.sweep.lossFreeRate) {
    state.sweep.lossFreeRate = sustained;
    state.lastPassRate = outcome.offeredRate;
  }
}

function stillRising(state: SearchState): boolean {
  return state.firstFailRate === null && state.senderBoundStreak < SENDER_BOUND_STREAK_TO_STOP;
}

/** A trial, repeated once when it lost: the second outcome stands. */
async function confirmedTrial(trial: TrialFunction, receiver: string, rate: number): Promise<TrialOutcome> {
  const first = await trial(receiver, rate);
  return first.lost === 0 ? first : trial(receiver, rate);
}

export async function sweepReceivers(receivers: readonly string[], plan: SweepPlan, trial: TrialFunction): Promise<ReceiverSweep[]> {
  const states = receivers.map((receiver): SearchState => ({
    sweep: { receiver, trials: [], lossFreeRate: null, limitedBySender: false },
    lastPassRate: null,
    firstFailRate: null,
    senderBoundStreak: 0,
  }));
  for (const state of states) {
    await trial(state.sweep.receiver, plan.ladder[0]!);
  }
  for (const rate of plan.ladder) {
    if (!states.some(stillRising)) break;
    for (const state of states) {
      if (stillRising(state)) {
        record(state, await confirmedTrial(trial, state.sweep.receiver, rate));
      } else if (plan.alwaysAtLadder.has(state.sweep.receiver)) {
        record(state, await trial(state.sweep.receiver, rate));
      }
    }
  }
  for (let step = 0; step < plan.bisectionSteps; step++) {
    for (const state of states) {
      if (state.lastPassRate === null || state.firstFailRate === null || state.sweep.limitedBySender) continue;
      const midpoint = Math.round(Math.sqrt(state.lastPassRate * state.firstFailRate));
      if (midpoint <= state.lastPassRate || midpoint >= state.firstFailRate) continue;
      record(state, await confirmedTrial(trial, state.sweep.receiver, midpoint));
    }
  }
  return states.map((state) => state.sweep);
}
