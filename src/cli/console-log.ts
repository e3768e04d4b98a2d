/** The gateway's log on the console: info to stdout, warnings and errors to stderr, each line timestamped. */
import type { GatewayLog } from '../gateway/gateway.js';

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

export function consoleLog(write: { out(line: string): void; err(line: string): void } = defaultWriters): GatewayLog {
  return {
    info: (message) => write.out(`${timestamp()} ${message}`),
    warn: (message) => write.err(`${timestamp()} warn  ${message}`),
    error: (message) => write.err(`${timestamp()} error ${message}`),
  };
}

const defaultWriters = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};
