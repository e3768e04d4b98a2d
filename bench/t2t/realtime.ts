/**
 * ZEROTICK_T2T_REALTIME=1: each responder's hot path runs SCHED_FIFO, standing in for an isolated
 * core on a machine shared with other work (as the replay suite's realtime rows do). Without it,
 * a busy machine's time slices land inside the measurement: a responder at nice -5 beside two
 * nice-0 processes gets about half its core, and its socket overflows. The exchange stays an
 * ordinary process: a gateway's V8 helper threads (GC, compiler) share its core, and a worker
 * that waits on them would stall behind a spinning real-time exchange.
 * Opt-in, because a spinning SCHED_FIFO thread leaves the rest of its core 5% (the kernel's RT
 * throttling) while a trial runs. Needs CAP_SYS_NICE and chrt (util-linux).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const REALTIME = process.env.ZEROTICK_T2T_REALTIME === '1';
/** Above every ordinary thread, below the kernel's own (50) and any other bench's. */
const PRIORITY = '10';

/** `command args` under chrt -f when realtime is on; unchanged otherwise. */
export function realtimeCommand(command: string, args: readonly string[]): [string, string[]] {
  return REALTIME ? ['chrt', ['-f', PRIORITY, command, ...args]] : [command, [...args]];
}

/** The threads of `pid` allowed on `cpu` alone: a gateway's hot-path worker after --cpu. */
export function threadsPinnedTo(pid: number, cpu: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(status)?.[1] === String(cpu) ? [Number(tid)] : [];
  });
}

/** Makes the threads of `pid` pinned to `cpu` SCHED_FIFO when realtime is on; throws when the system refuses. */
export function makePinnedThreadsRealtime(pid: number, cpu: number): void {
  if (!REALTIME) return;
  for (const tid of threadsPinnedTo(pid, cpu)) {
    const chrt = spawnSync('chrt', ['-f', '-p', PRIORITY, String(tid)], { encoding: 'utf8' });
    if (chrt.status !== 0) throw new Error(`chrt -f -p ${PRIORITY} ${tid}: ${chrt.stderr.trim() || `exit ${chrt.status}`}`);
  }
}
