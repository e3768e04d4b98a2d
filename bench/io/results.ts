/** What the I/O suite measures and saves (bench/build/results/io.json), and its report reads. */
import type { ReceiverSweep } from './sweep.js';

export interface PayloadSweep {
  payloadBytes: number;
  /** Datagrams per second the sender reached alone, flat out, with no receiver. */
  senderCeiling?: number;
  sweeps: ReceiverSweep[];
  /** Receivers that could not run, with the reason. */
  unavailable: Record<string, string>;
}

export interface IoSuiteResult {
  payloads: PayloadSweep[];
  trialDurationMs: number;
  ladder: number[];
  bisectionSteps: number;
  receiveBufferBytes: number;
  batch: number;
  pinning: string;
}
