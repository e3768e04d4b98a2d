/**
 * V8 flags that keep the hot-path worker's work on the worker's own thread. `--cpu` pins the
 * worker alone; V8's platform threads (compiler, GC helpers) run on the other cores, beside
 * whatever runs there, and a worker that waits on one of them waits for that core's scheduler.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * The worker's optimised code is compiled on the worker's thread. With concurrent compilation a
 * TurboFan job on a platform thread holds a local heap of the worker's isolate, and any
 * collection in the worker first waits for that job to reach a safepoint: in the t2t bench, with
 * the gateway's other threads below the spinning exchange, the worker stalled there for whole
 * 0.6 s trials (gdb: IsolateSafepoint::EnterLocalSafepointScope), and meanwhile ran unoptimised
 * code that boxed doubles and scavenged. Compiling in place costs the worker a pause of about a
 * millisecond per function while it warms up, on its own core. V8 reads the flag when an isolate
 * is made: call it before the worker starts; isolates made earlier (the main thread's) still
 * compile concurrently.
 */
export function optimiseOnWorkerThread(): void {
  setFlagsFromString('--no-concurrent-recompilation');
}

/**
 * The copy baseline's scavenges run on the collecting thread. Copy I/O allocates per datagram
 * (node:dgram's Buffer and rinfo, the copy and its view, the order's Buffer), so its worker
 * scavenges every few tens of milliseconds, and by default V8 splits a scavenge over its
 * platform threads. A helper preempted with its share held the worker 3-25 ms instead of
 * 0.3-0.5 ms (--trace-gc, at 40 k packets/s), longer than the UDP socket's buffer lasts, and the
 * datagrams behind were lost. The flag is process-wide and read at each scavenge; the zero-copy
 * worker allocates nothing per message and does not scavenge while it runs.
 */
export function scavengeOnCollectingThread(): void {
  setFlagsFromString('--no-parallel-scavenge');
}
