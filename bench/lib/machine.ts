/** The machine a run happened on: printed at the top of RESULTS.md so figures are never read without it. */
import os from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine shows here. */
  loadAverage?: number;
}

export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    kernel: os.release(),
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: os.loadavg()[0]!,
  };
}
