import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFile, type DecodeOptions } from '../../src/cli/decode.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { PCAP_RECORD_HEADER_LENGTH } from '../../src/io/pcap-format.js';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { PcapWriter, udpFrameOverhead } from '../../src/io/pcap-writer.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const peer = (path: string) => join(repoRoot, '../shared/peer', path);
const mdp3Schema = peer('mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml');
const carSchema = peer('sbe-golden/example-schema.xml');
const carBytes = readFileSync(peer('sbe-golden/car_example_baseline_data.sbe'));
const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-decode-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

const feed = { sourceAddress: parseIpv4('10.0.0.1'), sourcePort: 5000, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };

function runCli(...args: string[]) {
  const result = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'src/cli/main.ts'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runInProcess(file: string, options: DecodeOptions) {
  const messages: string[] = [];
  const problems: string[] = [];
  const status = decodeFile(file, options, { message: (line) => messages.push(line), problem: (line) => problems.push(line) });
  return { status, messages: messages.map((line) => JSON.parse(line) as Record<string, any>), problems };
}

function writeTemp(name: string, bytes: Uint8Array | string): string {
  const path = join(workDirectory, name);
  writeFileSync(path, bytes);
  return path;
}

/** The UDP payloads of a capture, copied out. */
function payloadsOf(path: string): Uint8Array[] {
  const reader = CaptureReader.open(path);
  const datagram = new UdpDatagram();
  const payloads: Uint8Array[] = [];
  while (reader.next(datagram)) payloads.push(reader.bytes.slice(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength));
  return payloads;
}

/** A little-endian MDP3 packet: header, then each message behind its MsgSize. */
function mdp3Packet(seq: number, ...messages: Uint8Array[]): Uint8Array {
  const length = 12 + messages.reduce((sum, message) => sum + 2 + message.byteLength, 0);
  const packet = new Uint8Array(length);
  const view = new DataView(packet.buffer);
  view.setUint32(0, seq, true);
  view.setBigUint64(4, 1_700_000_000_000_000_000n + BigInt(seq), true);
  let offset = 12;
  for (const message of messages) {
    view.setUint16(offset, message.byteLength + 2, true);
    packet.set(message, offset + 2);
    offset += 2 + message.byteLength;
  }
  return packet;
}

describe('zerotick decode (end to end)', () => {
  it('prints every message of a real MDP3 capture as one JSON line in the documented shape', () => {
    // when
    const { status, stdout, stderr } = runCli('decode', '--schema', mdp3Schema, '--framing', 'mdp3', peer('mdp3/v1.9-MdIncrementalRefreshVolume.pcap'));

    // then
    expect(stderr).toBe('');
    expect(status).toBe(0);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(['packet', 'templateId', 'name', 'schemaId', 'version', 'blockLength', 'fields']);
      expect(line.packet).toEqual({ seq: 1160087, sendingTime: '1536760536330721282' });
      expect([line.schemaId, line.version]).toEqual([1, 9]);
    }
    expect(lines[0]).toMatchObject({
      templateId: 37,
      name: 'MDIncrementalRefreshVolume37',
      blockLength: 11,
      fields: { NoMDEntries: [{ MDEntrySize: 9541, SecurityID: 121933, RptSeq: 3072, MDUpdateAction: 'New', MDEntryType: 'e' }] },
    });
  });

  it('documents the exit status in --help', () => {
    const { status, stdout } = runCli('decode', '--help');
    expect(status).toBe(0);
    expect(stdout).toContain('--framing <framing>');
    expect(stdout).toContain('Exit status: 0 when every message decoded; 1 when any packet or message failed');
  });

  it('reports bad packets with their file offset on stderr, decodes the rest, and exits 1', () => {
    // given real messages re-packed: a good packet, one whose second MsgSize runs past its end,
    // one with an unknown template, and a good one again
    const real = payloadsOf(peer('mdp3/v1.9-MdIncrementalRefreshOrderBook.pcap'))[0]!;
    const message = real.subarray(14); // the only message: after the packet header and its MsgSize
    const overrun = mdp3Packet(2, message, message);
    new DataView(overrun.buffer).setUint16(12 + 2 + message.byteLength, 999, true);
    const unknownTemplate = Uint8Array.from(message);
    new DataView(unknownTemplate.buffer).setUint16(2, 999, true);
    const writer = new PcapWriter();
    const packets = [mdp3Packet(1, message), overrun, mdp3Packet(3, unknownTemplate), mdp3Packet(4, message)];
    const recordOffsets: number[] = [];
    for (const packet of packets) {
      recordOffsets.push(writer.bytes().byteLength);
      writer.writeUdp(packet, 1, 0, feed);
    }
    const capture = writeTemp('bad-packets.pcap', writer.bytes());
    const payloadOf = (index: number) => recordOffsets[index]! + PCAP_RECORD_HEADER_LENGTH + udpFrameOverhead(false);

    // when
    const { status, stdout, stderr } = runCli('decode', '--schema', mdp3Schema, '--framing', 'mdp3', capture);

    // then
    expect(status).toBe(1);
    const lines = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines.map((line) => line.packet.seq)).toEqual([1, 2, 4]);
    expect(lines.every((line) => line.name === 'MDIncrementalRefreshOrderBook47')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toEqual([
      `zerotick decode: ${capture}: packet 2: mdp3: MsgSize 999 runs past the end of the datagram (${message.byteLength + 2} bytes left) at byte offset ${payloadOf(1) + 12 + 2 + message.byteLength}`,
      `zerotick decode: ${capture}: packet 3: message at byte offset ${payloadOf(2) + 14}: messageHeader.templateId at byte offset ${payloadOf(2) + 14}: unknown template id 999`,
    ]);
  });

  it('prints schema errors as file:line:col diagnostics and exits 1', () => {
    const schema = writeTemp('broken.xml', '<?xml version="1.0"?>\n<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" id="1">\n  <notTypes/>\n</sbe:messageSchema>\n');
    const { status, stdout, stderr } = runCli('decode', '--schema', schema, writeTemp('any.sbe', carBytes));
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^${schema.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error: `, 'm'));
  });
});

describe('zerotick decode framings', () => {
  it('raw: decodes a file of messages back to back, without a packet key', () => {
    const file = writeTemp('two-cars.sbe', Uint8Array.from([...carBytes, ...carBytes]));

    const { status, messages, problems } = runInProcess(file, { schema: carSchema, framing: 'raw' });

    expect(problems).toEqual([]);
    expect(status).toBe(0);
    expect(messages).toHaveLength(2);
    expect(Object.keys(messages[1]!)).toEqual(['templateId', 'name', 'schemaId', 'version', 'blockLength', 'fields']);
    expect(messages[1]!.fields.manufacturer).toBe('Honda');
  });

  it('raw: stops a datagram at the first message that cannot be decoded, naming its offset', () => {
    const file = writeTemp('car-and-a-half.sbe', Uint8Array.from([...carBytes, ...carBytes.subarray(0, 100)]));

    const { status, messages, problems } = runInProcess(file, { schema: carSchema, framing: 'raw' });

    expect(status).toBe(1);
    expect(messages).toHaveLength(1);
    expect(problems).toEqual([
      `zerotick decode: ${file}: file: message at byte offset 207: fuelFigures[1].usageDescription at byte offset 295: needs 14 bytes, only 12 left before the message ends at 307`,
    ]);
  });

  it('sofh: decodes SOFH-framed messages in UDP datagrams', () => {
    // given two datagrams, each one Car behind a CME SOFH (u16 length incl. header, u16 0xCAFE, LE)
    const framed = new Uint8Array(4 + carBytes.byteLength);
    new DataView(framed.buffer).setUint16(0, framed.byteLength, true);
    new DataView(framed.buffer).setUint16(2, 0xcafe, true);
    framed.set(carBytes, 4);
    const writer = new PcapWriter({ nanosecond: false });
    writer.writeUdp(framed, 1, 0, feed);
    writer.writeUdp(framed, 2, 0, { ...feed, destinationPort: 9 });

    // when
    const all = runInProcess(writeTemp('sofh.pcap', writer.bytes()), { schema: carSchema, framing: 'sofh' });
    const onePort = runInProcess(writeTemp('sofh.pcap', writer.bytes()), { schema: carSchema, framing: 'sofh', port: 9 });

    // then
    expect(all.status).toBe(0);
    expect(all.messages.map((message) => [message.packet, message.name])).toEqual([[undefined, 'Car'], [undefined, 'Car']]);
    expect(onePort.messages).toHaveLength(1);
    expect(onePort.problems).toEqual([`zerotick decode: ${join(workDirectory, 'sofh.pcap')}: captured packets skipped: 1 filtered`]);
  });

  it('b3: prints the packet header with each message, and reports a bad messageLength with its offset', () => {
    // given a raw file holding one B3 packet: header, a framed Car, then a frame claiming too much
    const packet = new Uint8Array(16 + 4 + carBytes.byteLength + 4 + 8);
    const view = new DataView(packet.buffer);
    view.setUint8(0, 12);
    view.setUint16(2, 2, true);
    view.setUint32(4, 777, true);
    view.setBigUint64(8, 1_700_000_000_123_456_789n, true);
    view.setUint16(16, 4 + carBytes.byteLength, true);
    view.setUint16(18, 0xeb50, true);
    packet.set(carBytes, 20);
    const badFrame = 20 + carBytes.byteLength;
    view.setUint16(badFrame, 400, true);
    view.setUint16(badFrame + 2, 0xeb50, true);
    const file = writeTemp('b3.bin', packet);

    // when
    const { status, messages, problems } = runInProcess(file, { schema: carSchema, framing: 'b3' });

    // then
    expect(status).toBe(1);
    expect(messages.map((message) => message.packet)).toEqual([
      { seq: 777, sendingTime: '1700000000123456789', channel: 12, sequenceVersion: 2 },
    ]);
    expect(problems).toEqual([
      `zerotick decode: ${file}: file: b3: messageLength 400 runs past the end of the datagram (12 bytes left) at byte offset ${badFrame}`,
    ]);
  });

  it('reports a corrupt capture with its byte offset after decoding what came before', () => {
    const real = payloadsOf(peer('mdp3/v1.9-MdIncrementalRefreshOrderBook.pcap'))[0]!;
    const writer = new PcapWriter();
    writer.writeUdp(real, 1, 0, feed);
    const cutAt = writer.bytes().byteLength;
    writer.writeUdp(real, 2, 0, feed);
    const file = writeTemp('cut.pcap', writer.bytes().slice(0, cutAt + 20));

    const { status, messages, problems } = runInProcess(file, { schema: mdp3Schema, framing: 'mdp3' });

    expect(status).toBe(1);
    expect(messages).toHaveLength(1);
    expect(problems).toEqual([
      `zerotick decode: ${file}: cannot read capture: pcap record claims ${udpFrameOverhead(false) + real.byteLength} captured bytes but only 4 remain in the file at byte offset ${cutAt}`,
    ]);
  });
});
