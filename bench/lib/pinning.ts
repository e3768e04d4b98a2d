/**
 * CPU pinning of child processes with taskset. On a 2-core machine a receiver and its sender
 * must not fight for one core: the harness pins them to different cores when it can, and says
 * in RESULTS.md when it could not.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const tasksetAvailable = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

/** Core for the process under test and core for its load generator. */
export const MEASURED_CPU = 1;
export const LOAD_CPU = 0;

export function canPinToSeparateCores(): boolean {
  return tasksetAvailable && os.cpus().length >= 2;
}

/** `command args` wrapped in `taskset -c cpu` when pinning is possible; unchanged otherwise. */
export function withCpuPinning(command: string, args: readonly string[], cpu: number | undefined): [string, string[]] {
  if (cpu === undefined || !canPinToSeparateCores() || cpu >= os.cpus().length) {
    return [command, [...args]];
  }
  return ['taskset', ['-c', String(cpu), command, ...args]];
}
