/** The public surface of the zerotick package. */
export * from './sbe/ir.js';
export * from './sbe/diagnostics.js';
export * from './sbe/parser.js';
export * from './io/pool.js';
export * from './io/udp.js';
export * from './io/tcp-sender.js';
export * from './sbe/otf.js';
export * from './io/pcap.js';
export * from './io/ipv4.js';
export * from './sbe/generator.js';
export * from './feed/index.js';
export * from './order/index.js';
export * from './io/shm-ring.js';
export * from './io/packet-ring.js';
export { startSimulator, type Simulator, type SimulatorCounters, type SimulatorOptions, type LatencySummary } from './sim/index.js';
export * from './io/udp-sender.js';
export { PcapFileWriter, rotatedPath, type CaptureFileFormat, type PcapFileWriterOptions } from './io/pcap-file-writer.js';
export * from './replay/index.js';
