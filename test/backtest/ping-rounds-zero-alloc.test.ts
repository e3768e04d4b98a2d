/**
 * The backtest's ping rounds, as the bench runs them, collect no garbage: strategies/ping.ts
 * crossing the spread on every book event of a generated capture, each order filled by the
 * simulated exchange and recorded by the PnL, a new Backtest every round, no GC in any measured
 * round.
 *
 * A double (a PRICE9 mantissa, a price, a -0) returned from or passed to a call V8 compiled out
 * of line is a 16-byte heap number. V8 inlines until a compilation's inlining budget is spent,
 * and every new Backtest is compiled again, so in the bench that happened in some rounds only,
 * each time at another call. Each child here limits V8's inlining one way (INLINING_LIMITS), so
 * a double crossing a call fails every run, not the unlucky rounds only. The young generation
 * is fixed at SEMI_SPACE_MB so the GC count measures bytes: a round's own setup (the engine's
 * books for each instrument, ~0.3 MB) fits, 16 bytes per order do not.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTypeScriptChild } from '../../bench/lib/child.js';
import type { PingRound } from './fixtures/ping-rounds-gc-child.js';

const MESSAGES = 300_000;
const MEASURED_ROUNDS = 4;
/** 16 B x ~214k orders is 3.4 MB a round: at least one collection in 2 MB. */
const SEMI_SPACE_MB = 2;
/** Each makes V8 leave out of line, every time, calls it left out of line in some bench rounds. */
const INLINING_LIMITS = [
  // no function over 50 bytes of bytecode inlined: the PRICE9 accessors (60) never are
  '--max-inlined-bytecode-size=50',
  // a compilation's inlining budget spent early: risk's open quantity, the router's fills
  '--max-inlined-bytecode-size-cumulative=200',
  // Not spent earlier (100 bytes): then ping's own `side.price(0)` comes back boxed, as any
  // strategy's read of a price would: what a strategy allocates is its author's to prove.
];

describe('backtest ping rounds allocation', () => {
  it.each(INLINING_LIMITS)('fills every ping order and records its PnL with no garbage collection in any round (%s)', async (inliningLimit) => {
    // given: ping over a generated capture, a new Backtest each round, in a child of its own
    const fixture = fileURLToPath(new URL('./fixtures/ping-rounds-gc-child.ts', import.meta.url));

    // when
    const { rounds } = await runTypeScriptChild<{ rounds: PingRound[] }>(fixture, [String(MESSAGES), String(MEASURED_ROUNDS)], {
      nodeFlags: [
        `--min-semi-space-size=${SEMI_SPACE_MB}`,
        `--max-semi-space-size=${SEMI_SPACE_MB}`,
        inliningLimit,
      ],
    });

    // then: every order traded and the PnL saw every fill, so the whole fill path ran...
    expect(rounds).toHaveLength(MEASURED_ROUNDS);
    for (const round of rounds) {
      expect(round.orders).toBeGreaterThan(MESSAGES / 2);
      expect(round.fills).toBe(round.orders);
      expect(round.pnlFills).toBe(round.fills);
    }
    // ...and no round allocated enough for a collection (the message says how much each did)
    const growth = rounds.map((round) => `${(round.newSpaceGrowthBytes / 1e6).toFixed(2)} MB`).join(', ');
    expect(rounds.map((round) => round.gcRuns), `young generation growth per round, net of collections: ${growth}`).toEqual(rounds.map(() => 0));
  }, 300_000);
});
