import { describe, expect, it } from 'vitest';
import { keptSection, renderResults, type SavedSuite } from '../../bench/lib/results-file.js';
import type { SuiteRun } from '../../bench/lib/suite.js';

const MACHINE = { cpuModel: 'Test CPU', cores: 2, kernel: '6.0.0', node: 'v20.0.0' };

const EARLIER = [
  '# zerotick benchmark results',
  '',
  '## Machine',
  '',
  '- CPU: Test CPU, 2 cores',
  '- Date: 2026-11-20T10:00:00.000Z',
  '',
  '## Codec: ns per message, decode and encode (bench/codec)',
  '',
  '| format | decode |',
  '| zerotick | 106 ns |',
  '',
  '## I/O',
  '',
  'Not run yet: `npm run bench -- --only io`.',
  '',
  '## Tick-to-trade',
  '',
  'old t2t table',
  '',
].join('\n');

function suite(name: 'codec' | 'io' | 't2t', title: string): SavedSuite['suite'] {
  return { name, title, render: (run) => `## ${title}\n\nrendered from the run of ${run.machine.date}` };
}

function savedRun(name: 'codec' | 'io' | 't2t', date: string): SuiteRun<unknown> {
  return { suite: name, quick: false, machine: { ...MACHINE, date }, result: {} };
}

describe('RESULTS.md rendering', () => {
  it('keeps the sections of suites with no saved run from the file it replaces, marked as kept', () => {
    const rendered = renderResults(
      [
        { suite: suite('codec', 'Codec'), run: undefined },
        { suite: suite('io', 'I/O'), run: undefined },
        { suite: suite('t2t', 'Tick-to-trade'), run: savedRun('t2t', '2026-11-26T23:00:00.000Z') },
      ],
      EARLIER,
    );
    expect(rendered).toContain('- Date: 2026-11-26T23:00:00.000Z');
    expect(rendered).toContain(
      '## Codec: ns per message, decode and encode (bench/codec)\n\n_Kept from the RESULTS.md dated 2026-11-20T10:00:00.000Z: this checkout has no saved run of the suite (bench/build/results)._\n\n| format | decode |\n| zerotick | 106 ns |\n',
    );
    expect(rendered).toContain('## I/O\n\nNot run yet: `npm run bench -- --only io`.');
    expect(rendered).toContain('## Tick-to-trade\n\nrendered from the run of 2026-11-26T23:00:00.000Z');
    expect(rendered).not.toContain('old t2t table');
  });

  it('marks a section kept again only once, with the date it was first kept under', () => {
    const once = keptSection(EARLIER, 'Codec')!;
    const later = EARLIER.replace('2026-11-20T10:00:00.000Z', '2026-11-25T10:00:00.000Z').replace(/## Codec[^]*?(?=## I\/O)/, `${once}\n\n`);
    const twice = keptSection(later, 'Codec')!;
    expect(twice).toBe(once);
    expect(twice.match(/_Kept from/g)).toHaveLength(1);
  });

  it('keeps nothing for a title the file does not have, or a suite it had not run', () => {
    expect(keptSection(EARLIER, 'Backtest')).toBeUndefined();
    expect(keptSection(EARLIER, 'I/O')).toBeUndefined();
    expect(keptSection(EARLIER, 'Tick')).toBeUndefined();
  });

  it('keeps the earlier machine block when no suite has a saved run (--render-only in a fresh clone)', () => {
    const rendered = renderResults([{ suite: suite('codec', 'Codec'), run: undefined }], EARLIER);
    expect(rendered).toContain('## Machine\n\n- CPU: Test CPU, 2 cores\n- Date: 2026-11-20T10:00:00.000Z\n\n## Codec');
  });

  it('says "Not run yet" for every suite when there is neither a saved run nor an earlier file', () => {
    const rendered = renderResults([{ suite: suite('codec', 'Codec'), run: undefined }], undefined);
    expect(rendered).toContain('No suite has run yet.');
    expect(rendered).toContain('## Codec\n\nNot run yet: `npm run bench -- --only codec`.');
  });
});
