/** The backtest suite's section of RESULTS.md. */
import { formatRate, markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import type { BacktestConfiguration, BacktestRound, BacktestSuiteResult } from './results.js';

const DESCRIPTIONS: Record<BacktestConfiguration, string> = {
  books: 'decode + sequencing + books, no strategy',
  ping: 'decode + books + strategies/ping.ts, its orders through risk + encoding to the simulated exchange and back',
};

/**
 * What node --cpu-prof and the sampling heap profiler showed of this suite's process
 * (2026-11-26): kept beside the figures so a missed goal says what limits it.
 */
const PROFILE_NOTES = [
  'Where the time goes (node --cpu-prof of main.ts, 2026-11-26): in `books`, the feed path itself, about evenly: pcap record parsing (CaptureReader.next, locateUdpPayload), ' +
    "the handler's check pass (sbeSkip over every group) then dispatch, the sequencer, and book building (applyBookRefresh, Book.insert); the backtest's own tap and order flow are under 5%. " +
    'Decoding alone costs ~145 ns a Book46 message (codec section), so 10 M/s is out of reach of this design on this machine before books are built.',
  'In `ping`, every book event sends an order, so a message costs an order round trip: risk checks and encoding, the simulator session (decode, validation, matching, two ExecutionReports encoded), ' +
    'the router decoding them and updating its table, the mirror of the recorded book into the engine, and the order stream copied and hashed.',
  'Where the GC runs came from (sampling heap profiler counting collected objects, ping rounds over the 1 M feed, 2026-11-26): 16 B an order at each of four sites, ' +
    "each a double crossing a call V8 compiled out of line in some rounds (every round is a new Backtest, compiled again): the PnL's and the simulator session's PRICE9 mantissas " +
    "(now read into Float64Array cells by mantissaInto), the -0 a filled order's zero leaves made in the risk checks (now 0 - leaves), and the simulator's report setters' 64-bit values. " +
    'test/backtest/ping-rounds-zero-alloc.test.ts limits V8\'s inlining so that each of them fails every run, not the unlucky rounds only. ' +
    "What is left starts in the first 2% of a round: V8 compiling the path again for the round's new Backtest.",
];

function measured(rounds: readonly BacktestRound[], configuration: BacktestConfiguration): BacktestRound[] {
  return rounds.filter((round) => round.configuration === configuration && !round.warmUp);
}

export function renderBacktestSection(run: SuiteRun<BacktestSuiteResult>): string {
  const result = run.result;
  const configurations = Object.keys(DESCRIPTIONS) as BacktestConfiguration[];
  const rows = configurations.map((configuration) => {
    const rounds = measured(result.rounds, configuration);
    const rates = rounds.map((round) => round.messagesPerSecond);
    return [
      configuration,
      DESCRIPTIONS[configuration],
      formatRate(median(rates)),
      `${formatRate(Math.min(...rates))} - ${formatRate(Math.max(...rates))}`,
      String(rounds[0]?.orders ?? 0),
      String(rounds[0]?.fills ?? 0),
      rounds.map((round) => round.gcCount).join(', '),
      rounds.map((round) => round.steadyStateGcCount ?? '-').join(', '),
    ];
  });
  const ping = measured(result.rounds, 'ping');
  const pingRate = median(ping.map((round) => round.messagesPerSecond));
  const steadyStateCounted = ping.every((round) => round.steadyStateGcCount !== undefined);
  const pingGcs = ping.reduce((sum, round) => sum + (round.steadyStateGcCount ?? round.gcCount), 0);
  const goal = result.goalMessagesPerSecond;
  return [
    `## Backtest: messages per second at --speed max (bench/backtest)${run.quick ? ' (quick)' : ''}`,
    '',
    `Run ${run.machine.date}, load average ${run.machine.loadAverage?.toFixed(2) ?? 'unknown'} at start (2 cores: other work on the machine slows every row alike). \`Backtest\` (src/backtest, what \`zerotick run --feed pcap:<file>\` runs) over ${result.feed.path}: ` +
      `${result.feed.messages.toLocaleString('en-US')} MDP 3.0 messages in ${result.feed.packets.toLocaleString('en-US')} packets ` +
      `(${(result.feed.bytes / 1e6).toFixed(1)} MB, generated with seed ${result.feed.seed}), mapped, on one thread, ${result.pinning}; order latency 0. ` +
      'Configurations interleaved round by round; the first round of each is warm-up and not counted; a full collection before each round, ' +
      'then the collections that started while the file ran (PerformanceObserver), and those of them that started after the first tenth of the file: ' +
      "the steady state, once V8 has compiled the path (every round is a new Backtest, its strategy module loaded anew, so V8 compiles the path again each round).",
    '',
    markdownTable(
      ['configuration', 'what runs', 'median messages/s', 'range', 'orders', 'fills', 'GCs per round', 'GCs after the warm-up'],
      rows,
      [false, false, true, true, true, true, true, true],
    ),
    '',
    `Goal (>= ${goal / 1e6} M messages/s through decode + books + ping.ts, zero GC runs in steady state): ` +
      `throughput ${pingRate >= goal ? 'met' : 'missed'} (${formatRate(pingRate)}); ` +
      `GC ${pingGcs === 0 ? 'met' : 'missed'} (${pingGcs} collections ${steadyStateCounted ? 'after the warm-up' : 'in all'} over ${ping.length} rounds).`,
    '',
    ...PROFILE_NOTES.flatMap((note) => [note, '']).slice(0, -1),
  ].join('\n');
}
