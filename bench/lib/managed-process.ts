/**
 * A long-lived child process spoken to in lines: commands on its stdin, one JSON document per
 * line on its stdout, stderr passed through. Used by the I/O suite for receivers and producers
 * that serve many trials, so process start-up never lands inside a measurement.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoDirectory } from './child.js';
import { withCpuPinning } from './pinning.js';

const STOP_GRACE_MS = 5_000;

export class ManagedProcess {
  readonly label: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pendingLines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private exitError: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(label: string, command: string, args: readonly string[], cpu: number | undefined) {
    this.label = label;
    const [pinnedCommand, pinnedArgs] = withCpuPinning(command, args, cpu);
    this.child = spawn(pinnedCommand, pinnedArgs, { cwd: repoDirectory, stdio: ['pipe', 'pipe', 'inherit'] }) as unknown as ChildProcessWithoutNullStreams;
    createInterface({ input: this.child.stdout }).on('line', (line) => this.deliver(line));
    this.exited = new Promise((resolve) => {
      const fail = (reason: string): void => {
        this.exitError = new Error(`${label}: ${reason}`);
        this.waiter?.reject(this.exitError);
        this.waiter = undefined;
        resolve();
      };
      this.child.on('error', (error) => fail(error.message));
      // 'close', not 'exit': it comes after stdout has ended, so every line printed has been delivered.
      this.child.on('close', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    });
  }

  /** The next JSON line the process prints. */
  async nextMessage<T>(): Promise<T> {
    const line = await this.nextLine();
    try {
      return JSON.parse(line) as T;
    } catch {
      throw new Error(`${this.label}: expected a JSON line, got ${JSON.stringify(line)}`);
    }
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Closes stdin (the process's signal to finish) and waits for it to exit; kills it if it does not. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private nextLine(): Promise<string> {
    const line = this.pendingLines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.exitError !== undefined) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private deliver(line: string): void {
    if (this.waiter === undefined) {
      this.pendingLines.push(line);
      return;
    }
    const { resolve } = this.waiter;
    this.waiter = undefined;
    resolve(line);
  }
}

/** Runs a command to completion and parses the last line of its stdout as JSON. */
export async function runToCompletion<T>(label: string, command: string, args: readonly string[], cpu: number | undefined): Promise<T> {
  const process = new ManagedProcess(label, command, args, cpu);
  let last: T | undefined;
  try {
    for (;;) last = await process.nextMessage<T>();
  } catch (error) {
    if (last === undefined) throw error;
  }
  return last;
}
