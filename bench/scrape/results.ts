/** What the scrape suite measures (saved as build/results/scrape.json). */
export interface ScrapeWindow {
  round: number;
  scraping: boolean;
  /** tick_to_trade over the window, microseconds (the gateway's own /latency figures). */
  count: number;
  p50: number;
  p99: number;
  p999: number;
  /** wire (kernel receive timestamp -> feed handler) p99 over the window, us. */
  wireP99: number;
  /** Scrapes made (each GET /metrics then GET /latency), and how many failed. */
  scrapes: number;
  scrapeFailures: number;
}

export interface ScrapeSuiteResult {
  windows: ScrapeWindow[];
  windowMs: number;
  scrapeHz: number;
  simRate: number;
  strategy: string;
  idle: string;
  pinning: string;
}
