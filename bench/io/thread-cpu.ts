/**
 * CPU time of the calling thread, read at the edges of a trial. A busy-polling receiver is on
 * the CPU for its whole trial unless the scheduler takes it off: its datagrams per CPU second
 * are its own cost, whatever else the shared machine was doing, where datagrams per wall-clock
 * second also count the time it waited for the core. Each read allocates (a koffi out-struct):
 * never call these per datagram.
 */
import { koffi, libc } from '../../src/io/native.js';

const CLOCK_THREAD_CPUTIME_ID = 3;
const RUSAGE_THREAD = 1;
/** struct rusage after its two timevals: 14 longs this bench does not read. */
const RUSAGE_OTHER_FIELDS = 14;

const Timespec = koffi.struct('bench_io_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
const Timeval = koffi.struct('bench_io_timeval', { tv_sec: 'int64_t', tv_usec: 'int64_t' });
const Rusage = koffi.struct('bench_io_rusage', { ru_utime: Timeval, ru_stime: Timeval, other: koffi.array('long', RUSAGE_OTHER_FIELDS) });

interface TimevalResult {
  tv_sec: number;
  tv_usec: number;
}

const clockGettime: (clock: number, out: { tv_sec: number; tv_nsec: number }) => number =
  libc.func('clock_gettime', 'int', ['int', koffi.out(koffi.pointer(Timespec))]);
const getrusage: (who: number, out: { ru_utime?: TimevalResult; ru_stime?: TimevalResult }) => number =
  libc.func('getrusage', 'int', ['int', koffi.out(koffi.pointer(Rusage))]);

/** CLOCK_THREAD_CPUTIME_ID: exact. */
export function threadCpuNanos(): number {
  const now = { tv_sec: 0, tv_nsec: 0 };
  if (clockGettime(CLOCK_THREAD_CPUTIME_ID, now) !== 0) throw new Error('clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed');
  return Number(now.tv_sec) * 1e9 + Number(now.tv_nsec);
}

export interface ThreadUsage {
  userNs: number;
  systemNs: number;
}

/**
 * getrusage(RUSAGE_THREAD): the same CPU time split into user space and kernel. With tick-based
 * accounting the split is a sample taken at each timer tick (250 Hz here): add it up over many
 * trials before reading it.
 */
export function threadUsage(): ThreadUsage {
  const usage: { ru_utime?: TimevalResult; ru_stime?: TimevalResult } = {};
  if (getrusage(RUSAGE_THREAD, usage) !== 0) throw new Error('getrusage(RUSAGE_THREAD) failed');
  const nanos = (time: TimevalResult): number => Number(time.tv_sec) * 1e9 + Number(time.tv_usec) * 1e3;
  return { userNs: nanos(usage.ru_utime!), systemNs: nanos(usage.ru_stime!) };
}
