/** The I/O suite (filled in below). */
import type { Suite } from '../lib/suite.js';

export const ioSuite: Suite<{ unavailable: string }> = {
  name: 'io',
  title: 'I/O',
  run: async () => ({ unavailable: 'not written yet' }),
  render: (run) => `## I/O\n\n${run.result.unavailable}`,
};
