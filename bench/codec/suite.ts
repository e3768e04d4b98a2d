/**
 * The codec suite as the harness runs it: the measuring process (main.ts), then the steady-state
 * process (steady-state.ts), each on the measured core; report.ts writes its RESULTS.md section.
 */
import { fileURLToPath } from 'node:url';
import type { CodecSuiteResult, CodecSuiteRun, SteadyStateSuiteResult } from './results.js';
import { renderCodecSection } from './report.js';
import { runTypeScriptChild } from '../lib/child.js';
import { canPinToSeparateCores, measurementNiceness, MEASURED_CPU } from '../lib/pinning.js';
import type { Suite } from '../lib/suite.js';

/** Both processes count collections and force one before the steady-state loop. */
const GC_FLAGS = ['--expose-gc'];

async function run(quick: boolean): Promise<CodecSuiteRun> {
  const flags = quick ? ['--quick'] : [];
  const cpu = canPinToSeparateCores() ? MEASURED_CPU : undefined;
  const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
  const codec = await runTypeScriptChild<CodecSuiteResult>(script('main.ts'), flags, { cpu, nodeFlags: GC_FLAGS });
  const steadyState = await runTypeScriptChild<SteadyStateSuiteResult>(script('steady-state.ts'), flags, { cpu, nodeFlags: GC_FLAGS });
  return { codec, steadyState, pinnedCpu: cpu ?? null, niceness: measurementNiceness() };
}

export const codecSuite: Suite<CodecSuiteRun> = { name: 'codec', title: 'Codec', run, render: renderCodecSection };
