import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that count GC runs of hot loops: V8's optimising compiler decides what they measure, and
 * it compiles late on a CPU shared with other test files (code not yet optimised boxes its
 * doubles), so they run last, one at a time, each loop in a process or worker thread of its own where
 * vitest's own messages cannot allocate during it. Measured that way, those run 5 to 10 times in a
 * row saw no extra GC; a failed test still runs once more (the compile can land late on a loaded
 * machine), each run held to its exact count, so a regression that allocates per message fails both.
 */
const RUN_ALONE = ['test/**/*-zero-gc.test.ts', 'test/**/*zero-alloc*.test.ts'];

export default defineConfig({
  resolve: {
    // Generated codecs import their runtime as `zerotick/sbe`; under vitest that is the source,
    // so tests and generated code share one SbeBoundsError class (and need no build first).
    alias: { 'zerotick/sbe': fileURLToPath(new URL('./src/sbe/runtime/index.ts', import.meta.url)) },
  },
  test: {
    // Socket and process tests bind real ports on loopback; files run in forks so a native
    // crash in one file cannot take the others with it.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...RUN_ALONE], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: RUN_ALONE, sequence: { groupOrder: 1 }, fileParallelism: false, retry: 1 } },
    ],
  },
});
