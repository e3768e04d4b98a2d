/**
 * `zerotick record --feed udp://host:port[?iface=] --out <file> [--duration s] [--count n]
 * [--rotate-mb n] [--format pcap|pcapng]`: records a live UDP feed to a capture file with
 * kernel receive timestamps. SIGINT/SIGTERM stop it cleanly; the file is readable after any stop.
 */
import { Option, type Command } from 'commander';
import { parseFeedUrl } from '../feed/feed-url.js';
import { parseIpv4 } from '../io/ipv4.js';
import type { CaptureFileFormat } from '../io/pcap-file-writer.js';
import { formatBytes, formatSeconds } from '../replay/format.js';
import { Recorder, type RecordStats } from '../replay/recorder.js';
import { positiveInteger, positiveNumber } from './number-options.js';

interface RecordCommandOptions {
  feed: string;
  out: string;
  duration?: number;
  count?: number;
  rotateMb?: number;
  format: CaptureFileFormat;
}

const PROGRESS_INTERVAL_NS = 1e9;
const BYTES_PER_MEGABYTE = 1_000_000;

export function registerRecordCommand(program: Command): void {
  program
    .command('record')
    .description('record a live UDP feed to a pcap/pcapng file, with kernel receive timestamps')
    .requiredOption('--feed <url>', 'udp://host:port (unicast address to bind), or udp://group:port?iface=NAME[&source=ADDR] (multicast); the rcvbuf=SIZE parameter sizes the socket buffer (default 8m)')
    .requiredOption('--out <file>', 'capture file to write')
    .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
    .option('--count <packets>', 'stop after this many packets', positiveInteger)
    .option('--rotate-mb <megabytes>', 'start a new file (x.1.pcap, x.2.pcap, ...) before one grows past this size', positiveNumber)
    .addOption(new Option('--format <format>', 'file format (pcap has nanosecond timestamps)').choices(['pcap', 'pcapng']).default('pcap'))
    .addHelpText(
      'after',
      `
Stops on SIGINT/SIGTERM, --duration or --count, then flushes, fsyncs and closes the file.
Records reach the file at least every 100 ms, whole: even a killed recorder leaves a file that
reads up to its last complete record.
Reports kernel drops (SO_MEMINFO: the socket buffer overflowed) and its own (datagrams larger
than 64 KiB, recorded truncated).`,
    )
    .action(async (options: RecordCommandOptions) => {
      process.exitCode = await record(options);
    });
}

async function record(options: RecordCommandOptions): Promise<number> {
  const feed = parseFeedUrl(options.feed);
  if (feed.kind !== 'udp') throw new Error(`record takes a udp:// feed, not ${feed.kind}: ${options.feed}`);
  parseIpv4(feed.host); // the socket binds an address, not a name: say so here, naming the host
  const recorder = Recorder.open({
    host: feed.host,
    port: feed.port,
    out: options.out,
    format: options.format,
    ...(feed.multicast && feed.interfaceName !== undefined ? { interfaceName: feed.interfaceName } : {}),
    ...(feed.source === undefined ? {} : { source: feed.source }),
    ...(feed.receiveBufferBytes === undefined ? {} : { receiveBufferBytes: feed.receiveBufferBytes }),
    ...(options.duration === undefined ? {} : { durationMs: options.duration * 1000 }),
    ...(options.count === undefined ? {} : { count: options.count }),
    ...(options.rotateMb === undefined ? {} : { rotateBytes: options.rotateMb * BYTES_PER_MEGABYTE }),
  });
  const stop = (): void => recorder.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`recording udp://${feed.host}:${recorder.localPort} to ${options.out} (${options.format}, nanosecond timestamps); Ctrl-C stops\n`);
  try {
    const stats = await recorder.run(progressLine());
    if (process.stderr.isTTY) process.stderr.write('\n');
    process.stderr.write(summary(stats));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  return 0;
}

/** On a terminal, one line rewritten about once a second; elsewhere nothing until the summary. */
function progressLine(): ((stats: RecordStats) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let nextAt = 0;
  return (stats) => {
    if (stats.elapsedNs < nextAt) return;
    nextAt = stats.elapsedNs + PROGRESS_INTERVAL_NS;
    process.stderr.write(
      `\r${stats.packets} packets, ${formatBytes(stats.payloadBytes)}, ${formatSeconds(stats.elapsedNs)}, ` +
        `drops: kernel ${stats.kernelDrops}, own ${stats.ownDrops}   `,
    );
  };
}

function summary(stats: RecordStats): string {
  const files = stats.files.length === 1 ? stats.files[0] : `${stats.files.length} files (${stats.files.join(', ')})`;
  return (
    `recorded ${stats.packets} packets (${formatBytes(stats.payloadBytes)} of UDP payload) in ${formatSeconds(stats.elapsedNs)} to ${files}\n` +
    `drops: kernel ${stats.kernelDrops} (socket buffer overflowed), own ${stats.ownDrops} (recorded truncated)\n`
  );
}
