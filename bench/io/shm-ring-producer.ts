/**
 * The SPSC ring's load generator, the ring's counterpart of bench/c/udp_sender.c: for each
 * command line `send <trial> <count> <rate> <size>` it writes <count> records of <size> bytes
 * at <rate> per second (busy-wait pacing, records due by now written at once) and answers one
 * SenderReport line. A record that finds the ring full is dropped and not retried, as a NIC
 * drops a frame: the consumer then counts it lost, exactly like a datagram.
 *
 *   node --import tsx bench/io/shm-ring-producer.ts --ring /dev/shm/…
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { INSUFFICIENT_CAPACITY, ShmRing } from '../../src/io/shm-ring.js';
import { RING_RECORD_TYPE, SEQUENCE_OFFSET, TRIAL_OFFSET } from './datagram-layout.js';
import type { SenderReport } from './protocol.js';

const SEND_COMMAND = /^send (\d+) (\d+) (\d+(?:\.\d+)?) (\d+)$/;

function sendRecords(ring: ShmRing, trial: number, count: number, rate: number, size: number): SenderReport {
  const view = ring.view;
  const msPerRecord = 1000 / rate;
  let written = 0;
  let dropped = 0;
  const start = performance.now();
  while (written + dropped < count) {
    const due = Math.min(count, Math.floor((performance.now() - start) / msPerRecord) + 1);
    while (written + dropped < due) {
      const offset = ring.tryClaim(RING_RECORD_TYPE, size);
      if (INSUFFICIENT_CAPACITY === offset) {
        dropped++;
        continue;
      }
      view.setUint32(offset + SEQUENCE_OFFSET, written + dropped, true);
      view.setUint32(offset + SEQUENCE_OFFSET + 4, 0, true);
      view.setUint32(offset + TRIAL_OFFSET, trial, true);
      ring.commit(offset);
      written++;
    }
  }
  const elapsedMs = performance.now() - start;
  // Dropped records count as sent: they were offered, the ring had no room, the consumer never sees them.
  return { sent: count, elapsedNs: Math.round(elapsedMs * 1e6), offeredRate: rate, achievedRate: count / (elapsedMs / 1000), sendErrors: 0 };
}

const { values } = parseArgs({ options: { ring: { type: 'string' } } });
if (values.ring === undefined) throw new Error('shm-ring-producer: --ring <path> is required');
const ring = ShmRing.open(values.ring);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const match = SEND_COMMAND.exec(line.trim());
  if (match === null) throw new Error(`shm-ring-producer: expected 'send <trial> <count> <rate> <size>', got ${JSON.stringify(line)}`);
  const [trial, count, rate, size] = match.slice(1).map(Number) as [number, number, number, number];
  process.stdout.write(`${JSON.stringify(sendRecords(ring, trial, count, rate, size))}\n`);
}
ring.close();
