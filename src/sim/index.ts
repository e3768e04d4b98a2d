/** The exchange simulator's public surface: start one, read its counters and tick-to-trade, stop it. */
export {
  DEFAULT_BOOK_DEPTH,
  DEFAULT_INSTRUMENT_COUNT,
  DEFAULT_LISTEN,
  DEFAULT_RATE,
  DEFAULT_SEED,
  DEFAULT_SNAPSHOT_INTERVAL_MS,
  startSimulator,
  type Simulator,
  type SimulatorCounters,
  type SimulatorOptions,
} from './simulator.js';
export type { LatencySummary } from './tick-to-trade.js';
export type { InstrumentSpec } from './instruments.js';
export type { UdpEndpoint, TcpEndpoint } from './endpoints.js';
