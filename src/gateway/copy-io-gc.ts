/**
 * Where the copy baseline's worker collects its garbage. Copy I/O allocates per datagram
 * (node:dgram's Buffer and rinfo, the copy and its view, the order's Buffer), so its worker
 * scavenges every few tens of milliseconds. By default V8 splits a scavenge over its platform
 * threads, which --cpu does not pin with the worker: they run on the other cores, beside
 * whatever else runs there (in the t2t bench, the exchange spinning at a raised priority). A
 * helper preempted with its share held the worker 3-25 ms instead of 0.3-0.5 ms (--trace-gc, at
 * 40 k packets/s), longer than the UDP socket's buffer lasts, and the datagrams behind were lost.
 * Scavenging on the worker's own thread keeps the pause on its own core, as a Node gateway
 * given a core of its own would want. The flag is process-wide and read at each scavenge; the
 * zero-copy worker allocates nothing per message and does not scavenge while it runs.
 */
import { setFlagsFromString } from 'node:v8';

export function scavengeOnCollectingThread(): void {
  setFlagsFromString('--no-parallel-scavenge');
}
