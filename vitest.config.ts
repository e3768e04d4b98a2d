import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Socket and process tests bind real ports on loopback; files run in forks so a native
    // crash in one file cannot take the others with it.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
