/**
 * The hot-path worker runs V8's work on its own thread. `--cpu` pins the worker alone; V8's
 * platform threads (compiler, GC helpers) run on the other cores, beside whatever runs there, and
 * a worker that waits on one of them waits for that core's scheduler. Measured in the t2t bench,
 * with the gateway's other threads below the spinning exchange:
 * - a concurrent TurboFan job holds a local heap of the worker's isolate, so a collection in the
 *   worker first waited for that job's thread (gdb: IsolateSafepoint::EnterLocalSafepointScope),
 *   for whole 0.6 s trials, and the worker, which allocates nothing once optimised, collected
 *   2-3 times a trial (none with the compiles on its own thread);
 * - the copy baseline's scavenges waited for their array buffer sweeping job
 *   (ArrayBufferSweeper::EnsureFinished), and a helper preempted with its share of a scavenge
 *   held the worker 3-25 ms instead of 0.3-0.5 ms, longer than the UDP socket's buffer lasts;
 * - the worker's first scavenge after the warm-up shrinks its young generation and hands the
 *   spent pages (60 chunks, 15 MB) to V8's unmapper job, and then waited on that job's thread:
 *   pauses of 200-700 ms (--trace-gc-nvp: the scavenge's own phases 1 ms) in 7 probes of 8, up
 *   to whole trials lost. Freed on the worker's thread, the pause is 3-4 ms.
 * On its own thread that work costs the worker about a millisecond per function compiled while it
 * warms up, and the copy baseline its whole scavenges, on the worker's own core.
 *
 * `--single-threaded` would say it all, but it also turns off the concurrent marking of the main
 * isolate's C++ heap, and changing that while the main thread marks aborts V8 (seen: "Check
 * failed: concurrent_marking_handle_"). The four below are safe to change while isolates run: V8
 * reads the first when it makes an isolate, the others when a collection starts or ends. Left
 * concurrent, for that reason: the marking of a full collection, which the worker, allocating
 * nothing, reaches only as promotions slowly fill its old generation.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Call before the worker starts: isolates made earlier (the main thread's) still compile
 * concurrently. The collection flags are process-wide, so the main thread's scavenges and
 * sweeping run on its own thread too, which the control plane does not mind.
 */
export function runWorkerIsolateOnItsThread(): void {
  setFlagsFromString('--no-concurrent-recompilation');
  setFlagsFromString('--no-parallel-scavenge');
  setFlagsFromString('--no-concurrent-array-buffer-sweeping');
  // (also what makes V8 free spent pages at once rather than queue them for its unmapper job)
  setFlagsFromString('--no-concurrent-sweeping');
}
