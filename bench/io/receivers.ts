/**
 * The receivers under test, how to start each, and what feeds it. The harness interleaves its
 * trials in this order; the C loop comes first because every other rate is read against it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchDirectory, repoDirectory } from '../lib/paths.js';
import { RECEIVE_BATCH, RECEIVE_BUFFER_BYTES } from './receivers/options.js';

export type LoadKind = 'udp' | 'ring';

export interface ReceiverSpec {
  name: string;
  load: LoadKind;
  /** The zerotick module the receiver exercises: when it is not in the tree, the receiver is not available in this build. */
  requires?: string;
  /** Program and arguments; `ringPath` only matters to the ring's receiver. */
  command(ringPath: string): [string, string[]];
  /** Measured by drain rate only, not swept: a reference point rather than a candidate. */
  drainOnly?: boolean;
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

function typeScriptReceiver(script: string, extraArgs: (ringPath: string) => string[] = () => []): (ringPath: string) => [string, string[]] {
  return (ringPath) => [process.execPath, ['--import', 'tsx', path.join(benchDirectory, 'io', 'receivers', script), ...extraArgs(ringPath)]];
}

const C_RECEIVER_ARGS = ['--rcvbuf', String(RECEIVE_BUFFER_BYTES), '--batch', String(RECEIVE_BATCH)];

export const receivers: readonly ReceiverSpec[] = [
  { name: C_RECEIVER, load: 'udp', command: () => [cProgram('udp_receiver'), C_RECEIVER_ARGS] },
  // What zerotick's receiver asks of the kernel per datagram by default (a receive timestamp), in C.
  { name: C_RECEIVER_WITH_TIMESTAMPS, load: 'udp', drainOnly: true, command: () => [cProgram('udp_receiver'), [...C_RECEIVER_ARGS, '--timestamps']] },
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
  { name: 'zerotick SPSC ring', load: 'ring', requires: 'src/io/shm-ring.ts', command: typeScriptReceiver('zerotick-shm-ring.ts', (ringPath) => ['--ring', ringPath]) },
  { name: NODE_DGRAM, load: 'udp', command: typeScriptReceiver('node-dgram.ts') },
];

/** Why a receiver cannot run in this build, or undefined when it can. */
export function unavailableReason(spec: ReceiverSpec): string | undefined {
  if (spec.requires !== undefined && !existsSync(path.join(repoDirectory, spec.requires))) {
    return `${spec.requires} is not in this build`;
  }
  return undefined;
}
