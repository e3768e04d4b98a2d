/**
 * How the responders' threads are scheduled beside the exchange.
 *
 * A gateway's threads other than its hot-path worker (main thread, V8's platform threads,
 * libuv's pool) run SCHED_IDLE on the load core: in a deployment they sit on a housekeeping
 * core, here they would take the exchange's core from it, which stands for the outside world.
 * At nice -5 they delayed the exchange in the gateways' turns more than in the C reference's,
 * which has no other thread (send lag p99 1.6 ms against 44 us in one run). The worker waits on
 * none of them (src/gateway/worker-v8-flags.ts), and a trial needs none: GET /status is read
 * between trials, when the exchange sleeps.
 *
 * ZEROTICK_T2T_REALTIME=1: each responder's hot path runs SCHED_FIFO, standing in for an isolated
 * core on a machine shared with other work (as the replay suite's realtime rows do). Without it,
 * a busy machine's time slices land inside the measurement: a responder at nice -5 beside two
 * nice-0 processes gets about half its core, and its socket overflows. The exchanges run
 * SCHED_FIFO too: the machine's own threads (kdamond, the VM's agent) otherwise take the load
 * core from them 1-7 ms at a time, and every packet behind counts as late. Opt-in, because a
 * spinning SCHED_FIFO thread leaves the rest of its core 5% (the kernel's RT throttling) while a
 * trial runs, and because it moves the machine's other threads off the measured core for the run
 * (shieldCpu). Needs CAP_SYS_NICE, chrt and taskset (util-linux).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export const REALTIME = process.env.ZEROTICK_T2T_REALTIME === '1';
/** Above every ordinary thread, below the kernel's own (50) and any other bench's. */
const PRIORITY = '10';

/** `command args` under chrt -f when realtime is on; unchanged otherwise. */
export function realtimeCommand(command: string, args: readonly string[]): [string, string[]] {
  return REALTIME ? ['chrt', ['-f', PRIORITY, command, ...args]] : [command, [...args]];
}

/** The threads of `pid` allowed on `cpu` alone: a gateway's hot-path worker after --cpu. */
export function threadsPinnedTo(pid: number, cpu: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => (allowedCpus(`/proc/${pid}/task/${tid}/status`) === String(cpu) ? [Number(tid)] : []));
}

/** True when every thread of `pid` has stopped (SIGSTOP: state T). */
export function allThreadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'T';
  });
}

/** Every thread of `pid` but those pinned to `cpu` SCHED_IDLE; throws when the system refuses. */
export function makeOtherThreadsIdle(pid: number, cpu: number): void {
  const hot = new Set(threadsPinnedTo(pid, cpu));
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    if (!hot.has(tid)) chrt(['-i', '-p', '0', String(tid)]);
  }
}

/** Makes the threads of `pid` pinned to `cpu` SCHED_FIFO when realtime is on; throws when the system refuses. */
export function makePinnedThreadsRealtime(pid: number, cpu: number): void {
  if (!REALTIME) return;
  for (const tid of threadsPinnedTo(pid, cpu)) chrt(['-f', '-p', PRIORITY, String(tid)]);
}

/**
 * Realtime mode: moves every thread of the machine that may leave `cpu` (all but the per-CPU
 * kernel threads) and the kernel's unbound workqueues to the other CPUs, as an isolated core
 * would have them; returns what puts them back. Why: since Linux 6.12 a deadline server gives
 * runnable ordinary threads 50 ms a second even beside a SCHED_FIFO spinner, in slices at each
 * tick. On the measured core that was rcu_preempt, the VM's agent and unbound kworkers: in a
 * third of the rounds, for the C reference and the gateways alike, the hot thread was preempted
 * about 80 times a trial, 4-11 ms in all (perf sched: next_prio 120 after a FIFO thread in state R).
 */
export function shieldCpu(cpu: number, others: string): () => void {
  if (!REALTIME) return () => {};
  const moved: { tid: number; cpus: string }[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const tid of tids) {
      const cpus = allowedCpus(`/proc/${pid}/task/${tid}/status`);
      if (cpus === undefined || !cpusOf(cpus).includes(cpu)) continue;
      // per-CPU kernel threads refuse, as does a thread that exited meanwhile: both stay as they are
      if (spawnSync('taskset', ['-p', '-c', others, tid], { encoding: 'utf8' }).status === 0) moved.push({ tid: Number(tid), cpus });
    }
  }
  const workqueueMask = '/sys/devices/virtual/workqueue/cpumask';
  const workqueues = readFileSync(workqueueMask, 'utf8').trim();
  // (the workqueue mask is hex)
  writeFileSync(workqueueMask, cpusOf(others).reduce((mask, other) => mask | (1n << BigInt(other)), 0n).toString(16));
  const unshield = (): void => {
    for (const signal of SHIELD_SIGNALS) process.off(signal, unshieldAndDie);
    writeFileSync(workqueueMask, workqueues);
    for (const { tid, cpus } of moved) spawnSync('taskset', ['-p', '-c', cpus, String(tid)]);
  };
  // Ctrl-C during a run would otherwise leave the machine's threads off the core.
  const unshieldAndDie = (signal: NodeJS.Signals): void => {
    unshield();
    process.kill(process.pid, signal);
  };
  for (const signal of SHIELD_SIGNALS) process.once(signal, unshieldAndDie);
  return unshield;
}

/** Signals that end a run early: the shield is taken down before the process goes. */
const SHIELD_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** The Cpus_allowed_list of a thread's status file (e.g. "0-1"); undefined when the thread is gone. */
function allowedCpus(statusPath: string): string | undefined {
  try {
    return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(statusPath, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** The CPUs of a cpu list such as "0-3,6". */
function cpusOf(list: string): number[] {
  return list.split(',').flatMap((range) => {
    const [first, last = first] = range.split('-').map(Number);
    return Array.from({ length: last! - first! + 1 }, (_, index) => first! + index);
  });
}

function chrt(args: string[]): void {
  const result = spawnSync('chrt', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`chrt ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
}
