/**
 * Real-time scheduling (SCHED_FIFO) for the calling thread alone, through libc. On a shared
 * two-core machine a busy-waiting sender is preempted by whatever else runs on its core, for a
 * time slice (milliseconds) at a time; a real-time thread is not. It stands in for what a
 * deployment gives a paced replay: an isolated core. Only the replaying thread is raised: V8's
 * helper threads (compiler, GC) stay ordinary, so they never hold the sender off its core.
 * The kernel's real-time throttling (95% of each second) keeps a runaway thread from taking a
 * core whole.
 */
import { koffi, libc } from '../../src/io/native.js';

const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
/** Above every ordinary thread; below the kernel's own real-time threads (migration, watchdog: 99). */
const SENDER_PRIORITY = 10;

const SchedParam = koffi.struct('zt_bench_sched_param', { sched_priority: 'int' });
// pid 0: the calling thread (Linux schedules threads, not processes).
const schedSetScheduler: (pid: number, policy: number, param: { sched_priority: number }) => number = libc.func('sched_setscheduler', 'int', [
  'int',
  'int',
  koffi.pointer(SchedParam),
]);

/** Makes the calling thread SCHED_FIFO; returns why not when the system refuses (no CAP_SYS_NICE). */
export function enterRealtime(): string | undefined {
  return schedSetScheduler(0, SCHED_FIFO, { sched_priority: SENDER_PRIORITY }) === 0
    ? undefined
    : 'sched_setscheduler(SCHED_FIFO) was refused (needs root or CAP_SYS_NICE)';
}

export function leaveRealtime(): void {
  schedSetScheduler(0, SCHED_OTHER, { sched_priority: 0 });
}
