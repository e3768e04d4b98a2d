/**
 * `zerotick decode --schema <schema.xml> [--framing raw|mdp3|sofh|b3] <file>`: prints every SBE
 * message of a file as one JSON object per line, decoded on the fly from the schema.
 *
 * The file is a pcap/pcapng capture of UDP datagrams (recognised by its magic number), or else
 * raw bytes taken as one datagram. Each datagram is split by the framing; `raw` means SBE
 * messages back to back with nothing in between. A bad packet or message is reported on stderr
 * with its file offset and decoding goes on with the next one that can be located.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createB3Cursor, b3ChannelNumber, b3SendingTimeBigInt, b3SequenceNumber, b3SequenceVersion } from '../feed/framing/b3.js';
import { FRAME_END, FRAME_MESSAGE, describeFrameError, type FrameCursor } from '../feed/framing/framing.js';
import { createMdp3Cursor, mdp3MsgSeqNum, mdp3SendingTimeBigInt } from '../feed/framing/mdp3.js';
import { createSofhCursor } from '../feed/framing/sofh.js';
import { MappedFile } from '../io/mapped-file.js';
import { CaptureFormatError, CaptureReader, UdpDatagram, isCaptureFile, type SkippedPackets } from '../io/pcap.js';
import { formatDiagnostic } from '../sbe/diagnostics.js';
import type { Schema } from '../sbe/ir.js';
import { OtfDecodeError, decodeMessage, type JsonObject, type JsonValue } from '../sbe/otf.js';
import { loadSchema } from '../sbe/parser.js';

export const FRAMINGS = ['raw', 'mdp3', 'sofh', 'b3'] as const;
export type Framing = (typeof FRAMINGS)[number];

export interface DecodeOptions {
  schema: string;
  framing: Framing;
  /** Only datagrams to this UDP destination port (captures only). */
  port?: number;
}

/** Where the lines go: stdout for JSON, stderr for problems. Injected so tests need no process. */
export interface DecodeOutput {
  message(line: string): void;
  problem(line: string): void;
}

const EXIT_OK = 0;
const EXIT_FAILED = 1;

export function registerDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description('print each SBE message of a raw file or a pcap/pcapng capture as one JSON object per line')
    .argument('<file>', 'raw SBE bytes, or a pcap/pcapng capture of UDP datagrams (detected by its magic number)')
    .requiredOption('--schema <schema.xml>', 'SBE XML schema the messages follow')
    .addOption(
      new Option('--framing <framing>', 'how messages sit in each datagram (raw: SBE messages back to back)')
        .choices(FRAMINGS)
        .default('raw'),
    )
    .option('--port <port>', 'only decode UDP datagrams sent to this destination port', parsePort)
    .addHelpText(
      'after',
      `
Output: one JSON object per message on stdout:
  {"packet":{"seq":…,"sendingTime":…},"templateId":…,"name":…,"schemaId":…,"version":…,"blockLength":…,"fields":{…}}
  "packet" appears for framings with a packet header (mdp3, b3); 64-bit values beyond 2^53 are strings.
  A file that is not a pcap/pcapng capture is taken as one datagram.

Errors: a bad packet or message (truncated, a size running past its datagram, unknown template,
wrong schema id) is reported on stderr with its file byte offset, and decoding goes on.

Exit status: 0 when every message decoded; 1 when any packet or message failed, the capture is
corrupt, or the schema has errors (printed as file:line:col diagnostics).`,
    )
    .action((file: string, options: DecodeOptions) => {
      process.stdout.on('error', exitQuietlyOnClosedPipe);
      process.exitCode = decodeFile(file, options, {
        message: (line) => process.stdout.write(`${line}\n`),
        problem: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

/** Decodes `file` and returns the exit status. */
export function decodeFile(file: string, options: DecodeOptions, output: DecodeOutput): number {
  const { schema, diagnostics } = loadSchema(options.schema);
  for (const diagnostic of diagnostics) output.problem(formatDiagnostic(diagnostic));
  if (schema === undefined) return EXIT_FAILED;
  const mapped = MappedFile.open(file);
  try {
    const bytes = mapped.bytes;
    const decoder = new DatagramDecoder(schema, options.framing, output, file);
    if (isCaptureFile(bytes)) return decodeCapture(bytes, options, decoder, output, file);
    decoder.decode(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.byteLength, 'file');
    return decoder.failures === 0 ? EXIT_OK : EXIT_FAILED;
  } finally {
    mapped.close();
  }
}

function decodeCapture(bytes: Uint8Array, options: DecodeOptions, decoder: DatagramDecoder, output: DecodeOutput, file: string): number {
  let failed = false;
  try {
    const reader = new CaptureReader(bytes, options.port === undefined ? {} : { destinationPort: options.port });
    const datagram = new UdpDatagram();
    try {
      while (reader.next(datagram)) {
        decoder.decode(reader.view, datagram.payloadOffset, datagram.payloadLength, `packet ${datagram.packetNumber}`);
      }
    } finally {
      const skipped = describeSkipped(reader.skipped);
      if (skipped !== '') output.problem(`zerotick decode: ${file}: ${skipped}`);
    }
  } catch (error) {
    if (!(error instanceof CaptureFormatError)) throw error;
    output.problem(`zerotick decode: ${file}: cannot read capture: ${error.message}`);
    failed = true;
  }
  return failed || decoder.failures > 0 ? EXIT_FAILED : EXIT_OK;
}

/** Splits datagrams by the framing and prints each message; counts what failed. */
class DatagramDecoder {
  failures = 0;
  private readonly cursor: FrameCursor | undefined;

  constructor(
    private readonly schema: Schema,
    private readonly framing: Framing,
    private readonly output: DecodeOutput,
    private readonly file: string,
  ) {
    this.cursor = cursorFor(framing);
  }

  decode(view: DataView, offset: number, length: number, where: string): void {
    if (this.cursor === undefined) {
      this.decodeBackToBack(view, offset, length, where);
    } else {
      this.decodeFramed(this.cursor, view, offset, length, where);
    }
  }

  /** Raw: each message's decoded length says where the next starts; after a failure nothing can be located. */
  private decodeBackToBack(view: DataView, offset: number, length: number, where: string): void {
    const end = offset + length;
    let position = offset;
    while (position < end) {
      const encodedLength = this.decodeOne(view, position, end - position, undefined, where);
      if (encodedLength <= 0) return;
      position += encodedLength;
    }
  }

  private decodeFramed(cursor: FrameCursor, view: DataView, offset: number, length: number, where: string): void {
    let result = cursor.wrap(view, offset, length);
    if (result === FRAME_END) {
      const packet = packetJson(this.framing, view, offset);
      while ((result = cursor.next()) === FRAME_MESSAGE) {
        this.decodeOne(view, cursor.messageOffset, cursor.messageLength, packet, where);
      }
    }
    if (result !== FRAME_END) this.fail(where, describeFrameError(cursor));
  }

  /** Prints one message; returns its encoded length, or 0 after reporting why it failed. */
  private decodeOne(view: DataView, offset: number, length: number, packet: JsonObject | undefined, where: string): number {
    try {
      const message = decodeMessage(this.schema, view, offset, length);
      const line: JsonObject = packet === undefined ? {} : { packet };
      line.templateId = message.templateId;
      line.name = message.name;
      line.schemaId = message.schemaId;
      line.version = message.version;
      line.blockLength = message.blockLength;
      line.fields = message.fields;
      this.output.message(JSON.stringify(line));
      return message.encodedLength;
    } catch (error) {
      if (!(error instanceof OtfDecodeError)) throw error;
      this.fail(where, `message at byte offset ${offset}: ${error.message}`);
      return 0;
    }
  }

  private fail(where: string, reason: string): void {
    this.failures++;
    this.output.problem(`zerotick decode: ${this.file}: ${where}: ${reason}`);
  }
}

function cursorFor(framing: Framing): FrameCursor | undefined {
  switch (framing) {
    case 'mdp3':
      return createMdp3Cursor();
    case 'sofh':
      return createSofhCursor();
    case 'b3':
      return createB3Cursor();
    case 'raw':
      return undefined;
  }
}

/** The packet header as printed: sequence number and exact sending time (plus B3's channel). */
function packetJson(framing: Framing, view: DataView, packetOffset: number): JsonObject | undefined {
  switch (framing) {
    case 'mdp3':
      return { seq: mdp3MsgSeqNum(view, packetOffset), sendingTime: exactInteger(mdp3SendingTimeBigInt(view, packetOffset)) };
    case 'b3':
      return {
        seq: b3SequenceNumber(view, packetOffset),
        sendingTime: exactInteger(b3SendingTimeBigInt(view, packetOffset)),
        channel: b3ChannelNumber(view, packetOffset),
        sequenceVersion: b3SequenceVersion(view, packetOffset),
      };
    default:
      return undefined;
  }
}

function exactInteger(value: bigint): JsonValue {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

function describeSkipped(skipped: SkippedPackets): string {
  const parts = Object.entries(skipped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`);
  return parts.length === 0 ? '' : `captured packets skipped: ${parts.join(', ')}`;
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a UDP port (0-65535).');
  return port;
}

/** `zerotick decode … | head` closes the pipe early: that is the reader's choice, not an error. */
function exitQuietlyOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
}
