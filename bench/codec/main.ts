/**
 * The codec suite's measuring process: decode and encode of each message in every format,
 * interleaved in rounds, one JSON document (CodecSuiteResult) on stdout.
 *
 *   node --expose-gc --import tsx bench/codec/main.ts [--quick]
 */
import { book46, book46Checksum, car, carChecksum } from './content.js';
import type { Codec, MessageKind } from './codec.js';
import { createBaselineCodecs } from './baselines.js';
import { loadZerotickCodecs } from './zerotick.js';
import type { CodecMeasurement, CodecSuiteResult } from './results.js';
import { GcCounter } from '../../src/metrics/gc-counter.js';
import { runInterleavedRounds, type RoundsOptions, type TimedCase } from '../lib/rounds.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isQuick, writeResult } from '../lib/child.js';
import { repoDirectory } from '../lib/paths.js';

const FULL: RoundsOptions = { targetRoundMs: 40, rounds: 15, warmupRounds: 4 };
const QUICK: RoundsOptions = { targetRoundMs: 15, rounds: 7, warmupRounds: 3 };

/** The reference Java encoder's Car, with the values content.ts holds. */
const GOLDEN_CAR_PATH = path.resolve(repoDirectory, '..', 'shared', 'peer', 'sbe-golden', 'car_example_baseline_data.sbe');

const expectedChecksums: Record<MessageKind, number> = { book46: book46Checksum(book46), car: carChecksum(car) };

/** A decoder that reads the wrong values would make its timing meaningless: refuse to time it. */
function checkDecodes(kind: MessageKind, codec: Codec): void {
  const checksum = codec.decode();
  if (checksum !== expectedChecksums[kind]) {
    throw new Error(`${codec.name} decodes ${kind} to checksum ${checksum}, expected ${expectedChecksums[kind]}`);
  }
}

async function main(): Promise<void> {
  const options = isQuick() ? QUICK : FULL;
  const zerotick = await loadZerotickCodecs();
  const codecsByKind = new Map<MessageKind, Codec[]>();
  for (const kind of ['book46', 'car'] as const) {
    const codecs = [...('unavailable' in zerotick ? [] : zerotick.codecs[kind]), ...createBaselineCodecs(kind)];
    codecs.forEach((codec) => checkDecodes(kind, codec));
    codecsByKind.set(kind, codecs);
  }

  const cases: TimedCase[] = [];
  for (const [kind, codecs] of codecsByKind) {
    for (const codec of codecs) {
      cases.push({ name: `${kind} ${codec.name} decode`, operation: codec.decode });
      cases.push({ name: `${kind} ${codec.name} encode`, operation: codec.encode });
    }
  }
  const gc = new GcCounter();
  const results = await runInterleavedRounds(cases, options, gc);
  gc.close();

  const byName = new Map(results.map((result) => [result.name, result]));
  const measurements: CodecMeasurement[] = [];
  for (const [kind, codecs] of codecsByKind) {
    for (const codec of codecs) {
      const decode = byName.get(`${kind} ${codec.name} decode`)!;
      const encode = byName.get(`${kind} ${codec.name} encode`)!;
      measurements.push({
        message: kind,
        codec: codec.name,
        encodedLength: codec.encodedLength,
        decodeNs: decode.nsPerOperation,
        encodeNs: encode.nsPerOperation,
        decodeGcCount: decode.gcCount,
        encodeGcCount: encode.gcCount,
        decodeBytes: decode.bytesPerOperation,
        encodeBytes: encode.bytesPerOperation,
        rounds: options.rounds,
      });
    }
  }
  const result: CodecSuiteResult = { measurements };
  if ('unavailable' in zerotick) {
    result.zerotickUnavailable = zerotick.unavailable;
  } else {
    result.carMatchesGolden = Buffer.from(zerotick.steadyState.car.encoded).equals(readFileSync(GOLDEN_CAR_PATH));
  }
  writeResult(result);
}

await main();
