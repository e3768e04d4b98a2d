/**
 * The I/O suite: for 64-byte and 1 KiB payloads (64 bytes only with --quick), the highest offered
 * rate each receiver takes with zero loss on loopback, the loss of each at the same offered loads,
 * and each receiver's drain rate; io/report.ts writes its RESULTS.md section.
 */
import { spawnSync } from 'node:child_process';
import { benchDirectory } from '../lib/paths.js';
import { canPinToSeparateCores, LOAD_CPU, measurementNiceness, MEASURED_CPU } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';
import { DRAIN_DATAGRAMS, DRAIN_WARMUP_ROUNDS, runPayloadSweep, type TrialSettings } from './payload-run.js';
import { NODE_DGRAM } from './receivers.js';
import { renderIoSection } from './report.js';
import { RECEIVE_BATCH, RECEIVE_BUFFER_BYTES } from './receivers/options.js';
import type { IoSuiteResult, PayloadSweep } from './results.js';
import type { SweepPlan } from './sweep.js';

const LADDER_START_RATE = 25_000;

interface Mode {
  payloadSizes: readonly number[];
  ladderSteps: number;
  bisectionSteps: number;
  trial: TrialSettings;
}

const FULL: Mode = { payloadSizes: [64, 1024], ladderSteps: 9, bisectionSteps: 4, trial: { trialDurationMs: 1000, minimumTrialDatagrams: 20_000, drainRounds: 40 } };
/** A smoke check of every receiver and both measurements, on one payload size. */
const QUICK: Mode = { payloadSizes: [64], ladderSteps: 6, bisectionSteps: 1, trial: { trialDurationMs: 150, minimumTrialDatagrams: 3_000, drainRounds: 5 } };

function buildCHelpers(): void {
  const make = spawnSync('make', ['-s', '-C', benchDirectory], { stdio: 'inherit' });
  if (make.status !== 0) {
    throw new Error('bench/io: building the C helpers failed (make -C bench; needs gcc and make)');
  }
}

async function run(quick: boolean): Promise<IoSuiteResult> {
  buildCHelpers();
  const mode = quick ? QUICK : FULL;
  const ladder = Array.from({ length: mode.ladderSteps }, (_, step) => LADDER_START_RATE * 2 ** step);
  const plan: SweepPlan = { ladder, bisectionSteps: mode.bisectionSteps, alwaysAtLadder: new Set([NODE_DGRAM]) };
  const payloads: PayloadSweep[] = [];
  for (const payloadBytes of mode.payloadSizes) {
    payloads.push(await runPayloadSweep(payloadBytes, plan, mode.trial));
  }
  return {
    payloads,
    trialDurationMs: mode.trial.trialDurationMs,
    drainDatagrams: DRAIN_DATAGRAMS,
    drainRounds: mode.trial.drainRounds,
    drainWarmupRounds: DRAIN_WARMUP_ROUNDS,
    ladder,
    bisectionSteps: mode.bisectionSteps,
    receiveBufferBytes: RECEIVE_BUFFER_BYTES,
    batch: RECEIVE_BATCH,
    pinning: `${canPinToSeparateCores() ? `receivers on CPU ${MEASURED_CPU} (the C ones whole; the Node ones started on CPU ${LOAD_CPU} with only their receiving thread pinned to CPU ${MEASURED_CPU}, as zerotick run --cpu runs its hot path), senders/producer on CPU ${LOAD_CPU} (taskset)` : 'not pinned (taskset or a second core missing)'}${measurementNiceness() === 0 ? '' : `, all at nice ${measurementNiceness()}`}`,
  };
}

export const ioSuite: Suite<IoSuiteResult> = { name: 'io', title: 'I/O', run, render: renderIoSection };
