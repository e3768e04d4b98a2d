import { checkResult } from './errors.js';
import { nativeLibrary } from './native.js';

const ztPinThreadToCpu: (cpu: number) => number = nativeLibrary.func('int zt_pin_thread_to_cpu(int cpu)');
const ztCurrentCpu: () => number = nativeLibrary.func('int zt_current_cpu(void)');

/** Pins the calling thread (main or worker) to `cpu` with sched_setaffinity. */
export function pinThreadToCpu(cpu: number): void {
  checkResult(ztPinThreadToCpu(cpu), 'sched_setaffinity', `cpu ${cpu}`);
}

export function currentCpu(): number {
  return checkResult(ztCurrentCpu(), 'sched_getcpu');
}
