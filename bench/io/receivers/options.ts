/** Command-line options the receivers under test share. */
import { parseArgs } from 'node:util';
import { pinThreadToCpu } from '../../../src/io/affinity.js';

/**
 * SO_RCVBUF asked of every socket receiver in the loss-free sweep (the kernel doubles it;
 * rmem_max must allow it), and the memory of the SPSC and TPACKET rings there.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Datagrams per recvmmsg, records per ring read: the same batch for every batching receiver. */
export const RECEIVE_BATCH = 64;

export interface ReceiverOptions {
  /** UDP port to bind; 0 (the default) lets the kernel choose, and the ready line reports it. */
  port: number;
  /** The SPSC ring's file (its receiver only). */
  ringPath: string;
  /** Kernel receive timestamps (zerotick recvmmsg only): `--timestamps false` turns them off. */
  timestamps: boolean;
  /** `--buffer-bytes`: SO_RCVBUF request, or the ring's memory. Default RECEIVE_BUFFER_BYTES. */
  bufferBytes: number;
  /** `--force-buffer`: SO_RCVBUFFORCE where privileged, so rmem_max does not cap bufferBytes. */
  forceBuffer: boolean;
  /** `--tpacket 2|3` (the TPACKET ring receiver only). */
  tpacket: 2 | 3;
  /** `--cpu`: the core for the receiving thread (this process's main thread); undefined: left where it is. */
  cpu: number | undefined;
}

export function parseReceiverOptions(): ReceiverOptions {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      ring: { type: 'string', default: '' },
      timestamps: { type: 'string', default: 'true' },
      'buffer-bytes': { type: 'string', default: String(RECEIVE_BUFFER_BYTES) },
      'force-buffer': { type: 'boolean', default: false },
      tpacket: { type: 'string', default: '2' },
      cpu: { type: 'string' },
    },
  });
  if (values.timestamps !== 'true' && values.timestamps !== 'false') throw new Error(`--timestamps must be true or false: ${values.timestamps}`);
  if (values.tpacket !== '2' && values.tpacket !== '3') throw new Error(`--tpacket must be 2 or 3: ${values.tpacket}`);
  const bufferBytes = Number(values['buffer-bytes']);
  if (!Number.isInteger(bufferBytes) || bufferBytes <= 0) throw new Error(`--buffer-bytes must be a positive integer: ${values['buffer-bytes']}`);
  return {
    port: Number(values.port),
    ringPath: values.ring ?? '',
    timestamps: values.timestamps === 'true',
    bufferBytes,
    forceBuffer: values['force-buffer'] ?? false,
    tpacket: values.tpacket === '2' ? 2 : 3,
    cpu: values.cpu === undefined ? undefined : Number(values.cpu),
  };
}

/** Pins the calling thread, the one that receives, to `cpu` when one was given. */
export function pinReceivingThread(cpu: number | undefined): void {
  if (cpu !== undefined) pinThreadToCpu(cpu);
}

