/**
 * Native calls return -errno (see native/zt.h). This module turns that into an Error that
 * names the call, its target, the errno name and its message, in one place:
 *   `bind 127.0.0.1:9000: EADDRINUSE (Address already in use)`
 */
import { constants } from 'node:os';
import { libc } from './native.js';

const errnoNames: string[] = [];
for (const [name, value] of Object.entries(constants.errno)) {
  // Several names share a number (EAGAIN/EWOULDBLOCK); keep the first, the one man pages use.
  if (errnoNames[value] === undefined) errnoNames[value] = name;
}

const strerror: (errnum: number) => string = libc.func('const char *strerror(int errnum)');

export class SyscallError extends Error {
  readonly call: string;
  readonly errno: number;
  readonly code: string;

  constructor(call: string, target: string | undefined, errno: number) {
    const code = errnoName(errno);
    super(`${call}${target === undefined ? '' : ` ${target}`}: ${code} (${strerror(errno)})`);
    this.name = 'SyscallError';
    this.call = call;
    this.errno = errno;
    this.code = code;
  }
}

export function errnoName(errno: number): string {
  return errnoNames[errno] ?? `errno ${errno}`;
}

/** Returns `result` when it is not an error; throws a SyscallError for a negative errno. */
export function checkResult(result: number, call: string, target?: string): number {
  if (result < 0) throw new SyscallError(call, target, -result);
  return result;
}
