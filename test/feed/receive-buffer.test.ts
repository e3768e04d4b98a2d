/**
 * rcvbuf= in a udp:// feed URL sizes the socket's receive buffer (SO_RCVBUF), in both I/O modes:
 * the kernel grants up to net.core.rmem_max, and the source says what it asked and got, which
 * the gateway logs at start (a warning when the kernel granted less).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedSource } from '../../src/feed/datagram.js';
import { DgramSource } from '../../src/feed/sources/dgram-source.js';
import { openFeedSource } from '../../src/feed/sources/open-feed-source.js';

const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
const KIB = 1024;

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const openers: Record<string, (url: string) => Promise<FeedSource>> = {
  'recvmmsg (zerocopy)': async (url) => openFeedSource(url),
  'node:dgram (copy)': (url) => DgramSource.open(url, { line: 0 }),
};

describe.each(Object.entries(openers))('a udp:// source over %s', (_, open) => {
  async function opened(url: string): Promise<FeedSource> {
    const source = await open(url);
    cleanups.push(() => source.close());
    return source;
  }

  it('gets the receive buffer rcvbuf= asks for, and says so', async () => {
    const requested = Math.min(256 * KIB, rmemMax);

    const source = await opened(`udp://127.0.0.1:0?rcvbuf=${requested / KIB}k`);

    expect(source.receiveBuffer).toMatchObject({ requestedBytes: requested, grantedBytes: requested });
    expect(source.receiveBuffer!.describe(source.url)).toEqual({ level: 'info', message: `feed ${source.url}: receive buffer ${requested} bytes` });
  });

  it('gets what net.core.rmem_max allows when rcvbuf= asks for more, and warns', async () => {
    const requested = rmemMax + 1024 * KIB;

    const source = await opened(`udp://127.0.0.1:0?rcvbuf=${requested}`);

    expect(source.receiveBuffer).toMatchObject({ requestedBytes: requested, grantedBytes: rmemMax });
    const said = source.receiveBuffer!.describe(source.url);
    expect(said.level).toBe('warn');
    expect(said.message).toBe(`feed ${source.url}: asked for a ${requested}-byte receive buffer, the kernel granted ${rmemMax} (net.core.rmem_max caps it: raise it with sysctl)`);
  });

  it('leaves the kernel default without rcvbuf=', async () => {
    expect((await opened('udp://127.0.0.1:0')).receiveBuffer).toBeUndefined();
  });
});
