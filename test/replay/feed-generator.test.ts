import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FRAME_END, FRAME_MESSAGE } from '../../src/feed/framing/framing.js';
import { createMdp3Cursor, mdp3MsgSeqNum, mdp3SendingTime } from '../../src/feed/framing/mdp3.js';
import {
  MDIncrementalRefreshBook46Decoder,
  MDIncrementalRefreshTradeSummary48Decoder,
  MessageHeaderDecoder,
  SnapshotFullRefresh52Decoder,
} from '../../src/generated/mdp3/index.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { generateFeed, SESSION_START_NANOS } from '../../src/replay/feed-generator.js';

const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-feeds-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

const INCREMENTAL_PORT = 14310;
const SNAPSHOT_PORT = 15310;

interface Packet {
  port: number;
  seqNum: number;
  sendingTime: number;
  captureTimeNs: number;
  /** Template id of each message. */
  templates: number[];
  /** [securityId, rptSeq] of every incremental entry, or of a snapshot. */
  rptSeqs: Array<[number, number]>;
  snapshot?: { lastMsgSeqNumProcessed: number; totNumReports: number; entries: number };
}

/** Reads a generated file back through the generated MDP3 decoders. */
function readFeed(path: string): Packet[] {
  const reader = CaptureReader.open(path);
  const datagram = new UdpDatagram();
  const cursor = createMdp3Cursor();
  const header = new MessageHeaderDecoder();
  const packets: Packet[] = [];
  while (reader.next(datagram)) {
    const view = reader.view;
    const packet: Packet = {
      port: datagram.destinationPort,
      seqNum: mdp3MsgSeqNum(view, datagram.payloadOffset),
      sendingTime: mdp3SendingTime(view, datagram.payloadOffset),
      captureTimeNs: datagram.timestampSeconds * 1e9 + datagram.timestampNanoseconds,
      templates: [],
      rptSeqs: [],
    };
    expect(cursor.wrap(view, datagram.payloadOffset, datagram.payloadLength)).toBe(FRAME_END);
    let result: number;
    while ((result = cursor.next()) === FRAME_MESSAGE) {
      const templateId = header.wrap(view, cursor.messageOffset).templateId();
      packet.templates.push(templateId);
      if (templateId === MDIncrementalRefreshBook46Decoder.TEMPLATE_ID || templateId === MDIncrementalRefreshTradeSummary48Decoder.TEMPLATE_ID) {
        const decoder = templateId === MDIncrementalRefreshBook46Decoder.TEMPLATE_ID ? new MDIncrementalRefreshBook46Decoder() : new MDIncrementalRefreshTradeSummary48Decoder();
        const entries = decoder.wrapAndApplyHeader(view, cursor.messageOffset, header).noMDEntries();
        while (entries.hasNext()) packet.rptSeqs.push([entries.next().securityID(), entries.rptSeq()]);
      } else if (templateId === SnapshotFullRefresh52Decoder.TEMPLATE_ID) {
        const snapshot = new SnapshotFullRefresh52Decoder().wrapAndApplyHeader(view, cursor.messageOffset, header);
        packet.rptSeqs.push([snapshot.securityID(), snapshot.rptSeq()]);
        packet.snapshot = {
          lastMsgSeqNumProcessed: snapshot.lastMsgSeqNumProcessed(),
          totNumReports: snapshot.totNumReports(),
          entries: snapshot.noMDEntries().count(),
        };
      }
    }
    expect(result).toBe(FRAME_END);
    packets.push(packet);
  }
  return packets;
}

describe('generateFeed (the simulator’s market, to a capture)', () => {
  it('gives the same file, byte for byte, for the same seed, and another for another seed', async () => {
    // when
    const first = join(workDirectory, 'seed-3-a.pcap');
    const second = join(workDirectory, 'seed-3-b.pcap');
    const other = join(workDirectory, 'seed-4.pcap');
    await generateFeed({ messages: 300, seed: 3, out: first });
    await generateFeed({ messages: 300, seed: 3, out: second });
    await generateFeed({ messages: 300, seed: 4, out: other });
    // then
    expect(readFileSync(first).equals(readFileSync(second))).toBe(true);
    expect(readFileSync(first).equals(readFileSync(other))).toBe(false);
  });

  it('writes a session: channel reset, instruments open, book updates and trades, numbered from 1, times increasing', async () => {
    // given
    const out = join(workDirectory, 'session.pcap');
    // when
    const generated = await generateFeed({ messages: 1500, seed: 11, out, instruments: 3 });
    // then
    const incremental = readFeed(out).filter((packet) => packet.port === INCREMENTAL_PORT);
    const templates = incremental.flatMap((packet) => packet.templates);
    expect(templates[0]).toBe(4); // ChannelReset4
    expect(templates.slice(1, 4)).toEqual([30, 30, 30]); // SecurityStatus30 for each instrument
    expect(templates.filter((id) => id === 46).length).toBeGreaterThan(100);
    expect(templates.filter((id) => id === 48).length).toBeGreaterThan(10);
    expect(templates.length).toBe(generated.incrementalMessages);
    expect(templates.length).toBeGreaterThanOrEqual(1500);
    expect(templates.length).toBeLessThan(1500 + 20);
    expect(incremental.map((packet) => packet.seqNum)).toEqual(incremental.map((_, i) => i + 1));
    expect(new Set(incremental.flatMap((packet) => packet.rptSeqs.map(([securityId]) => securityId)))).toEqual(new Set([10001, 10002, 10003]));
    for (let i = 1; i < incremental.length; i++) expect(incremental[i]!.sendingTime).toBeGreaterThanOrEqual(incremental[i - 1]!.sendingTime);
    expect(incremental[0]!.sendingTime).toBeGreaterThan(SESSION_START_NANOS);
    // The capture time of each packet is its SendingTime (exact to the double's 256 ns).
    for (const packet of incremental) expect(Math.abs(packet.captureTimeNs - packet.sendingTime)).toBeLessThan(512);
  });

  it('writes snapshot cycles that match the incremental feed: every instrument, its RptSeq as of LastMsgSeqNumProcessed', async () => {
    // given
    const out = join(workDirectory, 'snapshots.pcapng');
    // when: over 1000 incremental packets, so a second cycle comes
    const generated = await generateFeed({ messages: 1600, seed: 5, out, format: 'pcapng' });
    // then
    const packets = readFeed(out);
    const snapshots = packets.filter((packet) => packet.port === SNAPSHOT_PORT);
    expect(generated.incrementalPackets).toBeGreaterThan(1000);
    expect(snapshots).toHaveLength(8); // two cycles of four instruments
    expect(snapshots.map((packet) => packet.seqNum)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const lastRptSeq = new Map<number, number>();
    let seen = 0;
    for (const packet of packets) {
      if (packet.port === INCREMENTAL_PORT) {
        seen = packet.seqNum;
        for (const [securityId, rptSeq] of packet.rptSeqs) lastRptSeq.set(securityId, rptSeq);
        continue;
      }
      const [securityId, rptSeq] = packet.rptSeqs[0]!;
      expect(packet.templates).toEqual([52]);
      expect(packet.snapshot!.lastMsgSeqNumProcessed).toBe(seen);
      expect(packet.snapshot!.totNumReports).toBe(4);
      expect(packet.snapshot!.entries).toBe(20); // 10 levels each side
      expect(rptSeq).toBe(lastRptSeq.get(securityId) ?? 0);
    }
  });

  it('leaves out the packet named by gapAt, and only that one', async () => {
    const out = join(workDirectory, 'gap.pcap');
    const generated = await generateFeed({ messages: 400, seed: 2, out, gapAt: 57 });
    const seqNums = readFeed(out).filter((packet) => packet.port === INCREMENTAL_PORT).map((packet) => packet.seqNum);
    expect(generated.gapSeqNum).toBe(57);
    expect(seqNums).toEqual(Array.from({ length: generated.incrementalPackets }, (_, i) => i + 1).filter((seq) => seq !== 57));
  });
});
