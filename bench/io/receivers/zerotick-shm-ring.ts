/**
 * Receiver under test: zerotick's SPSC shared-memory ring (src/io/shm-ring.ts), consumer side,
 * busy-polling batches of RECEIVE_BATCH records. It creates the ring at --ring; the producer
 * (bench/io/shm-ring-producer.ts) opens it. A record is this suite's "packet".
 */
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ShmRing } from '../../../src/io/shm-ring.js';
import { SEQUENCE_OFFSET, TRIAL_OFFSET } from '../datagram-layout.js';
import { serveTrials, TrialTally, type TrialCount } from '../protocol.js';
import { parseReceiverOptions, pinReceivingThread, RECEIVE_BATCH } from './options.js';

const { cpu, ringPath, bufferBytes } = parseReceiverOptions();
pinReceivingThread(cpu);
const ring = ShmRing.create(ringPath, bufferBytes);
const tally = new TrialTally();

/** Made once: read() calls it per record with the ring's own view. */
function countRecord(view: DataView, offset: number): void {
  tally.record(view.getUint32(offset + TRIAL_OFFSET, true), view.getUint32(offset + SEQUENCE_OFFSET, true));
}

function runTrial(trial: number, count: number): TrialCount {
  tally.begin(trial, count, performance.now());
  while (!tally.isComplete()) {
    if (ring.read(countRecord, RECEIVE_BATCH) === 0) {
      if (tally.idleAfterEmptyPoll()) break;
      continue;
    }
  }
  return tally.result(performance.now());
}

await serveTrials(0, bufferBytes, runTrial);
ring.close();
rmSync(ringPath, { force: true });
