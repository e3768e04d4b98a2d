/**
 * `zerotick replay <file> --to udp://host:port [--to udp://host:port] [--speed 2|0.5|max]
 * [--pps n] [--loop n] [--filter dst-port=N]`: sends the UDP datagrams of a pcap/pcapng
 * capture to one or more destinations (each packet to every one: A/B lines), paced like the
 * capture or as fast as possible, and prints packets, bytes, rate and the pacing error.
 */
import { SingleBar } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { parseFeedUrl } from '../feed/feed-url.js';
import { pinThreadToCpu } from '../io/affinity.js';
import { parseIpv4 } from '../io/ipv4.js';
import { CaptureFormatError, CaptureReader, UdpDatagram, type CaptureFilter, type SkippedPackets } from '../io/pcap.js';
import { DEFAULT_SEND_BATCH, UdpSender, type UdpDestination } from '../io/udp-sender.js';
import { formatBitRate, formatBytes, formatMicros, formatRate, formatSeconds } from '../replay/format.js';
import { Replayer, type ReplaySpeed, type ReplayStats } from '../replay/replayer.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './number-options.js';

interface ReplayCommandOptions {
  to: string[];
  speed: ReplaySpeed;
  pps?: number;
  loop: number;
  filter?: CaptureFilter;
  batch: number;
  cpu?: number;
}

/** What a scan of the whole file found before anything is sent. */
interface CaptureSurvey {
  packets: number;
  captureSpanNs: number;
  /** Where the file breaks, if it does. */
  error: CaptureFormatError | undefined;
}

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description("send a capture's UDP datagrams to the network, paced like the capture or as fast as possible")
    .argument('<file>', 'pcap or pcapng capture')
    .requiredOption('--to <url>', 'udp://host:port to send to; twice (or more) sends every packet to each (A/B lines); ?iface=NAME for multicast', collect)
    .option('--speed <speed>', "multiple of the capture's pace (2 = twice as fast, 0.5 = half), or max", parseSpeed, 1)
    .option('--pps <packets>', "a fixed rate in packets per second, ignoring the capture's times", positiveNumber)
    .option('--loop <passes>', 'passes over the file', positiveInteger, 1)
    .option('--filter <filter>', 'only datagrams to this destination: dst-port=N, dst-host=A.B.C.D, or both joined by a comma', parseFilter)
    .option('--batch <packets>', 'packets per sendmmsg (at max speed, and for bursts)', positiveInteger, DEFAULT_SEND_BATCH)
    .option('--cpu <n>', 'pin the sending thread to this CPU (an isolated core keeps the busy-wait from being preempted)', nonNegativeInteger)
    .addHelpText(
      'after',
      `
Pacing: packet i leaves at start + (t_i - t_0) / speed (anchored, so lateness never accumulates);
the last 100 us before each send are busy-waited on the monotonic clock. Packets already due
leave together in one sendmmsg. At --speed max, packets leave in batches of --batch.

Summary: packets, bytes, achieved rate and the pacing error (actual - scheduled send time:
p50/p99/max). A file that breaks part-way is replayed up to the break, named by byte offset.`,
    )
    .action(async (file: string, options: ReplayCommandOptions) => {
      process.exitCode = await replay(file, options);
    });
}

async function replay(file: string, options: ReplayCommandOptions): Promise<number> {
  const destinations = options.to.map(parseDestination);
  if (options.cpu !== undefined) pinThreadToCpu(options.cpu);
  const multicastInterface = multicastInterfaceOf(destinations);
  const reader = openCapture(file, options.filter ?? {});
  if (reader === undefined) return 1;
  try {
    const survey = surveyCapture(reader);
    if (survey.error !== undefined && survey.packets === 0) return cannotRead(file, survey.error);
    if (survey.error !== undefined) {
      process.stderr.write(`zerotick replay: ${file}: ${survey.error.message}: replaying the ${survey.packets} packets before it\n`);
    }
    const sender = UdpSender.open({ destinations: destinations.map(({ host, port }) => ({ host, port })), batchSize: options.batch, ...(multicastInterface === undefined ? {} : { multicastInterface }) });
    try {
      const replayer = new Replayer(reader, sender, {
        speed: options.speed,
        loops: options.loop,
        ...(options.pps === undefined ? {} : { packetsPerSecond: options.pps }),
      });
      process.stderr.write(
        `replaying ${survey.packets} packets (${formatSeconds(survey.captureSpanNs)} of capture) from ${file} to ${options.to.join(' and ')}, ` +
          `${paceDescription(options)}, ${options.loop} pass${options.loop === 1 ? '' : 'es'}\n`,
      );
      const preemptedBefore = process.resourceUsage().involuntaryContextSwitches;
      const stats = await runWithProgress(replayer, survey.packets * options.loop);
      const preempted = process.resourceUsage().involuntaryContextSwitches - preemptedBefore;
      process.stdout.write(summary(stats, destinations.length, reader.skipped, preempted));
    } finally {
      sender.close();
    }
    return 0;
  } finally {
    reader.close();
  }
}

function openCapture(file: string, filter: CaptureFilter): CaptureReader | undefined {
  try {
    return CaptureReader.map(file, filter);
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    cannotRead(file, error);
    return undefined;
  }
}

function cannotRead(file: string, error: CaptureFormatError): number {
  process.stderr.write(`zerotick replay: ${file}: cannot read capture: ${error.message}\n`);
  return 1;
}

/** Counts what will be sent and finds a broken file before the first packet leaves. */
function surveyCapture(reader: CaptureReader): CaptureSurvey {
  const datagram = new UdpDatagram();
  const survey: CaptureSurvey = { packets: 0, captureSpanNs: 0, error: undefined };
  let firstSeconds = 0;
  let firstNanoseconds = 0;
  try {
    while (reader.next(datagram)) {
      if (survey.packets === 0) {
        firstSeconds = datagram.timestampSeconds;
        firstNanoseconds = datagram.timestampNanoseconds;
      }
      survey.packets++;
      survey.captureSpanNs = (datagram.timestampSeconds - firstSeconds) * 1e9 + (datagram.timestampNanoseconds - firstNanoseconds);
    }
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    survey.error = error;
  }
  // The survey's skips would be counted again by the replay itself.
  for (const reason of Object.keys(reader.skipped) as Array<keyof SkippedPackets>) reader.skipped[reason] = 0;
  return survey;
}

/** A progress bar with rate and ETA on a terminal; SIGINT/SIGTERM stop the replay with a summary. */
async function runWithProgress(replayer: Replayer, totalPackets: number): Promise<ReplayStats> {
  const stop = (): void => replayer.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = process.stderr.isTTY
    ? new SingleBar({
        stream: process.stderr,
        format: '{bar} {percentage}% | {value}/{total} packets | {rate} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 50,
      })
    : undefined;
  bar?.start(totalPackets, 0, { rate: '-' });
  try {
    const stats = await replayer.run(bar === undefined ? undefined : (progress) => bar.update(progress.packets, { rate: formatRate(progress.packets, progress.elapsedNs, 'packets') }));
    bar?.update(stats.packets, { rate: formatRate(stats.packets, stats.elapsedNs, 'packets') });
    return stats;
  } finally {
    bar?.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function summary(stats: ReplayStats, destinationCount: number, skipped: SkippedPackets, preempted: number): string {
  const lines = [
    `sent ${stats.packets} packets (${formatBytes(stats.payloadBytes)} of UDP payload) to ${destinationCount} destination${destinationCount === 1 ? '' : 's'}: ` +
      `${stats.datagrams} datagrams in ${stats.sends} batches, ${stats.passes} pass${stats.passes === 1 ? '' : 'es'}`,
    `elapsed ${formatSeconds(stats.elapsedNs)}: ${formatRate(stats.packets, stats.elapsedNs, 'packets')}, ${formatBitRate(stats.payloadBytes, stats.elapsedNs)} of payload`,
  ];
  const pacing = stats.pacingError;
  if (pacing !== undefined) {
    lines.push(
      `pacing error (actual - scheduled send time) over ${pacing.count} packets: ` +
        `p50 ${formatMicros(pacing.p50Nanos)}, p99 ${formatMicros(pacing.p99Nanos)}, max ${formatMicros(pacing.maxNanos)}; ` +
        // Each preemption can make the packets due meanwhile late: it explains a tail on a busy machine.
        `the process was preempted ${preempted} times (involuntary context switches)`,
    );
  }
  const skippedParts = Object.entries(skipped).filter(([, count]) => count > 0).map(([reason, count]) => `${count} ${reason}`);
  if (skippedParts.length > 0) lines.push(`captured packets not sent: ${skippedParts.join(', ')}`);
  if (stats.fileError !== undefined) lines.push(`stopped each pass at: ${stats.fileError.message}`);
  return `${lines.join('\n')}\n`;
}

function paceDescription(options: ReplayCommandOptions): string {
  if (options.pps !== undefined) return `${options.pps} packets/s`;
  return options.speed === 'max' ? 'as fast as possible' : `${options.speed}x the capture's pace`;
}

interface ParsedDestination extends UdpDestination {
  url: string;
  interfaceName: string | undefined;
}

function parseDestination(url: string): ParsedDestination {
  const feed = parseFeedUrl(url);
  if (feed.kind !== 'udp') throw new Error(`--to takes udp://host:port, not ${feed.kind}: ${url}`);
  parseIpv4(feed.host); // the sender takes addresses, not names: say so here, naming the URL
  if (feed.port === 0) throw new Error(`--to ${url}: port 0 is not a destination`);
  return { host: feed.host, port: feed.port, url, interfaceName: feed.interfaceName };
}

/** One socket sends to every destination, so multicast ones must agree on the interface. */
function multicastInterfaceOf(destinations: readonly ParsedDestination[]): string | undefined {
  const interfaces = new Set<string>();
  for (const destination of destinations) if (destination.interfaceName !== undefined) interfaces.add(destination.interfaceName);
  if (interfaces.size > 1) throw new Error(`--to destinations name different interfaces (${[...interfaces].join(', ')}): use one`);
  return interfaces.values().next().value;
}

/** No default: so a missing --to is commander's "required option" error. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseSpeed(text: string): ReplaySpeed {
  if (text === 'max') return 'max';
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed <= 0) throw new InvalidArgumentError("a positive multiple (2, 0.5, ...) or 'max'.");
  return speed;
}

function parseFilter(text: string): CaptureFilter {
  const filter: CaptureFilter = {};
  for (const term of text.split(',')) {
    const [key, value = ''] = term.split('=', 2) as [string, string?];
    if (key === 'dst-port') {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`dst-port '${value}' is not a port (0-65535).`);
      filter.destinationPort = port;
    } else if (key === 'dst-host') {
      try {
        filter.destinationAddress = parseIpv4(value);
      } catch {
        throw new InvalidArgumentError(`dst-host '${value}' is not an IPv4 address.`);
      }
    } else {
      throw new InvalidArgumentError(`unknown filter '${term}' (known: dst-port=N, dst-host=A.B.C.D).`);
    }
  }
  return filter;
}
