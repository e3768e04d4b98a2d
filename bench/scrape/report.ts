/** The scrape suite's section of RESULTS.md. */
import { markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import type { ScrapeSuiteResult, ScrapeWindow } from './results.js';

/** Issue 5: scraping 10 times a second moves the hot path's p99 by less than this. */
const SCRAPE_GOAL = 0.05;

/**
 * What the suite is about: the change scraping makes to p99, judged round by round. Each round's
 * two windows are next to each other in time, so a drift of the machine over the run (another
 * process, the simulator's own state) lands on both; the verdict is the median of the rounds'
 * scraped/quiet ratios. The medians of each condition's p99 are shown beside it.
 */
export function scrapeVerdict(windows: readonly ScrapeWindow[]): { quietP99: number; scrapingP99: number; change: number; roundsHigher: number; rounds: number } {
  const quietP99 = median(windows.filter((window) => !window.scraping).map((window) => window.p99));
  const scrapingP99 = median(windows.filter((window) => window.scraping).map((window) => window.p99));
  const ratios = roundPairs(windows).map(([quiet, scraping]) => scraping.p99 / quiet.p99);
  return { quietP99, scrapingP99, change: median(ratios) - 1, roundsHigher: ratios.filter((ratio) => ratio > 1).length, rounds: ratios.length };
}

/** Each round's quiet and scraped windows, in round order. */
function roundPairs(windows: readonly ScrapeWindow[]): Array<[quiet: ScrapeWindow, scraping: ScrapeWindow]> {
  const rounds = [...new Set(windows.map((window) => window.round))];
  return rounds.map((round) => [
    windows.find((window) => window.round === round && !window.scraping)!,
    windows.find((window) => window.round === round && window.scraping)!,
  ]);
}

/** "+3.2%", "-1.0%". */
function formatChange(change: number): string {
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

export function renderScrapeSection(run: SuiteRun<ScrapeSuiteResult>): string {
  const result = run.result;
  const { quietP99, scrapingP99, change, roundsHigher, rounds } = scrapeVerdict(result.windows);
  const rows = roundPairs(result.windows).map(([quiet, scraping]) => [
    String(quiet.round),
    String(quiet.p99),
    String(scraping.p99),
    formatChange(scraping.p99 / quiet.p99 - 1),
    `${quiet.wireP99 ?? ''} / ${scraping.wireP99 ?? ''}`,
    String(quiet.p50),
    String(scraping.p50),
    `${quiet.count} / ${scraping.count}`,
    `${scraping.scrapes} (${scraping.scrapeFailures} failed)`,
  ]);
  return [
    `## ${'HTTP scraping vs hot-path tail'}${run.quick ? ' (quick)' : ''}`,
    '',
    `The gateway (\`zerotick run\`, ${result.strategy}, idle ${result.idle}) answers the simulator's market at ${result.simRate} packets/s; ${result.pinning}. ` +
      `Interleaved ${result.windowMs / 1000} s windows with and without a scraper at ${result.scrapeHz} Hz (GET /metrics then GET /latency), the condition that goes first alternating by round; ` +
      'tick_to_trade from the gateway\'s own histograms, reset at each window\'s start. ' +
      'The change is judged round by round (scraped p99 over the quiet p99 of the same round, median over the rounds), so a drift of the machine over the run lands on both conditions.',
    '',
    `**Median change of p99 tick-to-trade with scraping: ${formatChange(change)} (goal < +${SCRAPE_GOAL * 100}%: ${change < SCRAPE_GOAL ? 'met' : 'NOT met'}).** Median p99 over the windows: ${quietP99} us quiet, ${scrapingP99} us scraped; the scraped window's p99 was the higher in ${roundsHigher} of ${rounds} rounds.`,
    '',
    markdownTable(['round', 'p99 quiet (us)', 'p99 scraped (us)', 'change', 'wire p99 quiet / scraped', 'p50 quiet', 'p50 scraped', 'samples', 'scrapes'], rows, [true, true, true, true, true, true, true, true, true]),
  ].join('\n');
}
