/**
 * The two ends of a suite child process: the harness (run.ts) starts it with `--quick` when asked
 * and reads one JSON document from its stdout; progress goes to stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { withCpuPinning } from './pinning.js';

export const benchDirectory = fileURLToPath(new URL('..', import.meta.url));
export const repoDirectory = fileURLToPath(new URL('../..', import.meta.url));

export function isQuick(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--quick');
}

export function writeResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function logProgress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export interface ChildOptions {
  /** CPU to pin the child to with taskset, when taskset exists and the machine has that CPU. */
  cpu?: number;
  nodeFlags?: string[];
}

/** Runs a TypeScript entry point under tsx in its own process and parses the JSON it prints. */
export async function runTypeScriptChild<T>(scriptPath: string, args: string[], options: ChildOptions = {}): Promise<T> {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', scriptPath, ...args];
  const [command, commandArgs] = withCpuPinning(process.execPath, nodeArgs, options.cpu);
  const child = spawn(command, commandArgs, { cwd: repoDirectory, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (exitCode !== 0) {
    throw new Error(`${scriptPath} exited with code ${exitCode}`);
  }
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as T;
}
