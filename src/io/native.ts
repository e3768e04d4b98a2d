/**
 * The one place that loads native/build/libzerotick.so and libc through koffi.
 * Bindings for each mechanism live in their own module (pool.ts, udp.ts, ...) and declare
 * their functions against `nativeLibrary` here, once, at module load.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const libraryPath = fileURLToPath(new URL('../../native/build/libzerotick.so', import.meta.url));

function loadNativeLibrary(): ReturnType<typeof koffi.load> {
  if (!existsSync(libraryPath)) {
    throw new Error(`zerotick native library not built: ${libraryPath} is missing (run \`npm install\` or \`make -C native\`)`);
  }
  return koffi.load(libraryPath);
}

export const nativeLibrary = loadNativeLibrary();
export const libc = koffi.load('libc.so.6');

/**
 * Nanoseconds since the epoch (CLOCK_REALTIME) as a double: comparable with kernel receive
 * timestamps. Each call boxes its result (a koffi double return): for hot paths use
 * NanosecondClock (clock.ts), which allocates nothing.
 */
export const realtimeNanos: () => number = nativeLibrary.func('double zt_realtime_ns(void)');
/** Nanoseconds from CLOCK_MONOTONIC as a double. */
export const monotonicNanos: () => number = nativeLibrary.func('double zt_monotonic_ns(void)');

export { koffi };
