/** Command-line options the receivers under test share. */
import { parseArgs } from 'node:util';

/** SO_RCVBUF asked of every socket receiver (the kernel doubles it; rmem_max must allow it), and the SPSC ring's capacity. */
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
}

export function parseReceiverOptions(): ReceiverOptions {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, ring: { type: 'string', default: '' }, timestamps: { type: 'string', default: 'true' } },
  });
  if (values.timestamps !== 'true' && values.timestamps !== 'false') throw new Error(`--timestamps must be true or false: ${values.timestamps}`);
  return { port: Number(values.port), ringPath: values.ring ?? '', timestamps: values.timestamps === 'true' };
}
