/**
 * A long-lived child process spoken to in lines: commands on its stdin, one JSON document per
 * line on its stdout, stderr passed through (and its last lines quoted if the process fails). Used by the I/O suite for receivers and producers
 * that serve many trials, so process start-up never lands inside a measurement.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { repoDirectory } from './paths.js';
import { withCpuPinning } from './pinning.js';

const STOP_GRACE_MS = 5_000;
/** Lines of stderr kept to find an uncaught exception's message (Node prints it above its stack). */
const STDERR_LINES_KEPT = 40;
const EXCEPTION_LINE = /^[A-Za-z]*Error\b/;

export class ManagedProcess {
  readonly label: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pendingLines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private exitError: Error | undefined;
  private readonly exited: Promise<number | null>;

  /** `environment`: variables set for the child on top of this process's. */
  constructor(label: string, command: string, args: readonly string[], cpu: number | undefined, environment: Record<string, string> = {}) {
    this.label = label;
    const [pinnedCommand, pinnedArgs] = withCpuPinning(command, args, cpu);
    this.child = spawn(pinnedCommand, pinnedArgs, { cwd: repoDirectory, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...environment } });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.deliver(line));
    const stderrTail: string[] = [];
    createInterface({ input: this.child.stderr }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      if (line.trim() !== '') stderrTail.push(line.trim());
      if (stderrTail.length > STDERR_LINES_KEPT) stderrTail.shift();
    });
    this.exited = new Promise((resolve) => {
      const fail = (reason: string, code: number | null): void => {
        const said = stderrTail.find((line) => EXCEPTION_LINE.test(line)) ?? stderrTail.at(-1);
        this.exitError = new Error(`${label}: ${reason}${said === undefined ? '' : `: ${said}`}`);
        this.waiter?.reject(this.exitError);
        this.waiter = undefined;
        resolve(code);
      };
      this.child.on('error', (error) => fail(error.message, null));
      // 'close', not 'exit': it comes after stdout has ended, so every line printed has been delivered.
      this.child.on('close', (code, signal) => fail(`exited (code ${code}, signal ${signal})`, code));
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

  /** The process id (after taskset and nice have exec'd into the command, the command's). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGSTOP/SIGCONT freeze a process between its turns; SIGINT stops one that ignores stdin. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Closes stdin (the process's signal to finish) and waits for it to exit; kills it if it does not. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** The exit code once the process has ended (null: killed by a signal or never started). */
  exitCode(): Promise<number | null> {
    return this.exited;
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

/** Runs a command to completion and parses the last line of its stdout as JSON; a non-zero exit throws. */
export async function runToCompletion<T>(label: string, command: string, args: readonly string[], cpu: number | undefined): Promise<T> {
  const process = new ManagedProcess(label, command, args, cpu);
  let last: T | undefined;
  try {
    for (;;) last = await process.nextMessage<T>();
  } catch (error) {
    if (last === undefined || (await process.exitCode()) !== 0) throw error;
  }
  return last;
}
