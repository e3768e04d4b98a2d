/**
 * Capture files a backtest reads: the real CME MDP 3.0 captures in ../shared/peer/mdp3 run
 * through without an error, and a corrupt file stops it with a message naming the byte offset.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BacktestFeedError, runBacktest } from '../../src/backtest/backtest.js';
import { MAX_CAPTURED_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_RECORD_CAPTURED_LENGTH_OFFSET, PCAP_RECORD_HEADER_LENGTH } from '../../src/io/pcap-format.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const peerMdp3 = path.resolve(repoRoot, '../shared/peer/mdp3');
const ping = [{ path: path.join(repoRoot, 'strategies/ping.ts') }];
const directory = mkdtempSync(path.join(tmpdir(), 'zerotick-backtest-captures-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function recordingLog() {
  const problems: string[] = [];
  return { problems, log: { info: () => {}, warn: (line: string) => problems.push(line), error: (line: string) => problems.push(line) } };
}

describe('backtest of the real CME captures', () => {
  const captures = readdirSync(peerMdp3).filter((name) => name.endsWith('.pcap'));

  it('finds the captures', () => {
    expect(captures.length).toBeGreaterThan(0);
  });

  it.each(captures)('%s: every message decoded, no bad datagram, no warning', async (name) => {
    const { problems, log } = recordingLog();

    const summary = await runBacktest({ feed: `pcap:${path.join(peerMdp3, name)}`, strategies: ping, log });

    expect(summary.messages).toBeGreaterThan(0);
    expect(summary.badDatagrams).toBe(0);
    expect(problems).toEqual([]);
  });

  it('trades on the book capture: ping answers its book update and is filled at the recorded price', async () => {
    const summary = await runBacktest({ feed: `pcap:${path.join(peerMdp3, 'v1.9-MdIncrementalRefreshBook.pcap')}`, strategies: ping, log: recordingLog().log });

    expect(summary).toMatchObject({ orders: 1, fills: 1, rejects: 0 });
  });
});

describe('backtest of a corrupt capture', () => {
  it('stops with an error naming the file and the byte offset of the bad record', async () => {
    // given: the sample with its 10th record claiming more bytes than any record may hold
    const bytes = readFileSync(path.join(repoRoot, 'feeds/sample.pcap'));
    let recordOffset = PCAP_FILE_HEADER_LENGTH;
    for (let record = 0; record < 9; record++) recordOffset += PCAP_RECORD_HEADER_LENGTH + bytes.readUInt32LE(recordOffset + PCAP_RECORD_CAPTURED_LENGTH_OFFSET);
    bytes.writeUInt32LE(MAX_CAPTURED_LENGTH + 1, recordOffset + PCAP_RECORD_CAPTURED_LENGTH_OFFSET);
    const file = path.join(directory, 'corrupt.pcap');
    writeFileSync(file, bytes);

    // when / then
    const run = runBacktest({ feed: `pcap:${file}`, strategies: ping, log: recordingLog().log });
    await expect(run).rejects.toThrow(BacktestFeedError);
    await expect(run).rejects.toThrow(`backtest feed pcap:${file}: `);
    await expect(run).rejects.toThrow(new RegExp(`at byte offset ${recordOffset}$`));
  });

  it('refuses a file that is not a capture, naming it', async () => {
    const file = path.join(directory, 'not-a-capture.pcap');
    copyFileSync(path.join(repoRoot, 'README.md'), file);

    await expect(runBacktest({ feed: `pcap:${file}`, strategies: ping, log: recordingLog().log })).rejects.toThrow(
      `backtest feed pcap:${file}: cannot open: not a pcap or pcapng file: unknown magic number at byte offset 0`,
    );
  });
});
