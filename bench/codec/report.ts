/** The codec suite's section of RESULTS.md: a table per message with ratios against zerotick, and the steady-state loop. */
import type { MessageKind } from './codec.js';
import type { CodecMeasurement, CodecSuiteRun, SteadyStateSuiteResult } from './results.js';
import { formatNs, formatRatio, markdownTable } from '../lib/markdown.js';
import type { SuiteRun } from '../lib/suite.js';

const ZEROTICK_PREFIX = 'zerotick';

const messageTitles: Record<MessageKind, string> = {
  book46: 'MDP3 MDIncrementalRefreshBook46, 4 NoMDEntries (schemas/mdp3.xml)',
  car: 'Car (../shared/peer/sbe-golden/example-schema.xml, README values)',
};

/** The zerotick row every ratio is taken against: the first zerotick variant of the message. */
function referenceRow(rows: readonly CodecMeasurement[]): CodecMeasurement | undefined {
  return rows.find((row) => row.codec.startsWith(ZEROTICK_PREFIX));
}

/** Sampled bytes per message: "0" when nothing beyond the profiler's own allocation was seen. */
function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'n/a';
  if (bytes === 0) return '0';
  if (bytes < 1) return '< 1 B';
  return bytes < 10 ? `${bytes.toFixed(1)} B` : `${bytes.toFixed(0)} B`;
}

function renderMessageTable(rows: readonly CodecMeasurement[]): string {
  const reference = referenceRow(rows);
  const ratio = (value: number, pick: (row: CodecMeasurement) => number): string =>
    reference === undefined ? 'n/a' : formatRatio(value, pick(reference));
  const tableRows = rows.map((row) => [
    row.codec,
    String(row.encodedLength),
    formatNs(row.decodeNs),
    ratio(row.decodeNs, (r) => r.decodeNs),
    formatNs(row.encodeNs),
    ratio(row.encodeNs, (r) => r.encodeNs),
    `${formatBytes(row.decodeBytes)} / ${formatBytes(row.encodeBytes)}`,
    `${row.decodeGcCount} / ${row.encodeGcCount}`,
  ]);
  return markdownTable(
    ['format', 'bytes', 'decode /msg', 'decode vs zerotick', 'encode /msg', 'encode vs zerotick', 'allocated /msg (decode / encode)', 'GCs while timed (decode / encode)'],
    tableRows,
    [false, true, true, true, true, true, true, true],
  );
}

/** Goal of issue 2: zerotick fastest of all formats on decode and on encode, for each message. */
function renderGoal(rows: readonly CodecMeasurement[]): string {
  const zerotickRows = rows.filter((row) => row.codec.startsWith(ZEROTICK_PREFIX));
  const others = rows.filter((row) => !row.codec.startsWith(ZEROTICK_PREFIX));
  if (zerotickRows.length === 0) {
    return 'Goal (zerotick fastest on decode and encode): not measured, zerotick not available in this build.';
  }
  const bestOther = (pick: (row: CodecMeasurement) => number): CodecMeasurement =>
    others.reduce((best, row) => (pick(row) < pick(best) ? row : best));
  const verdict = (operation: 'decode' | 'encode', pick: (row: CodecMeasurement) => number): string => {
    const fastestZerotick = Math.min(...zerotickRows.map(pick));
    const rival = bestOther(pick);
    const met = fastestZerotick < pick(rival);
    return `${operation} ${met ? 'met' : 'NOT met'} (zerotick ${formatNs(fastestZerotick)}, best other ${rival.codec} ${formatNs(pick(rival))})`;
  };
  return `Goal (zerotick fastest on decode and encode): ${verdict('decode', (r) => r.decodeNs)}; ${verdict('encode', (r) => r.encodeNs)}.`;
}

function renderSteadyState(steadyState: SteadyStateSuiteResult): string {
  if (steadyState.unavailable !== undefined) {
    return `Steady state (zerotick decode+encode loop, GC count): not available in this build: ${steadyState.unavailable}.`;
  }
  const rows = steadyState.loops.map((loop) => [
    messageTitles[loop.message].split(' (')[0]!,
    loop.iterations.toLocaleString('en-US'),
    `${(loop.elapsedMs / 1000).toFixed(2)} s`,
    formatNs((loop.elapsedMs * 1e6) / loop.iterations),
    String(loop.gcCount),
  ]);
  const allZero = steadyState.loops.every((loop) => loop.gcCount === 0);
  return [
    'Steady state: one loop of zerotick decode+encode per message after warm-up and a full GC; garbage collections counted with PerformanceObserver(\'gc\') over the loop.',
    '',
    markdownTable(['message', 'decode+encode', 'elapsed', 'per decode+encode', 'GCs'], rows, [false, true, true, true, true]),
    '',
    `Goal (zero GC runs in the steady-state loop): ${allZero ? 'met' : 'NOT met'}.`,
  ].join('\n');
}

export function renderCodecSection(suiteRun: SuiteRun<CodecSuiteRun>): string {
  const { codec, steadyState, pinnedCpu, niceness = 0 } = suiteRun.result;
  const lines = [
    '## Codec: ns per message, decode and encode (bench/codec)',
    '',
    `Run ${suiteRun.machine.date}${suiteRun.quick ? ' (--quick)' : ''}, load average ${suiteRun.machine.loadAverage?.toFixed(2) ?? 'unknown'} at start; one process${pinnedCpu === null ? ' (not pinned)' : ` pinned to CPU ${pinnedCpu}`}${niceness === 0 ? '' : ` at nice ${niceness}`}; all formats interleaved in rounds (A B C A B C ...), median of ${codec.measurements[0]?.rounds ?? 0} rounds. Ratios are against zerotick in the same run (>1x: slower than zerotick).`,
    'Decode = read every field into a checksum (checked equal across formats before timing); encode = write the whole message from its plain object (protobufjs: from the message fromObject made once). Enums and chars travel as small integers in every format; protobufjs decodes 64-bit fields to numbers (no Long); flatbuffers code is hand-written to match flatc output (flatc is not installed) and reuses its Builder and accessor objects.',
    'Car has two zerotick rows: "zerotick" reads text in place (length and first byte) and writes it from bytes prepared once, allocating nothing; "zerotick (strings)" goes through JS strings like the other formats. zerotick\'s code is generated from the schemas at bench start into bench/build/generated.',
    '"allocated /msg": bytes allocated per message while each case\'s optimised loop ran one more round after the timed ones, from V8\'s sampling heap profiler (256-byte sampling interval, collected objects included, the profiler\'s own ~2 KB per sampling subtracted): "< 1 B" is the sampler\'s own noise spread over a round (nothing per message); one heap number per message would show as 16 B.',
  ];
  if (codec.zerotickUnavailable !== undefined) {
    lines.push('', `zerotick: not available in this build: ${codec.zerotickUnavailable}.`);
  }
  if (codec.carMatchesGolden !== undefined) {
    lines.push('', `zerotick's Car encoding ${codec.carMatchesGolden ? 'equals' : 'DIFFERS FROM'} the reference encoder's car_example_baseline_data.sbe byte for byte.`);
  }
  for (const message of ['book46', 'car'] as const) {
    const rows = codec.measurements.filter((row) => row.message === message);
    lines.push('', `### ${messageTitles[message]}`, '', renderMessageTable(rows), '', renderGoal(rows));
  }
  lines.push('', '### Steady state, zero allocation', '', renderSteadyState(steadyState));
  return lines.join('\n');
}
