import { describe, expect, it } from 'vitest';
import { scrapeVerdict } from '../../bench/scrape/report.js';
import type { ScrapeWindow } from '../../bench/scrape/results.js';

function window(round: number, scraping: boolean, p99: number): ScrapeWindow {
  return { round, scraping, count: 10_000, p50: 20, p99, p999: 2 * p99, wireP99: p99 / 2, scrapes: scraping ? 40 : 0, scrapeFailures: 0 };
}

describe('the scrape verdict', () => {
  it("judges each round's scraped p99 against its own quiet window, so a drift over the run cancels out", () => {
    // given p99 doubling over the run in both conditions, the scraped window 10% above the quiet one in every round
    const windows = [100, 200, 400].flatMap((p99, round) => [window(round, false, p99), window(round, true, p99 * 1.1)]);

    // then the change is +10%, where the medians of each condition alone would differ by the drift's spread
    const verdict = scrapeVerdict(windows);
    expect(verdict.change).toBeCloseTo(0.1, 10);
    expect(verdict.quietP99).toBe(200);
    expect(verdict.scrapingP99).toBeCloseTo(220, 10);
    expect([verdict.roundsHigher, verdict.rounds]).toEqual([3, 3]);
  });

  it('takes the median of the rounds, so one disturbed window does not decide it', () => {
    const windows = [
      ...[window(0, false, 100), window(0, true, 101)],
      ...[window(1, false, 100), window(1, true, 99)],
      ...[window(2, false, 100), window(2, true, 900)],
    ];
    const verdict = scrapeVerdict(windows);
    expect(verdict.change).toBeCloseTo(0.01, 10);
    expect(verdict.roundsHigher).toBe(2);
  });
});
