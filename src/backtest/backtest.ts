/**
 * The in-process backtest: a recorded capture file through the gateway's own pieces, on the
 * calling thread, in one synchronous loop:
 *
 *   mapped pcap/pcapng (PcapSource, zero copy) -> Sequencer -> RecordedTimeTap (clock = the
 *   packet's SendingTime; orders and reports due by then delivered) -> Mdp3Handler (decode,
 *   books) -> BacktestFeedListener (simulated exchange, then StrategyFeedListener) -> strategies
 *   -> ctx.orders -> OrderRouter (risk, encoding) -> InProcessSession -> latency ->
 *   SimulatedExchange (sim's session + matching engine over the recorded books) -> latency ->
 *   ExecutionReports -> OrderRouter -> strategies
 *
 * Deterministic: every time comes from the file (RecordedClock), and the order stream (every
 * frame both ways) is hashed, and written with `ordersOut`, so two runs compare byte for byte.
 * `speed` 'max' runs flat out; a number paces the packets at that multiple of recorded time.
 */
import { FeedCounters, BAD_INPUT_REASONS } from '../feed/feed-counters.js';
import { parseFeedUrl } from '../feed/feed-url.js';
import { Mdp3Handler } from '../feed/mdp3-handler.js';
import { Sequencer } from '../feed/sequencer.js';
import { PcapSource, SOURCE_EXHAUSTED } from '../feed/sources/pcap-source.js';
import { StrategyFeedListener } from '../gateway/feed-listener.js';
import { CaptureFormatError } from '../io/pcap.js';
import { monotonicNanos } from '../io/native.js';
import { GatewayCounters } from '../metrics/counters.js';
import { GcCounter } from '../metrics/gc-counter.js';
import { STRATEGY_ORDERS, strategySlot } from '../metrics/counters-layout.js';
import type { RiskConfig } from '../order/risk.js';
import type { LogSink, StrategyEnvironment } from '../strategy/context.js';
import { StrategyHost } from '../strategy/host.js';
import { loadStrategies, type LoadedStrategy, type StrategySpec } from '../strategy/loader.js';
import { BacktestFeedListener } from './backtest-feed-listener.js';
import { toPriceUnits, type BacktestGcRuns, type BacktestSummary, type StrategySummary } from './backtest-summary.js';
import { OrderStreamLog } from './order-stream-log.js';
import { Pacer } from './pacer.js';
import { RecordedClock } from './recorded-clock.js';
import { RecordedTimeTap } from './recorded-time-tap.js';
import { SimulatedOrderFlow } from './simulated-order-flow.js';
import { PnlRecordingRouting, markPrice } from './strategy-pnl.js';

export type BacktestSpeed = 'max' | number;

export interface BacktestOptions {
  /** The capture file, as a feed URL: `pcap:path` (pcap or pcapng). */
  feed: string;
  strategies: readonly StrategySpec[];
  /** 'max' (default): flat out; a number: paced at that multiple of recorded time (1: as recorded). */
  speed?: BacktestSpeed;
  /** One-way order latency in recorded ns, each way. Default 0. */
  orderLatencyNanos?: number;
  /** Where to write the order stream (order-stream-layout.ts); it is hashed either way. */
  ordersOut?: string;
  risk?: RiskConfig;
  /** Strategies' and the feed's log lines. Default: console. */
  log?: LogSink;
}

/** Datagrams per poll of the file: how often the loop leaves the source's own loop. */
const DATAGRAMS_PER_POLL = 256;
/**
 * The first tenth of the file is the warm-up: V8 compiles the path while it runs (on the bench's
 * 1 M-message feed, every collection of a ping round started in its first 2%). Collections after
 * it are the steady state's.
 */
const WARM_UP_SHARE = 0.1;
/** After the last packet, orders and reports keep flowing for this long in recorded time. */
const DRAIN_NANOS = 1_000_000_000;

/** The capture file is corrupt: what and at which byte offset, after the file's name. */
export class BacktestFeedError extends Error {
  override name = 'BacktestFeedError';
}

export class Backtest {
  readonly clock = new RecordedClock();
  readonly feedCounters = new FeedCounters();
  readonly orderFlow: SimulatedOrderFlow;
  readonly handler: Mdp3Handler;
  readonly host: StrategyHost;
  private readonly counters = new GatewayCounters();
  private readonly stream: OrderStreamLog;
  private readonly pnl: PnlRecordingRouting;
  private readonly sequencer: Sequencer;
  private readonly source: PcapSource;
  private readonly tap: RecordedTimeTap;
  private elapsedNanos = 0;
  /** performance.now() (the clock of GC entries) when run() finished the warm-up (WARM_UP_SHARE of the file). */
  steadyStateStartMs = Number.NaN;

  /** Loads the strategies and opens the file; run() then runs it. */
  static async open(options: BacktestOptions): Promise<Backtest> {
    const strategies = await loadStrategies(options.strategies);
    return new Backtest(options, strategies);
  }

  private constructor(
    readonly options: BacktestOptions,
    strategies: readonly LoadedStrategy[],
  ) {
    const log = options.log ?? console;
    const address = parseFeedUrl(options.feed);
    if (address.kind !== 'pcap') throw new Error(`backtest feed ${options.feed}: a backtest reads a capture file (pcap:path)`);
    const speed = options.speed ?? 'max';
    const pacer = speed === 'max' ? undefined : new Pacer(speed);
    this.stream = new OrderStreamLog(this.clock, options.ordersOut);
    this.source = openCapture(options.feed, address.path, this.stream);
    let orderFlow: SimulatedOrderFlow | undefined;
    try {
      let handler: Mdp3Handler | undefined;
      let feedListener: StrategyFeedListener | undefined;
      const books = { book: (securityId: number) => handler!.book(securityId) };
      orderFlow = new SimulatedOrderFlow({
        clock: this.clock,
        recordedBooks: books,
        latencyNanos: options.orderLatencyNanos ?? 0,
        stream: this.stream,
        risk: options.risk,
      });
      this.orderFlow = orderFlow;
      const clock = this.clock;
      const environment: StrategyEnvironment = {
        get packet() {
          return feedListener!.packet;
        },
        books,
        clock: () => clock.nanos,
        log,
      };
      const orderPath = this.orderFlow.orderPath;
      this.pnl = new PnlRecordingRouting(orderPath);
      this.host = new StrategyHost(strategies, { environment, orders: this.pnl, counters: this.counters });
      feedListener = new StrategyFeedListener(this.host, orderPath);
      handler = new Mdp3Handler({ listener: new BacktestFeedListener(feedListener, this.orderFlow.exchange), counters: this.feedCounters, logger: log });
      this.handler = handler;
      this.tap = new RecordedTimeTap(handler, clock, this.orderFlow, orderPath, this.host, pacer);
      this.sequencer = new Sequencer(this.tap, this.feedCounters);
    } catch (error) {
      orderFlow?.close();
      this.source.close();
      this.stream.close();
      throw error;
    }
  }

  /** Runs the whole file (strategies started first, stopped at the end), synchronously. */
  run(): void {
    this.host.start();
    const started = monotonicNanos();
    const reader = this.source.reader;
    this.readFile(Math.floor(reader.bytes.byteLength * WARM_UP_SHARE));
    this.steadyStateStartMs = performance.now();
    this.readFile(reader.bytes.byteLength);
    this.sequencer.expire(Infinity); // packets held behind a hole at the end of the file
    this.drain();
    this.host.stop();
    this.drain(); // what onStop sent (cancels)
    this.elapsedNanos = monotonicNanos() - started;
  }

  /** The run's figures, with the collections counted while it ran (runCountingCollections). */
  summary(gcRuns: BacktestGcRuns): BacktestSummary {
    const counts = this.orderFlow.router.counters;
    const feed = this.feedCounters;
    const elapsedSeconds = this.elapsedNanos / 1e9;
    return {
      feed: this.options.feed,
      packets: feed.packets,
      messages: feed.messages,
      gapPackets: feed.lostPackets,
      badDatagrams: BAD_INPUT_REASONS.reduce((sum, reason) => sum + feed[reason], 0),
      recordedNanos: Number.isNaN(this.tap.firstSendingTime) ? 0 : this.tap.lastSendingTime - this.tap.firstSendingTime,
      orders: counts.ordersSent,
      cancels: counts.cancelsSent,
      replaces: counts.replacesSent,
      fills: counts.fills,
      rejects: counts.rejects,
      executionReports: counts.executionReports,
      inFlightAtEnd: this.orderFlow.inFlight,
      strategies: this.host.strategies.map((strategy, index) => this.strategySummary(strategy.name, index)),
      elapsedSeconds,
      messagesPerSecond: elapsedSeconds > 0 ? feed.messages / elapsedSeconds : 0,
      gcCount: gcRuns.total,
      steadyStateGcCount: gcRuns.steadyState,
      orderStream: { frames: this.stream.frames, bytes: this.stream.bytes, sha256: this.stream.digest(), path: this.stream.path },
    };
  }

  close(): void {
    this.stream.close();
    this.orderFlow.close();
    this.source.close();
  }

  /** Reads packets until `untilByte` of the file has been read, or to its end. */
  private readFile(untilByte: number): void {
    const source = this.source;
    const sequencer = this.sequencer;
    try {
      while (source.reader.bytesRead < untilByte && source.poll(sequencer, DATAGRAMS_PER_POLL, 0) !== SOURCE_EXHAUSTED);
    } catch (error) {
      if (error instanceof CaptureFormatError) throw new BacktestFeedError(`backtest feed ${this.options.feed}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** Orders and reports still on their way arrive, up to DRAIN_NANOS of recorded time from now. */
  private drain(): void {
    const orderFlow = this.orderFlow;
    orderFlow.horizonNanos = this.clock.nanos + DRAIN_NANOS;
    orderFlow.deliverDue();
  }

  private strategySummary(name: string, index: number): StrategySummary {
    const pnl = this.pnl.strategies[index]!;
    const books = this.handler;
    const realized = pnl.realized;
    const unrealized = pnl.unrealized(books);
    return {
      name,
      orders: this.counters.get(strategySlot(index, STRATEGY_ORDERS)),
      fills: pnl.fills,
      realizedPnl: toPriceUnits(realized),
      unrealizedPnl: toPriceUnits(unrealized),
      totalPnl: toPriceUnits(realized + unrealized),
      positions: [...pnl.instruments.values()].map((instrument) => ({
        securityId: instrument.securityId,
        position: instrument.position,
        averagePrice: toPriceUnits(instrument.averagePrice),
        markPrice: toPriceUnits(markPrice(books, instrument.securityId)),
      })),
    };
  }
}

/** Opens the file; on failure `stream`, opened before it, is closed. */
function openCapture(url: string, path: string, stream: OrderStreamLog): PcapSource {
  try {
    return PcapSource.open(url, path, 0);
  } catch (error) {
    stream.close();
    throw new BacktestFeedError(`backtest feed ${url}: cannot open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Runs `backtest`, counting the collections `gc` sees while the file runs: in all, and after the warm-up. */
export async function runCountingCollections(backtest: Backtest, gc: GcCounter): Promise<BacktestGcRuns> {
  const from = gc.now();
  backtest.run();
  const to = gc.now();
  await gc.settle();
  return { total: gc.countBetween(from, to), steadyState: gc.countBetween(backtest.steadyStateStartMs, to) };
}

/** Opens, runs and closes a backtest; the summary counts the GC runs while the file ran. */
export async function runBacktest(options: BacktestOptions): Promise<BacktestSummary> {
  const backtest = await Backtest.open(options);
  const gc = new GcCounter();
  try {
    return backtest.summary(await runCountingCollections(backtest, gc));
  } finally {
    gc.close();
    backtest.close();
  }
}
