/** What the codec suite's child processes print (one JSON document on stdout) and the report reads. */
import type { MessageKind } from './codec.js';

export interface CodecMeasurement {
  message: MessageKind;
  codec: string;
  encodedLength: number;
  decodeNs: number;
  encodeNs: number;
  decodeGcCount: number;
  encodeGcCount: number;
  /** Bytes allocated per message (sampling heap profiler). */
  decodeBytes?: number;
  encodeBytes?: number;
  rounds: number;
}

export interface CodecSuiteResult {
  measurements: CodecMeasurement[];
  /** Why zerotick's own codecs are missing from the table, when they are. */
  zerotickUnavailable?: string;
  /** Whether zerotick's Car encoding equals the reference encoder's golden file, byte for byte. */
  carMatchesGolden?: boolean;
}

export interface SteadyStateResult {
  message: MessageKind;
  iterations: number;
  elapsedMs: number;
  gcCount: number;
}

export interface SteadyStateSuiteResult {
  loops: SteadyStateResult[];
  unavailable?: string;
}

/** Everything one codec suite run saved. */
export interface CodecSuiteRun {
  codec: CodecSuiteResult;
  steadyState: SteadyStateSuiteResult;
  pinnedCpu: number | null;
  /** Niceness the measuring processes ran at (0: not raised). */
  niceness?: number;
}
