/**
 * Receiver under test: node:dgram, one 'message' event per datagram (one recvmsg and one
 * Buffer each, inside libuv). The baseline zerotick is compared with.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { SEQUENCE_OFFSET, TRIAL_OFFSET } from '../datagram-layout.js';
import { serveTrials, TrialTally, type TrialCount } from '../protocol.js';
import { parseReceiverOptions, pinReceivingThread } from './options.js';

const END_CHECK_INTERVAL_MS = 10;

const { cpu, port, bufferBytes } = parseReceiverOptions();
pinReceivingThread(cpu);
const tally = new TrialTally();
let finishTrial: (() => void) | undefined;

const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: bufferBytes });
socket.on('message', (datagram: Buffer) => {
  tally.record(datagram.readUInt32LE(TRIAL_OFFSET), datagram.readUInt32LE(SEQUENCE_OFFSET));
  if (finishTrial !== undefined && tally.isComplete()) finishTrial();
});
await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));

function runTrial(trial: number, count: number): Promise<TrialCount> {
  tally.begin(trial, count, performance.now());
  return new Promise((resolve) => {
    const idleCheck = setInterval(() => {
      if (tally.isIdleAt(performance.now())) finishTrial!();
    }, END_CHECK_INTERVAL_MS);
    finishTrial = () => {
      clearInterval(idleCheck);
      finishTrial = undefined;
      resolve(tally.result(performance.now()));
    };
  });
}

await serveTrials(socket.address().port, socket.getRecvBufferSize(), runTrial);
socket.close();
