/**
 * Receiver under test: zerotick's AF_PACKET ring on `lo` (src/io/packet-ring.ts), TPACKET_V2
 * (`--tpacket 2`, a frame per datagram) or TPACKET_V3 (`--tpacket 3`, blocks), busy-polling
 * batches of RECEIVE_BATCH frames read in place. Both rings get `--buffer-bytes` of frames, the
 * memory the socket receivers get as SO_RCVBUF.
 *
 * A plain UDP socket is bound to the port too, with a minimal buffer and never read: it gives
 * the kernel somewhere to deliver (no ICMP port-unreachable per datagram) and reserves the port.
 */
import { performance } from 'node:perf_hooks';
import { PacketRing } from '../../../src/io/packet-ring.js';
import { BufferPool } from '../../../src/io/pool.js';
import { UdpReceiver } from '../../../src/io/udp.js';
import { SEQUENCE_OFFSET, TRIAL_OFFSET } from '../datagram-layout.js';
import { serveTrials, TrialTally, type TrialCount } from '../protocol.js';
import { parseReceiverOptions, pinReceivingThread, RECEIVE_BATCH } from './options.js';

const FRAME_BYTES = 2048;
const V2_BLOCK_BYTES = 64 * 1024;
const V3_BLOCK_BYTES = 128 * 1024;
const SINK_RECEIVE_BUFFER_BYTES = 4096;

const { cpu, tpacket: version, bufferBytes } = parseReceiverOptions();
pinReceivingThread(cpu);
const blockSize = version === 2 ? V2_BLOCK_BYTES : V3_BLOCK_BYTES;

const sinkPool = BufferPool.create({ slotSize: FRAME_BYTES, slotCount: 2 });
const sink = UdpReceiver.open(sinkPool, { port: 0, bindAddress: '127.0.0.1', batchSize: 1, receiveBufferBytes: SINK_RECEIVE_BUFFER_BYTES });
const ring = PacketRing.open({
  interfaceName: 'lo',
  udpPort: sink.localPort,
  version,
  frameSize: FRAME_BYTES,
  blockSize,
  blockCount: bufferBytes / blockSize,
});
const tally = new TrialTally();

/** Made once: poll() calls it per datagram with the ring's own view. */
function countDatagram(view: DataView, payloadOffset: number): void {
  tally.record(view.getUint32(payloadOffset + TRIAL_OFFSET, true), view.getUint32(payloadOffset + SEQUENCE_OFFSET, true));
}

function runTrial(trial: number, count: number): TrialCount {
  tally.begin(trial, count, performance.now());
  while (!tally.isComplete()) {
    if (ring.poll(countDatagram, RECEIVE_BATCH) === 0) {
      if (tally.idleAfterEmptyPoll()) break;
      continue;
    }
  }
  return tally.result(performance.now());
}

await serveTrials(sink.localPort, bufferBytes, runTrial);
ring.close();
sink.close();
sinkPool.destroy();
