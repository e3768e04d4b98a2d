/**
 * `zerotick feeds generate --messages n --seed s --out feeds/x.pcap [--gap-at seq]`: writes a
 * synthetic MDP 3.0 session (the simulator's seeded market) to a capture file; the same seed
 * gives the same file, byte for byte.
 */
import { Option, type Command } from 'commander';
import type { CaptureFileFormat } from '../io/pcap-file-writer.js';
import { generateFeed, SNAPSHOT_INTERVAL_PACKETS } from '../replay/feed-generator.js';
import { formatBytes } from '../replay/format.js';
import { nonNegativeInteger, positiveInteger } from './number-options.js';

interface GenerateCommandOptions {
  messages: number;
  seed: number;
  out: string;
  gapAt?: number;
  instruments: number;
  format: CaptureFileFormat;
}

export function registerFeedsCommand(program: Command): void {
  const feeds = program.command('feeds').description('sample market data feeds');
  feeds
    .command('generate')
    .description("write a synthetic MDP 3.0 session (the exchange simulator's seeded market) to a capture file")
    .requiredOption('--messages <n>', 'incremental-feed SBE messages to generate (at least; the last market event is kept whole)', positiveInteger)
    .requiredOption('--seed <s>', 'seed of the market and its clock: the same seed gives the same file', nonNegativeInteger)
    .requiredOption('--out <file>', 'capture file to write')
    .option('--gap-at <seq>', 'leave out the incremental packet with this MsgSeqNum (a sequence gap)', positiveInteger)
    .option('--instruments <n>', 'instruments listed (1-8: ES, NQ, YM, RTY, CL, GC, ZN, 6E)', positiveInteger, 4)
    .addOption(new Option('--format <format>', 'file format').choices(['pcap', 'pcapng']).default('pcap'))
    .addHelpText(
      'after',
      `
The file holds two channels: the incremental feed (ChannelReset4, SecurityStatus30, then
MDIncrementalRefreshBook46 and MDIncrementalRefreshTradeSummary48, 10 levels deep) sent to
224.0.31.1:14310, and snapshot cycles (one SnapshotFullRefresh52 packet per instrument) sent to
224.0.32.1:15310, after the opening and every ${SNAPSHOT_INTERVAL_PACKETS} incremental packets. Packet times are the
packets' SendingTime, from Monday 2026-01-05 14:30:00 UTC.`,
    )
    .action(async (options: GenerateCommandOptions) => {
      const generated = await generateFeed({
        messages: options.messages,
        seed: options.seed,
        out: options.out,
        instruments: options.instruments,
        format: options.format,
        ...(options.gapAt === undefined ? {} : { gapAt: options.gapAt }),
      });
      const gap = generated.gapSeqNum === undefined ? '' : `, packet ${generated.gapSeqNum} left out`;
      process.stdout.write(
        `wrote ${options.out} (${formatBytes(generated.bytes)}): ${generated.incrementalMessages} incremental messages in ` +
          `${generated.incrementalPackets} packets${gap}, ${generated.snapshotPackets} snapshot packets\n`,
      );
      if (options.gapAt !== undefined && generated.gapSeqNum === undefined) {
        process.stderr.write(`zerotick feeds generate: --gap-at ${options.gapAt} is past the last packet (${generated.incrementalPackets}): no gap made\n`);
        process.exitCode = 1;
      }
    });
}
