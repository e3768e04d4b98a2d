/** The scrape suite's section of RESULTS.md. */
import { markdownTable } from '../lib/markdown.js';
import { median } from '../lib/stats.js';
import type { SuiteRun } from '../lib/suite.js';
import type { ScrapeSuiteResult, ScrapeWindow } from './results.js';

/** Median p99 with and without the scraper, and the relative change: what the suite is about. */
export function scrapeVerdict(windows: readonly ScrapeWindow[]): { quietP99: number; scrapingP99: number; change: number } {
  const quietP99 = median(windows.filter((window) => !window.scraping).map((window) => window.p99));
  const scrapingP99 = median(windows.filter((window) => window.scraping).map((window) => window.p99));
  return { quietP99, scrapingP99, change: (scrapingP99 - quietP99) / quietP99 };
}

export function renderScrapeSection(run: SuiteRun<ScrapeSuiteResult>): string {
  const result = run.result;
  const { quietP99, scrapingP99, change } = scrapeVerdict(result.windows);
  const rounds = [...new Set(result.windows.map((window) => window.round))];
  const rows = rounds.map((round) => {
    const quiet = result.windows.find((window) => window.round === round && !window.scraping)!;
    const scraping = result.windows.find((window) => window.round === round && window.scraping)!;
    return [String(round), String(quiet.p99), String(scraping.p99), `${quiet.wireP99 ?? ''} / ${scraping.wireP99 ?? ''}`, String(quiet.p50), String(scraping.p50), `${quiet.count} / ${scraping.count}`, `${scraping.scrapes} (${scraping.scrapeFailures} failed)`];
  });
  return [
    `## ${'HTTP scraping vs hot-path tail'}${run.quick ? ' (quick)' : ''}`,
    '',
    `The gateway (\`zerotick run\`, ${result.strategy}, idle ${result.idle}) trades the simulator's market at ${result.simRate} packets/s; ${result.pinning}. ` +
      `Interleaved ${result.windowMs / 1000} s windows with and without a scraper at ${result.scrapeHz} Hz (GET /metrics then GET /latency); ` +
      'tick_to_trade from the gateway\'s own histograms, reset at each window\'s start.',
    '',
    `**Median p99 tick-to-trade: ${quietP99} us quiet, ${scrapingP99} us scraped: ${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%.**`,
    '',
    markdownTable(['round', 'p99 quiet (us)', 'p99 scraped (us)', 'wire p99 quiet / scraped', 'p50 quiet', 'p50 scraped', 'samples', 'scrapes'], rows, [true, true, true, true, true, true, true, true]),
  ].join('\n');
}
