/**
 * CPU pinning of child processes with taskset. On a 2-core machine a receiver and its sender
 * must not fight for one core: the harness pins them to different cores when it can, and says
 * in RESULTS.md when it could not.
 *
 * Measured processes also run at a slightly raised priority (nice -5) when allowed: the machine
 * is shared, and a busy-polling receiver that owns one core pushes every other runnable process
 * onto the other, where the sender runs. The boost keeps the sender and receiver from being
 * the ones that wait, without starving the rest (nice 0 still gets about a third of a core).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const tasksetAvailable = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const MEASUREMENT_NICENESS = -5;
/** Lowering niceness needs root (or CAP_SYS_NICE): try it once. */
const priorityAvailable = spawnSync('nice', ['-n', String(MEASUREMENT_NICENESS), 'true'], { stdio: 'ignore' }).status === 0
  && spawnSync('nice', ['-n', String(MEASUREMENT_NICENESS), 'nice'], { encoding: 'utf8' }).stdout.trim() === String(MEASUREMENT_NICENESS);

/** Core for the process under test and core for its load generator. */
export const MEASURED_CPU = 1;
export const LOAD_CPU = 0;

export function canPinToSeparateCores(): boolean {
  return tasksetAvailable && os.cpus().length >= 2;
}

/**
 * This harness process, every thread of it, on `cpu` when pinning is possible (threads it starts
 * later inherit it). Pinning the calling thread alone leaves V8's platform threads free: in one
 * t2t run the harness's own collections, after each trial's latencies, ran ~1 s on the measured
 * core, inside the next responder's trials.
 */
export function pinHarnessTo(cpu: number): void {
  if (!canPinToSeparateCores()) return;
  const taskset = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { encoding: 'utf8' });
  if (taskset.status !== 0) throw new Error(`taskset -a -p -c ${cpu} ${process.pid}: ${taskset.stderr.trim() || `exit ${taskset.status}`}`);
}

/** Niceness measured processes run at, or 0 when it cannot be raised. */
export function measurementNiceness(): number {
  return priorityAvailable ? MEASUREMENT_NICENESS : 0;
}

/**
 * `command args` wrapped in `taskset -c cpu` when pinning is possible, and in `nice` when the
 * priority can be raised; unchanged otherwise.
 */
export function withCpuPinning(command: string, args: readonly string[], cpu: number | undefined): [string, string[]] {
  let wrapped: [string, string[]] = [command, [...args]];
  if (cpu !== undefined && canPinToSeparateCores() && cpu < os.cpus().length) {
    wrapped = ['taskset', ['-c', String(cpu), ...wrapped.flat()]];
  }
  if (cpu !== undefined && priorityAvailable) {
    wrapped = ['nice', ['-n', String(MEASUREMENT_NICENESS), ...wrapped.flat()]];
  }
  return wrapped;
}
