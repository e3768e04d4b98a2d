/**
 * The max-speed senders, each run to completion on the measured core (taskset, nice: as every
 * suite pins its measured process) and read back from its own printed figures:
 * `zerotick replay --speed max` (sendmmsg to a UDP socket), `tcpreplay --topspeed` (frames
 * injected on lo, the file preloaded in memory with -K, as its fastest mode) and the C
 * reference (udp_batch_sender.c). The suite's C helpers are built here with bench/Makefile's flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { benchDirectory, repoDirectory } from '../lib/paths.js';
import { MEASURED_CPU, withCpuPinning } from '../lib/pinning.js';
import { parseTcpreplayStatistics, parseZerotickSummary, type SenderFigures } from './tool-output.js';

const INSTALL_TIMEOUT_MS = 180_000;
const STDERR_TAIL_CHARS = 600;

/** Runs a command on the measured core; its stdout, or an error quoting its stderr. */
function runMeasured(label: string, command: string, args: readonly string[]): Promise<string> {
  const [pinnedCommand, pinnedArgs] = withCpuPinning(command, args, MEASURED_CPU);
  const child = spawn(pinnedCommand, pinnedArgs, { cwd: repoDirectory, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`${label}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${label} exited with code ${code}: ${stderr.slice(-STDERR_TAIL_CHARS).trim()}`));
    });
  });
}

export async function replayWithZerotick(file: string, host: string, port: number, loops: number): Promise<SenderFigures> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'replay', file, '--to', `udp://${host}:${port}`, '--speed', 'max', '--loop', String(loops)];
  return parseZerotickSummary(await runMeasured('zerotick replay', process.execPath, args));
}

export async function replayWithTcpreplay(file: string, loops: number): Promise<SenderFigures> {
  const args = ['--topspeed', '--preload-pcap', '--loop', String(loops), '--intf1', 'lo', file];
  return parseTcpreplayStatistics(await runMeasured('tcpreplay', 'tcpreplay', args));
}

function tcpreplayInstalled(): boolean {
  return spawnSync('tcpreplay', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Installs tcpreplay with apt-get when it is missing; undefined when it is there, else why not. */
export function ensureTcpreplay(): string | undefined {
  if (tcpreplayInstalled()) return undefined;
  process.stderr.write('bench replay: tcpreplay is missing: apt-get install -y tcpreplay\n');
  const install = spawnSync('apt-get', ['install', '-y', 'tcpreplay'], { encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (tcpreplayInstalled()) return undefined;
  const said = `${install.error?.message ?? ''} ${install.stderr ?? ''}`.trim().split('\n').at(-1) ?? '';
  return `tcpreplay is not installed and \`apt-get install -y tcpreplay\` failed${said === '' ? '' : `: ${said}`}`;
}

/** The suite's C helpers: bench/replay/<name>.c, built into bench/build/replay/<name>. */
export type CHelper = 'udp_batch_sender' | 'pacing_floor';
/** The flags of bench/Makefile, so the helpers are built as the other C helpers are. */
const C_FLAGS = ['-O2', '-g', '-Wall', '-Wextra', '-Werror', '-std=gnu11'];

export function cHelperPath(helper: CHelper): string {
  return path.join(benchDirectory, 'build', 'replay', helper);
}

/** Builds a C helper when its source is newer; undefined when built, else why not. */
export function buildCHelper(helper: CHelper): string | undefined {
  const source = path.join(benchDirectory, 'replay', `${helper}.c`);
  const binary = cHelperPath(helper);
  if (existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs) return undefined;
  mkdirSync(path.dirname(binary), { recursive: true });
  const build = spawnSync(process.env.CC ?? 'cc', [...C_FLAGS, '-o', binary, source], { encoding: 'utf8' });
  if (build.status === 0) return undefined;
  return `${helper}.c did not build: ${(build.error?.message ?? build.stderr).trim().split('\n')[0]}`;
}

/** The C reference: `datagrams` of `payloadBytes` by sendmmsg (64 a call) or UDP GSO (64 a sendmsg). */
export async function sendWithCReference(mode: 'sendmmsg' | 'gso', host: string, port: number, datagrams: number, payloadBytes: number): Promise<SenderFigures> {
  const stdout = await runMeasured(`udp_batch_sender ${mode}`, cHelperPath('udp_batch_sender'), [mode, host, String(port), String(datagrams), String(payloadBytes)]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as SenderFigures;
}
