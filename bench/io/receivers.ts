/**
 * The receivers under test, how to start each, and what feeds it. The harness interleaves its
 * trials in this order; the C loop comes first because every other rate is read against it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchDirectory, repoDirectory } from '../lib/paths.js';
import { LOAD_CPU, MEASURED_CPU } from '../lib/pinning.js';
import { RECEIVE_BATCH } from './receivers/options.js';

export type LoadKind = 'udp' | 'ring';

/** What a receiver is started with: where the SPSC ring lives, and the memory that holds its backlog. */
export interface ReceiverLaunch {
  ringPath: string;
  /** SO_RCVBUF request for a socket receiver, the ring's bytes for a ring receiver. */
  bufferBytes: number;
  /** SO_RCVBUFFORCE where privileged: rmem_max does not cap bufferBytes (socket receivers). */
  forceBuffer: boolean;
}

/** How a receiver's process is started. */
export interface ReceiverCommand {
  program: string;
  args: string[];
  /** The core the process starts on (taskset). */
  cpu: number;
}

export interface ReceiverSpec {
  name: string;
  load: LoadKind;
  /** The zerotick module the receiver exercises: when it is not in the tree, the receiver is not available in this build. */
  requires?: string;
  /** Program, arguments and core; `ringPath` only matters to the ring's receiver. */
  command(launch: ReceiverLaunch): ReceiverCommand;
  /** Measured by drain rate only, not swept: a reference point rather than a candidate. */
  drainOnly?: boolean;
  /** Swept only: it reads continuously (node:dgram's event loop), so it cannot hold a backlog to drain. */
  sweepOnly?: boolean;
  /**
   * Reads packets where they cross the device (AF_PACKET), where a UDP GSO message is still one
   * unsplit packet: its load is sent one datagram per message. Socket receivers get UDP GSO.
   */
  tapsDevice?: boolean;
}

export const C_RECEIVER = 'C recvmmsg (limit)';
export const C_RECEIVER_WITH_TIMESTAMPS = 'C recvmmsg + timestamps';
export const ZEROTICK_RECVMMSG = 'zerotick recvmmsg';
export const ZEROTICK_RECVMMSG_WITHOUT_TIMESTAMPS = 'zerotick recvmmsg, timestamps: false';
export const NODE_DGRAM = 'node:dgram';

export function cProgram(name: string): string {
  return path.join(benchDirectory, 'build', name);
}

/**
 * A receiver in Node, deployed as `zerotick run --cpu` deploys the hot path: the process starts
 * on the load core and pins only its receiving thread to the measured one, so V8's compiler and
 * GC threads stay off that core.
 */
function typeScriptReceiver(script: string, extraArgs: (launch: ReceiverLaunch) => string[] = () => []): (launch: ReceiverLaunch) => ReceiverCommand {
  return (launch) => {
    const memory = ['--buffer-bytes', String(launch.bufferBytes), ...(launch.forceBuffer ? ['--force-buffer'] : [])];
    const modulePath = path.join(benchDirectory, 'io', 'receivers', script);
    return { program: process.execPath, args: ['--import', 'tsx', modulePath, '--cpu', String(MEASURED_CPU), ...memory, ...extraArgs(launch)], cpu: LOAD_CPU };
  };
}

/** A receiver in C: one thread, the whole process on the measured core. */
function cReceiver(extraArgs: string[]): (launch: ReceiverLaunch) => ReceiverCommand {
  return (launch) => ({
    program: cProgram('udp_receiver'),
    args: ['--rcvbuf', String(launch.bufferBytes), ...(launch.forceBuffer ? ['--rcvbuf-force'] : []), '--batch', String(RECEIVE_BATCH), ...extraArgs],
    cpu: MEASURED_CPU,
  });
}

export const receivers: readonly ReceiverSpec[] = [
  { name: C_RECEIVER, load: 'udp', command: cReceiver([]) },
  // What zerotick's receiver asks of the kernel per datagram by default (a receive timestamp), in C.
  { name: C_RECEIVER_WITH_TIMESTAMPS, load: 'udp', drainOnly: true, command: cReceiver(['--timestamps']) },
  { name: ZEROTICK_RECVMMSG, load: 'udp', requires: 'src/io/udp.ts', command: typeScriptReceiver('zerotick-recvmmsg.ts') },
  {
    name: ZEROTICK_RECVMMSG_WITHOUT_TIMESTAMPS,
    load: 'udp',
    requires: 'src/io/udp.ts',
    drainOnly: true,
    command: typeScriptReceiver('zerotick-recvmmsg.ts', () => ['--timestamps', 'false']),
  },
  { name: 'zerotick TPACKET_V2 ring', load: 'udp', tapsDevice: true, requires: 'src/io/packet-ring.ts', command: typeScriptReceiver('zerotick-packet-ring.ts', () => ['--tpacket', '2']) },
  { name: 'zerotick TPACKET_V3 ring', load: 'udp', tapsDevice: true, requires: 'src/io/packet-ring.ts', command: typeScriptReceiver('zerotick-packet-ring.ts', () => ['--tpacket', '3']) },
  { name: 'zerotick SPSC ring', load: 'ring', requires: 'src/io/shm-ring.ts', command: typeScriptReceiver('zerotick-shm-ring.ts', (launch) => ['--ring', launch.ringPath]) },
  { name: NODE_DGRAM, load: 'udp', sweepOnly: true, command: typeScriptReceiver('node-dgram.ts') },
];

/** Why a receiver cannot run in this build, or undefined when it can. */
export function unavailableReason(spec: ReceiverSpec): string | undefined {
  if (spec.requires !== undefined && !existsSync(path.join(repoDirectory, spec.requires))) {
    return `${spec.requires} is not in this build`;
  }
  return undefined;
}
