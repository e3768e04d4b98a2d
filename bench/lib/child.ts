/**
 * The two ends of a suite child process: the harness (run.ts) starts it with `--quick` when asked
 * and reads one JSON document from its stdout; progress goes to stderr.
 */
import path from 'node:path';
import { runToCompletion } from './managed-process.js';


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

/** Runs a TypeScript entry point under tsx in its own process and parses the JSON it prints last. */
export async function runTypeScriptChild<T>(scriptPath: string, args: string[], options: ChildOptions = {}): Promise<T> {
  const nodeArgs = [...(options.nodeFlags ?? []), '--import', 'tsx', scriptPath, ...args];
  return runToCompletion<T>(path.basename(scriptPath), process.execPath, nodeArgs, options.cpu);
}
