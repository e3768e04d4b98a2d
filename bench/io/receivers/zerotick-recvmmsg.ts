/**
 * Receiver under test: zerotick's recvmmsg busy-poll (src/io/udp.ts), batches of RECEIVE_BATCH
 * datagrams straight into pool slots, read in place through the pool's one DataView. It asks the
 * kernel for what the feed handler (UdpSource) asks: a receive timestamp per datagram, no source
 * address; `--timestamps false` measures the receiver without timestamps.
 */
import { performance } from 'node:perf_hooks';
import { BufferPool } from '../../../src/io/pool.js';
import { BUSY_POLL, UdpReceiver } from '../../../src/io/udp.js';
import { SEQUENCE_OFFSET, TRIAL_OFFSET } from '../datagram-layout.js';
import { serveTrials, TrialTally, type TrialCount } from '../protocol.js';
import { parseReceiverOptions, pinReceivingThread, RECEIVE_BATCH } from './options.js';

const SLOT_BYTES = 2048;

const { cpu, port, timestamps, bufferBytes, forceBuffer } = parseReceiverOptions();
pinReceivingThread(cpu);
const pool = BufferPool.create({ slotSize: SLOT_BYTES, slotCount: RECEIVE_BATCH * 2 });
const receiver = UdpReceiver.open(pool, {
  port,
  bindAddress: '127.0.0.1',
  batchSize: RECEIVE_BATCH,
  receiveBufferBytes: bufferBytes,
  forceReceiveBuffer: forceBuffer,
  sourceAddress: false,
  timestamps,
});
const tally = new TrialTally();

function runTrial(trial: number, count: number): TrialCount {
  const view = pool.view;
  tally.begin(trial, count, performance.now());
  while (!tally.isComplete()) {
    const received = receiver.receive(BUSY_POLL);
    if (received === 0) {
      if (tally.idleAfterEmptyPoll()) break;
      continue;
    }
    for (let position = 0; position < received; position++) {
      const offset = receiver.offset(position);
      tally.record(view.getUint32(offset + TRIAL_OFFSET, true), view.getUint32(offset + SEQUENCE_OFFSET, true));
    }
  }
  return tally.result(performance.now());
}

await serveTrials(receiver.localPort, receiver.receiveBufferBytes!, runTrial);
receiver.close();
pool.destroy();
