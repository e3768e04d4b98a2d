import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const peer = (relative: string): string => join(repoRoot, '../shared/peer', relative);
const fixture = (name: string): string => join(repoRoot, 'test/fixtures/schemas', name);

/** Runs `zerotick sbe validate <schema>` from source, as a user would through tsx. */
function validate(schemaPath: string): { status: number | null; stdout: string[]; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'sbe', 'validate', schemaPath], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout.split('\n').filter((line) => line !== ''), stderr: result.stderr };
}

describe('zerotick sbe validate', () => {
  test('a valid schema: summary only, exit 0', () => {
    const schema = peer('sbe-golden/example-schema.xml');
    const { status, stdout, stderr } = validate(schema);
    expect(stdout).toEqual([`${schema}: valid, 0 errors, 0 warnings`]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  test('warnings alone still exit 0', () => {
    const schema = peer('sbe-schemas/npe-small-header.xml');
    const { status, stdout } = validate(schema);
    expect(stdout).toEqual([
      `${schema}:13:13: warning: 'version' of message header type 'messageHeader' should be uint16`,
      `${schema}:15:13: warning: 'templateId' of message header type 'messageHeader' should be uint16`,
      `${schema}:17:13: warning: 'blockLength' of message header type 'messageHeader' should be uint16`,
      `${schema}: valid, 0 errors, 3 warnings`,
    ]);
    expect(status).toBe(0);
  });

  test('an invalid schema: one diagnostic per line, then the summary, exit 1', () => {
    const schema = fixture('enum-value-out-of-range.xml');
    const { status, stdout } = validate(schema);
    expect(stdout).toEqual([
      `${schema}:8:13: error: validValue 'Sell' of enum 'Side' is 300, outside uint8 range 0..254`,
      `${schema}: invalid, 1 error, 0 warnings`,
    ]);
    expect(status).toBe(1);
  });

  test.each([
    ['a missing file', join(repoRoot, 'no-such-schema.xml'), 'cannot read'],
    ['a directory', repoRoot, 'cannot read'],
    ['a binary capture', peer('mdp3/v1.9-MdIncrementalRefreshBook.pcap'), 'not an XML document: the file is binary'],
    ['malformed XML', fixture('not-well-formed.xml'), 'not well-formed XML'],
  ])('%s is a diagnostic, never a stack trace', (_case, schemaPath, reason) => {
    const { status, stdout, stderr } = validate(schemaPath);
    expect(stdout[0]).toMatch(new RegExp(`^.+:\\d+:\\d+: error: ${reason}`));
    expect(stdout.at(-1)).toMatch(/: invalid, 1 error, 0 warnings$/);
    expect(stdout.join('\n') + stderr).not.toMatch(/\n\s+at /);
    expect(status).toBe(1);
  });
});
