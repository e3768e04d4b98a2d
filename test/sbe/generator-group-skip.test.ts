/**
 * sbeSkip over repeating groups. A flat group (entries with no nested group and no var data) is
 * skipped in one step, `sbeSkipEntries()`: one bounds check for all its entries. Any other group
 * is still walked entry by entry. Either way sbeSkip must end where the per-entry walk of the
 * reference codecs ends, and must fail where that walk fails, with the same error.
 *
 * Messages are written byte by byte here, not with the generated encoder, so that a group's
 * blockLength on the wire can be wider than the schema's, as data from a newer version is.
 */
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/sbe/diagnostics.js';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { parseSchemaText } from '../../src/sbe/parser.js';
import { SbeBoundsError } from '../../src/sbe/runtime/index.js';
import { schemaXml } from '../support/sbe-schema.js';

/*
 * What this suite drives in the module it generates while it runs. That module does not exist
 * before the run, when the tests are type-checked, so its types are written out here.
 */
interface Entries {
  hasNext(): boolean;
  next(): this;
}
interface FlatEntries extends Entries {
  sbeSkipEntries(): this;
}
interface TradeDecoder {
  readonly limit: number;
  sbeSkip(): this;
  fills(): FlatEntries;
  legs(): Entries & { ratios(): FlatEntries };
  notes(): Entries & { skipText(): number };
  fees(): FlatEntries;
  skipMemo(): number;
}
type GroupDecoderClass = abstract new (...args: never[]) => unknown;
interface Trades {
  TradeDecoder: {
    new (): { wrapAndApplyHeader(view: DataView, offset: number, header: object, bufferEnd: number): TradeDecoder };
    readonly TEMPLATE_ID: number;
    readonly SCHEMA_ID: number;
  };
  MessageHeaderDecoder: new () => object;
  TradeFillsDecoder: GroupDecoderClass;
  TradeLegsDecoder: GroupDecoderClass;
  TradeLegsRatiosDecoder: GroupDecoderClass;
  TradeNotesDecoder: GroupDecoderClass;
  TradeFeesDecoder: GroupDecoderClass;
}

/** `fees` came in version 1. `fills`, `ratios` and `fees` are flat; `legs` and `notes` are not. */
const SCHEMA = schemaXml({ package: 'trades', id: 9, version: 1, byteOrder: 'littleEndian' }, `
    <composite name="groupSize">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/>
    </composite>
    <composite name="varData">
      <type name="length" primitiveType="uint8"/>
      <type name="varData" primitiveType="uint8" length="0" characterEncoding="UTF-8"/>
    </composite>
`, `
  <sbe:message name="Trade" id="1">
    <field name="tradeDate" id="1" type="uint16"/>
    <group name="fills" id="2" dimensionType="groupSize">
      <field name="qty" id="3" type="int32"/>
      <field name="price" id="4" type="int64"/>
    </group>
    <group name="legs" id="5" dimensionType="groupSize">
      <field name="legId" id="6" type="uint32"/>
      <group name="ratios" id="7" dimensionType="groupSize">
        <field name="ratio" id="8" type="uint8"/>
      </group>
    </group>
    <group name="notes" id="9" dimensionType="groupSize">
      <field name="kind" id="10" type="uint8"/>
      <data name="text" id="11" type="varData"/>
    </group>
    <group name="fees" id="12" dimensionType="groupSize" sinceVersion="1">
      <field name="amount" id="13" type="int64"/>
    </group>
    <data name="memo" id="14" type="varData"/>
  </sbe:message>
`);

const MESSAGE_HEADER_LENGTH = 8;
const TRADE_BLOCK_LENGTH = 2;
const GROUP_HEADER_LENGTH = 4;
const FILL_BLOCK_LENGTH = 12;
const LEG_BLOCK_LENGTH = 4;
const RATIO_BLOCK_LENGTH = 1;
const NOTE_BLOCK_LENGTH = 1;
const FEE_BLOCK_LENGTH = 8;
const VAR_DATA_HEADER_LENGTH = 1;

/** What one Trade message holds; each number in an array is an entry's nested count or length. */
interface TradeShape {
  version: number;
  fills: number;
  /** The fills' blockLength on the wire: FILL_BLOCK_LENGTH, or more from a newer version. */
  fillBlockLength: number;
  /** Ratio count of each leg. */
  legs: number[];
  /** Text length of each note. */
  notes: number[];
  fees: number;
  memo: number;
}

const EMPTY_TRADE: TradeShape = { version: 1, fills: 0, fillBlockLength: FILL_BLOCK_LENGTH, legs: [], notes: [], fees: 0, memo: 0 };

const generatedDir = fileURLToPath(new URL('../.generated/group-skip/', import.meta.url));
let trades: Trades;

beforeAll(async () => {
  const { schema, diagnostics } = parseSchemaText(SCHEMA, 'trades.xml');
  if (schema === undefined) throw new Error(diagnostics.map(formatDiagnostic).join('\n'));
  writeGeneratedCode(schema, generatedDir);
  trades = (await import(`${generatedDir}trades.ts`)) as Trades;
});

/** Writes the message in wire order (entry contents are zeros: skipping never reads them); returns its length. */
function writeTrade(view: DataView, trade: TradeShape): number {
  let at = 0;
  const u16 = (value: number): void => {
    view.setUint16(at, value, true);
    at += 2;
  };
  const bytes = (length: number): void => {
    at += length;
  };
  const group = (blockLength: number, count: number): void => {
    u16(blockLength);
    u16(count);
  };
  const varData = (length: number): void => {
    view.setUint8(at, length);
    bytes(VAR_DATA_HEADER_LENGTH + length);
  };
  u16(TRADE_BLOCK_LENGTH);
  u16(trades.TradeDecoder.TEMPLATE_ID);
  u16(trades.TradeDecoder.SCHEMA_ID);
  u16(trade.version);
  bytes(TRADE_BLOCK_LENGTH);
  group(trade.fillBlockLength, trade.fills);
  bytes(trade.fills * trade.fillBlockLength);
  group(LEG_BLOCK_LENGTH, trade.legs.length);
  for (const ratios of trade.legs) {
    bytes(LEG_BLOCK_LENGTH);
    group(RATIO_BLOCK_LENGTH, ratios);
    bytes(ratios * RATIO_BLOCK_LENGTH);
  }
  group(NOTE_BLOCK_LENGTH, trade.notes.length);
  for (const textLength of trade.notes) {
    bytes(NOTE_BLOCK_LENGTH);
    varData(textLength);
  }
  if (trade.version >= 1) {
    group(FEE_BLOCK_LENGTH, trade.fees);
    bytes(trade.fees * FEE_BLOCK_LENGTH);
  }
  varData(trade.memo);
  return at;
}

function decode(view: DataView, bufferEnd: number): TradeDecoder {
  return new trades.TradeDecoder().wrapAndApplyHeader(view, 0, new trades.MessageHeaderDecoder(), bufferEnd);
}

/** The reference codecs' sbeSkip: next() on every entry of every group, each entry skipping what it nests. */
function walkEveryEntry(trade: TradeDecoder): void {
  for (const fills = trade.fills(); fills.hasNext(); ) fills.next();
  for (const legs = trade.legs(); legs.hasNext(); ) {
    for (const ratios = legs.next().ratios(); ratios.hasNext(); ) ratios.next();
  }
  for (const notes = trade.notes(); notes.hasNext(); ) notes.next().skipText();
  for (const fees = trade.fees(); fees.hasNext(); ) fees.next();
  trade.skipMemo();
}

/** The limit `skip` leaves, and what it throws (undefined when it does not). */
function outcome(trade: TradeDecoder, skip: (trade: TradeDecoder) => unknown): { limit: number; error: unknown } {
  try {
    skip(trade);
    return { limit: trade.limit, error: undefined };
  } catch (error) {
    return { limit: trade.limit, error };
  }
}

const tradeShapes: fc.Arbitrary<TradeShape> = fc.record({
  version: fc.constantFrom(0, 1),
  fills: fc.nat(300),
  fillBlockLength: fc.integer({ min: FILL_BLOCK_LENGTH, max: FILL_BLOCK_LENGTH + 9 }),
  legs: fc.array(fc.nat(5), { maxLength: 4 }),
  notes: fc.array(fc.nat(10), { maxLength: 3 }),
  fees: fc.nat(20),
  memo: fc.nat(10),
});

describe('sbeSkip of a flat group', () => {
  it('ends where the per-entry walk ends, at the end of the message, for any entry counts and wire block lengths', () => {
    fc.assert(
      fc.property(tradeShapes, (trade) => {
        const view = new DataView(new ArrayBuffer(8192));
        const length = writeTrade(view, trade);
        expect(decode(view, length).sbeSkip().limit).toBe(length);
        expect(outcome(decode(view, length), walkEveryEntry)).toEqual({ limit: length, error: undefined });
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('fails as the per-entry walk fails, with the same error and at the same position, wherever the message is cut', () => {
    fc.assert(
      fc.property(tradeShapes, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (trade, cutAt) => {
        // given a message cut anywhere after its block
        const view = new DataView(new ArrayBuffer(8192));
        const length = writeTrade(view, trade);
        const blockEnd = MESSAGE_HEADER_LENGTH + TRADE_BLOCK_LENGTH;
        const bufferEnd = blockEnd + Math.floor(cutAt * (length - blockEnd));
        // when
        const skipped = outcome(decode(view, bufferEnd), (decoder) => decoder.sbeSkip());
        const walked = outcome(decode(view, bufferEnd), walkEveryEntry);
        // then
        expect(skipped.error).toBeInstanceOf(SbeBoundsError);
        expect(skipped).toEqual(walked);
        expect((skipped.error as Error).message).toBe((walked.error as Error).message);
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('names the group and the first entry that does not fit', () => {
    // given 5 fills announced, 2 of them and half the third in the region
    const view = new DataView(new ArrayBuffer(256));
    const length = writeTrade(view, { ...EMPTY_TRADE, fills: 5 });
    const firstFill = MESSAGE_HEADER_LENGTH + TRADE_BLOCK_LENGTH + GROUP_HEADER_LENGTH;
    const bufferEnd = firstFill + 2.5 * FILL_BLOCK_LENGTH;
    expect(length).toBeGreaterThan(bufferEnd);
    // when / then
    const thirdFill = firstFill + 2 * FILL_BLOCK_LENGTH;
    expect(() => decode(view, bufferEnd).sbeSkip()).toThrow(
      new SbeBoundsError('Trade.fills', thirdFill, FILL_BLOCK_LENGTH, bufferEnd),
    );
    expect(() => decode(view, bufferEnd).sbeSkip()).toThrow(`Trade.fills: 12 bytes at offset ${thirdFill} run past the end of the region at ${bufferEnd}`);
  });

  it('skips only the entries not yet read', () => {
    const view = new DataView(new ArrayBuffer(256));
    writeTrade(view, { ...EMPTY_TRADE, fills: 5 });
    const trade = decode(view, view.byteLength);
    const fills = trade.fills();
    fills.next();
    fills.next();
    fills.sbeSkipEntries();
    expect(fills.hasNext()).toBe(false);
    expect(trade.limit).toBe(MESSAGE_HEADER_LENGTH + TRADE_BLOCK_LENGTH + GROUP_HEADER_LENGTH + 5 * FILL_BLOCK_LENGTH);
  });

  it('skips nothing for a group newer than the data', () => {
    const view = new DataView(new ArrayBuffer(256));
    const length = writeTrade(view, { ...EMPTY_TRADE, version: 0, fills: 1, memo: 3 });
    expect(decode(view, length).sbeSkip().limit).toBe(length);
  });
});

describe('groups that are not flat', () => {
  it('have no one-step skip: their entries, with nested groups or var data, are walked', () => {
    expect(trades.TradeFillsDecoder.prototype).toHaveProperty('sbeSkipEntries');
    expect(trades.TradeLegsRatiosDecoder.prototype).toHaveProperty('sbeSkipEntries');
    expect(trades.TradeFeesDecoder.prototype).toHaveProperty('sbeSkipEntries');
    expect(trades.TradeLegsDecoder.prototype).not.toHaveProperty('sbeSkipEntries');
    expect(trades.TradeNotesDecoder.prototype).not.toHaveProperty('sbeSkipEntries');
  });

  it('fail at a nested entry past the region as the walk does', () => {
    // given two legs of 3 ratios, cut in the second leg's ratios
    const view = new DataView(new ArrayBuffer(256));
    const length = writeTrade(view, { ...EMPTY_TRADE, legs: [3, 3] });
    const bufferEnd = length - VAR_DATA_HEADER_LENGTH - 2 * GROUP_HEADER_LENGTH - 2 * RATIO_BLOCK_LENGTH;
    // when / then
    expect(() => decode(view, bufferEnd).sbeSkip()).toThrow(/^Trade\.legs\.ratios: 1 bytes at offset \d+ run past the end of the region at \d+$/);
  });
});
