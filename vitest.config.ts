import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Generated codecs import their runtime as `zerotick/sbe`; under vitest that is the source,
    // so tests and generated code share one SbeBoundsError class (and need no build first).
    alias: { 'zerotick/sbe': fileURLToPath(new URL('./src/sbe/runtime/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Socket and process tests bind real ports on loopback; files run in forks so a native
    // crash in one file cannot take the others with it.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
