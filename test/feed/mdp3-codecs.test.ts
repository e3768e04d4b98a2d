/**
 * The dispatch table: built once from generated decoders (the project's, or generated at start
 * from a schema the user names), an array indexed by templateId; the book builder is only fed
 * templates whose layout matches the one it reads.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NO_MATCH_EVENT_INDICATOR, loadTemplateTable, projectTemplateTable } from '../../src/feed/mdp3-codecs.js';
import { Mdp3Handler } from '../../src/feed/mdp3-handler.js';
import {
  MDEntryTypeBook,
  MDIncrementalRefreshBook46Decoder,
  MDUpdateAction,
  SnapshotFullRefresh52Decoder,
} from '../../src/generated/mdp3/index.js';
import { SchemaError } from '../../src/sbe/diagnostics.js';
import { Mdp3PacketBuilder } from './fixtures/mdp3-packets.js';
import { RecordingListener } from './fixtures/recording-listener.js';
import { ReceiveTime } from '../../src/feed/datagram.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const peerDir = path.resolve(repoRoot, '../shared/peer/mdp3');
const workDir = mkdtempSync(path.join(tmpdir(), 'zerotick-codecs-spec-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('TemplateTable', () => {
  it("indexes the project schema's decoders by templateId, with their block lengths and MatchEventIndicator offsets", () => {
    const table = projectTemplateTable();
    expect(table.schemaId).toBe(1);
    expect(table.schemaVersion).toBe(9);
    expect(table.decoders[46]).toBeInstanceOf(MDIncrementalRefreshBook46Decoder);
    expect(table.decoders[45]).toBeUndefined();
    expect(table.names.flatMap((name, templateId) => (name === undefined ? [] : [[templateId, name]]))).toEqual([
      [4, 'ChannelReset4'],
      [12, 'AdminHeartbeat12'],
      [30, 'SecurityStatus30'],
      [37, 'MDIncrementalRefreshVolume37'],
      [46, 'MDIncrementalRefreshBook46'],
      [47, 'MDIncrementalRefreshOrderBook47'],
      [48, 'MDIncrementalRefreshTradeSummary48'],
      [52, 'SnapshotFullRefresh52'],
    ]);
    expect(table.blockLengths[52]).toBe(SnapshotFullRefresh52Decoder.BLOCK_LENGTH);
    expect(table.matchEventIndicatorOffsets[46]).toBe(8);
    expect(table.matchEventIndicatorOffsets[52]).toBe(NO_MATCH_EVENT_INDICATOR);
    expect([...table.bookTemplates].sort((a, b) => a - b)).toEqual([4, 46, 48, 52]);
  });

  it('generates decoders for a user schema once and reuses them from the cache', async () => {
    const cacheDir = path.join(workDir, 'reuse');
    const first = await loadTemplateTable(path.join(peerDir, 'Cme.Futures.Mdp3.Sbe.v1.9.xml'), cacheDir);
    const generated = readdirSync(cacheDir);
    const second = await loadTemplateTable(path.join(peerDir, 'Cme.Futures.Mdp3.Sbe.v1.9.xml'), cacheDir);
    expect(readdirSync(cacheDir)).toEqual(generated);
    expect(generated).toHaveLength(1);
    expect(second.names[54]).toBe('MDInstrumentDefinitionFuture54');
    expect(first.origin).toMatch(/Cme\.Futures\.Mdp3\.Sbe\.v1\.9\.xml$/);
    // CME's own layout of the book messages is the one the book builder reads
    expect([...first.bookTemplates].sort((a, b) => a - b)).toEqual([4, 46, 48, 52]);
  });

  it('builds no book from a template laid out otherwise, and still dispatches it', async () => {
    // given a schema where Book46 entries have SecurityID and RptSeq swapped
    const schemaPath = path.join(workDir, 'swapped.xml');
    const project = readFileSync(path.join(repoRoot, 'schemas/mdp3.xml'), 'utf8');
    const swapped = project
      .replace('<field name="SecurityID" id="48" type="Int32" offset="12" semanticType="int"/>\n            <field name="RptSeq" id="83" type="uInt32" offset="16" semanticType="int"/>',
        '<field name="RptSeq" id="83" type="uInt32" offset="12" semanticType="int"/>\n            <field name="SecurityID" id="48" type="Int32" offset="16" semanticType="int"/>');
    expect(swapped).not.toBe(project);
    writeFileSync(schemaPath, swapped);
    const table = await loadTemplateTable(schemaPath, path.join(workDir, 'swapped-cache'));
    expect([...table.bookTemplates].sort((a, b) => a - b)).toEqual([4, 48, 52]);
    // when a Book46 arrives
    const listener = new RecordingListener();
    const warnings: string[] = [];
    const handler = new Mdp3Handler({ listener, templates: table, logger: { warn: (line) => warnings.push(line) } });
    expect(warnings).toEqual([
      `books: MDIncrementalRefreshBook46 in ${schemaPath} is laid out unlike schemas/mdp3.xml; no book is built from it`,
    ]);
    const packet = new Mdp3PacketBuilder().packet(1).bookRefresh([{ securityId: 5, action: MDUpdateAction.New, entryType: MDEntryTypeBook.Bid, level: 1, price: 1, quantity: 1 }]);
    handler.onDatagram(packet.view, 0, packet.length, ReceiveTime.of(0), 0);
    // then the strategy sees it, and no book is built from a layout the builder does not read
    expect(listener.messages.map((message) => message.templateId)).toEqual([46]);
    expect(handler.book(5)).toBeUndefined();
  });

  it('refuses a bad schema with its diagnostics', async () => {
    const schemaPath = path.join(workDir, 'broken.xml');
    writeFileSync(schemaPath, '<messageSchema package="x" id="1" version="0"><types>');
    await expect(loadTemplateTable(schemaPath, path.join(workDir, 'broken-cache'))).rejects.toBeInstanceOf(SchemaError);
  });
});
