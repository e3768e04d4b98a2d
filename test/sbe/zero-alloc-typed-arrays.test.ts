/**
 * The allocation-free path that does not depend on V8's inlining budget: an MDP3
 * MDIncrementalRefreshBook46 whose prices and times are written from and read into Float64Arrays
 * (`xxxFrom(src, i)` / `xxxInto(dst, i)`), so no double ever crosses a call. A million encode +
 * decode rounds after warm-up, with V8's default flags, run without a single GC.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeGeneratedCode } from '../../src/sbe/generator.js';
import { loadSchemaOrThrow } from '../../src/sbe/parser.js';

type Mdp3 = typeof import('../.generated/zero-alloc-typed-arrays/mktdata.js');

const schemaPath = fileURLToPath(new URL('../../../shared/peer/mdp3/Cme.Futures.Mdp3.Sbe.v1.9.xml', import.meta.url));
const generatedDir = fileURLToPath(new URL('../.generated/zero-alloc-typed-arrays/', import.meta.url));
const WARM_UP_ROUNDS = 50_000;
const MEASURED_ROUNDS = 1_000_000;

let mdp3: Mdp3;

beforeAll(async () => {
  writeGeneratedCode(loadSchemaOrThrow(schemaPath), generatedDir);
  mdp3 = (await import(`${generatedDir}mktdata.ts`)) as Mdp3;
});

describe('zero allocation through typed-array accessors', () => {
  it('encodes and decodes a Book46 a million times without a GC under default V8 flags', async () => {
    // given: the book's doubles live in Float64Arrays, as a book builder keeps them
    const view = new DataView(new ArrayBuffer(512));
    const headerEncoder = new mdp3.MessageHeaderEncoder();
    const headerDecoder = new mdp3.MessageHeaderDecoder();
    const encoder = new mdp3.MDIncrementalRefreshBook46Encoder();
    const decoder = new mdp3.MDIncrementalRefreshBook46Decoder();
    const prices = new Float64Array([4_512_250_000_000, 4_512_500_000_000, 4_512_750_000_000, 4_513_000_000_000]);
    const times = new Float64Array([1_700_000_000_000_000_000]);
    const decoded = new Float64Array(8);

    const encodeBook = (i: number): number => {
      encoder.wrapAndApplyHeader(view, 0, headerEncoder).transactTimeFrom(times, 0);
      encoder.matchEventIndicator().clear().endOfEvent(true);
      const entries = encoder.noMDEntriesCount(4);
      for (let level = 0; level < 4; level++) {
        const entry = entries.next();
        entry.mDEntryPx().mantissaFrom(prices, level);
        entry.mDEntrySize(10 + level).securityID(12345).rptSeq(i & 0xffff).numberOfOrders(level).mDPriceLevel(level + 1);
        entry.mDUpdateAction(mdp3.MDUpdateAction.Change).mDEntryType(level & 1 ? mdp3.MDEntryTypeBook.Offer : mdp3.MDEntryTypeBook.Bid);
      }
      encoder.noOrderIDEntriesCount(0);
      return encoder.encodedLength();
    };
    const decodeBook = (): number => {
      decoder.wrapAndApplyHeader(view, 0, headerDecoder);
      decoder.transactTimeInto(decoded, 0);
      const entries = decoder.noMDEntries();
      let sizes = 0;
      for (let level = 1; entries.hasNext(); level++) {
        entries.next().mDEntryPx()!.mantissaInto(decoded, level);
        sizes += entries.mDEntrySize() + entries.mDPriceLevel();
      }
      return decoded[4] === prices[3] && decoded[0] === times[0] ? sizes : -1;
    };
    const rounds = (n: number): number => {
      let checksum = 0;
      for (let i = 0; i < n; i++) checksum += encodeBook(i) + decodeBook();
      return checksum;
    };
    for (let i = 0; i < 10; i++) rounds(WARM_UP_ROUNDS / 10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    rounds(WARM_UP_ROUNDS);
    const gcStarts: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
    });
    observer.observe({ entryTypes: ['gc'] });

    // when
    const start = performance.now();
    const checksum = rounds(MEASURED_ROUNDS);
    const end = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
    observer.disconnect();

    // then: every decoded round matched (a -1 would pull the sum below this) and nothing was collected
    expect(checksum).toBeGreaterThanOrEqual(MEASURED_ROUNDS * (encoder.encodedLength() + 56));
    expect(gcStarts.filter((time) => time >= start && time <= end)).toEqual([]);
  });
});
