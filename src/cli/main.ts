/**
 * The `zerotick` command. Each subcommand lives in its own file and registers itself on the
 * program; this file only wires them together and turns a thrown error into a message and an
 * exit code (never a stack trace for bad input).
 */
import { Command } from 'commander';
import { registerDecodeCommand } from './decode.js';
import { registerSbeCommand } from './sbe.js';
import { registerRecordCommand } from './record.js';
import { registerReplayCommand } from './replay.js';
import { registerFeedsCommand } from './feeds.js';
import { registerSimCommand } from './sim.js';
import { registerRunCommand } from './run.js';

const program = new Command('zerotick')
  .description('low-latency market-data trading gateway')
  .showHelpAfterError();

// Subcommands register here, one line each.
registerSbeCommand(program);
registerDecodeCommand(program);
registerRecordCommand(program);
registerReplayCommand(program);
registerFeedsCommand(program);
registerSimCommand(program);
registerRunCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`zerotick: ${message}\n`);
  process.exitCode = 1;
});
