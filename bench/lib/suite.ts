/** A benchmark suite as the harness sees it: something that runs in child processes and renders its own section. */
import type { MachineInfo } from './machine.js';

export type SuiteName = 'codec' | 'io' | 'scrape' | 't2t' | 'replay' | 'backtest';

export interface SuiteRun<T> {
  suite: SuiteName;
  quick: boolean;
  machine: MachineInfo;
  result: T;
}

export interface Suite<T> {
  name: SuiteName;
  title: string;
  run(quick: boolean): Promise<T>;
  /** The suite's section of RESULTS.md, starting with a `##` heading. */
  render(run: SuiteRun<T>): string;
}
