/**
 * CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), read at the edges of a trial. A
 * busy-polling receiver is on the CPU for its whole trial unless the scheduler takes it off: its
 * datagrams per CPU second are its own cost, whatever else the shared machine was doing, where
 * datagrams per wall-clock second also count the time it waited for the core. Each read
 * allocates (a koffi out-struct): never call it per datagram.
 */
import { koffi, libc } from '../../src/io/native.js';

const CLOCK_THREAD_CPUTIME_ID = 3;
const Timespec = koffi.struct('bench_io_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });
const clockGettime: (clock: number, out: { tv_sec: number; tv_nsec: number }) => number =
  libc.func('clock_gettime', 'int', ['int', koffi.out(koffi.pointer(Timespec))]);

export function threadCpuNanos(): number {
  const now = { tv_sec: 0, tv_nsec: 0 };
  if (clockGettime(CLOCK_THREAD_CPUTIME_ID, now) !== 0) throw new Error('clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed');
  return Number(now.tv_sec) * 1e9 + Number(now.tv_nsec);
}
