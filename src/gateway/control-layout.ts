/**
 * Control words from the main thread to the hot-path worker: one small SharedArrayBuffer of
 * int32 words, stored and loaded with Atomics. The worker reads them once per loop pass (an
 * uncontended load), so a request costs the hot path nothing until it is made.
 *
 *   word 0  STOP_REQUESTED         1: run onStop hooks, flush, close, exit
 *   word 1  KILL_SWITCH_REQUESTED  1: block new orders and cancel working ones; 0: release
 */
export const STOP_REQUESTED = 0;
export const KILL_SWITCH_REQUESTED = 1;
export const CONTROL_WORD_COUNT = 2;
export const CONTROL_BYTE_LENGTH = CONTROL_WORD_COUNT * Int32Array.BYTES_PER_ELEMENT;

export function createControlWords(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_BYTE_LENGTH));
}
