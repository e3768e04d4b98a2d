/**
 * bench/RESULTS.md from the latest saved run of every suite. A suite with no saved run here (a
 * fresh clone has none: bench/build is not committed) keeps its section from the RESULTS.md being
 * replaced, marked as such, so that running one suite does not wipe the others' figures.
 */
import type { MachineInfo } from './machine.js';
import type { Suite, SuiteRun } from './suite.js';

const KEPT_MARK = '_Kept from the RESULTS.md dated';
/** Begins the section of a suite that has never run: such a section is not kept. */
const NOT_RUN_YET = 'Not run yet: ';

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
    return kept ?? `## ${suite.title}\n\n${NOT_RUN_YET}\`npm run bench -- --only ${suite.name}\`.`;
  });
  return [
    '# zerotick benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); do not edit by hand. Absolute times are noisy on this machine: compare rows within one section, which come from one run.',
    '',
    '## Machine',
    '',
    machineBlock(latest, previous),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
}

/** The newest saved run's machine; with none, the earlier file's block, whose sections are all kept. */
function machineBlock(latest: MachineInfo | undefined, previous: string | undefined): string {
  if (latest !== undefined) return renderMachine(latest);
  return (previous === undefined ? undefined : /^## Machine\n\n((?:- .*\n?)+)/m.exec(previous)?.[1]?.trimEnd()) ?? 'No suite has run yet.';
}

function renderMachine(machine: MachineInfo): string {
  return [
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- Kernel: ${machine.kernel}`,
    `- Node: ${machine.node}`,
    `- Date: ${machine.date}`,
  ].join('\n');
}

/**
 * The section of `markdown` headed `## <title>` (or `## <title>: ...`), marked as kept with the
 * date of that file's machine block (once: a section kept again keeps its first mark);
 * undefined when there is none or it had not run.
 */
export function keptSection(markdown: string, title: string): string | undefined {
  const section = markdown
    .split(/^(?=## )/m)
    .map((text) => text.trimEnd())
    .find((text) => {
      const heading = firstLine(text).slice('## '.length);
      return heading === title || heading.startsWith(`${title}:`);
    });
  if (section === undefined || section.includes(`\n${NOT_RUN_YET}`)) return undefined;
  if (section.includes(`\n\n${KEPT_MARK}`)) return section;
  const date = /^- Date: (.+)$/m.exec(markdown)?.[1] ?? 'unknown';
  const heading = firstLine(section);
  const rest = section.slice(heading.length).replace(/^\n+/, '');
  return `${heading}\n\n${KEPT_MARK} ${date}: this checkout has no saved run of the suite (bench/build/results)._\n\n${rest}`.trimEnd();
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
