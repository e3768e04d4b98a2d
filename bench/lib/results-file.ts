/**
 * bench/RESULTS.md from the latest saved run of every suite. A suite with no saved run here (a
 * fresh clone has none: bench/build is not committed) keeps its section from the RESULTS.md being
 * replaced, marked as such, so that running one suite does not wipe the others' figures.
 */
import type { MachineInfo } from './machine.js';
import type { Suite, SuiteRun } from './suite.js';

const KEPT_MARK = '_Kept from the RESULTS.md dated';

export interface SavedSuite {
  suite: Pick<Suite<unknown>, 'name' | 'title' | 'render'>;
  run: SuiteRun<unknown> | undefined;
}

export function renderResults(saved: readonly SavedSuite[], previous: string | undefined): string {
  const latest = saved
    .flatMap(({ run }) => (run === undefined ? [] : [run.machine]))
    .reduce<MachineInfo | undefined>((newest, machine) => (newest === undefined || machine.date > newest.date ? machine : newest), undefined);
  const sections = saved.map(({ suite, run }) => {
    if (run !== undefined) return suite.render(run);
    const kept = previous === undefined ? undefined : keptSection(previous, suite.title);
    return kept ?? `## ${suite.title}\n\nNot run yet: \`npm run bench -- --only ${suite.name}\`.`;
  });
  return [
    '# zerotick benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Absolute times are noisy on this machine: compare rows within one section, which come from one run.',
    '',
    '## Machine',
    '',
    latest !== undefined ? renderMachine(latest) : ((previous === undefined ? undefined : previousMachine(previous)) ?? 'No suite has run yet.'),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}

function renderMachine(machine: MachineInfo): string {
  return [
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- Kernel: ${machine.kernel}`,
    `- Node: ${machine.node}`,
    `- Date: ${machine.date}`,
  ].join('\n');
}

/** The machine block of an earlier RESULTS.md, for a file whose every section is kept. */
function previousMachine(markdown: string): string | undefined {
  return /^## Machine\n\n((?:- .*\n?)+)/m.exec(markdown)?.[1]?.trimEnd();
}

/**
 * The section of `markdown` headed `## <title>` (or `## <title>: ...`), marked as kept with the
 * date of that file's machine block (once: a section kept again keeps its first mark);
 * undefined when there is none or it had not run.
 */
export function keptSection(markdown: string, title: string): string | undefined {
  const sections = markdown.split(/^(?=## )/m);
  const section = sections.find((text) => {
    const heading = text.slice(3, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).trim();
    return heading === title || heading.startsWith(`${title}:`);
  });
  if (section === undefined || section.includes('\nNot run yet: ')) return undefined;
  const body = section.trimEnd();
  if (body.includes(`\n\n${KEPT_MARK}`)) return body;
  const date = /^- Date: (.+)$/m.exec(markdown)?.[1] ?? 'unknown';
  const headingEnd = body.indexOf('\n');
  const heading = headingEnd === -1 ? body : body.slice(0, headingEnd);
  const rest = headingEnd === -1 ? '' : body.slice(headingEnd).replace(/^\n+/, '');
  return `${heading}\n\n${KEPT_MARK} ${date}: this checkout has no saved run of the suite (bench/build/results)._\n\n${rest}`.trimEnd();
}
