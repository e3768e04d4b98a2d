/**
 * The exchange simulator: a matching engine with synthetic liquidity (or a recorded capture)
 * behind an MDP 3.0 feed on UDP and an order entry server on TCP, measuring tick-to-trade for
 * orders that name the packet that triggered them. `startSimulator` wires it up; the benchmarks,
 * the end-to-end tests, `npm start` and `zerotick sim` all run it this way.
 */
import type { Histogram } from 'hdr-histogram-js';
import { realtimeNanos } from '../io/native.js';
import { CaptureReplay } from './capture-replay.js';
import { parseTcpEndpoint, parseUdpEndpoint, type TcpEndpoint, type UdpEndpoint } from './endpoints.js';
import { FeedPublisher } from './feed-publisher.js';
import { defaultInstruments, type InstrumentSpec } from './instruments.js';
import { MatchingEngine } from './matching-engine.js';
import { OrderServer } from './order-server.js';
import { Pacer } from './pacer.js';
import { SeededRandom } from './seeded-random.js';
import { SnapshotPublisher } from './snapshot-publisher.js';
import { DEFAULT_SEND_TIME_CAPACITY, SendTimeRing } from './send-time-ring.js';
import { SyntheticMarket } from './synthetic-market.js';
import { TickToTrade, type LatencySummary } from './tick-to-trade.js';

export const DEFAULT_SEED = 1;
export const DEFAULT_RATE = 1000;
export const DEFAULT_INSTRUMENT_COUNT = 4;
/** CME's futures books are 10 deep. */
export const DEFAULT_BOOK_DEPTH = 10;
export const DEFAULT_LISTEN = 'tcp://127.0.0.1:0';
export const DEFAULT_SNAPSHOT_INTERVAL_MS = 1000;

export interface SimulatorOptions {
  /** Where the feed goes: `udp://host:port[?iface=NAME]` or an endpoint; two for the A and B lines. */
  feeds: ReadonlyArray<string | UdpEndpoint>;
  /** Order entry listener. Port 0 takes a free port (see `Simulator.orderEntry`). Default tcp://127.0.0.1:0. */
  listen?: string | TcpEndpoint;
  /** Seed of the synthetic market: the same seed gives the same packets. Default 1. */
  seed?: number;
  /**
   * Synthetic market steps (about one packet each), or capture packets, per second. 0: the market
   * moves only when `step()` is called or orders trade (what deterministic tests want). Default 1000.
   */
  rate?: number;
  /** Instruments listed, 1-8 (security ids 10001...). Default 4. */
  instruments?: number;
  /** Price levels per side kept and published. Default 10. */
  depth?: number;
  /** Replay this pcap/pcapng capture instead of the synthetic market (no instruments are listed then). */
  pcap?: string;
  /** Where the snapshot loop (SnapshotFullRefresh52 per instrument) goes; one or two lines. Default: no snapshot loop. */
  snapshotFeeds?: ReadonlyArray<string | UdpEndpoint>;
  /** Time between snapshot loops. Default 1000 ms. */
  snapshotIntervalMs?: number;
  /** SendingTime/TransactTime source, ns since the epoch. Default CLOCK_REALTIME. */
  clock?: () => number;
  /** Packets whose send time is kept for tick-to-trade (a power of 2). Default 65536. */
  sendTimeCapacity?: number;
  /** Where problems (bad client input) are reported. Default: stderr. */
  log?: (line: string) => void;
  /**
   * Listen for order entry but publish nothing until `openMarket()`, so a gateway can bind its
   * feed and establish its session before the opening books. Default false: open at once.
   */
  holdMarket?: boolean;
}

export interface SimulatorCounters {
  packetsSent: number;
  snapshotPacketsSent: number;
  /** NewOrderSingle received. */
  ordersReceived: number;
  cancelsReceived: number;
  replacesReceived: number;
  /** Fill and partial-fill reports sent. */
  fills: number;
  /** Rejected ExecutionReports sent. */
  rejects: number;
  businessRejects: number;
  malformedMessages: number;
  outOfSequenceMessages: number;
  protocolErrors: number;
  sessionsEstablished: number;
  connections: number;
  /** Orders whose TriggerSeqNum named a packet the simulator no longer (or never) knew. */
  unknownTriggers: number;
}

export interface Simulator {
  /** Feed destinations, as given (line A first). */
  readonly feeds: readonly UdpEndpoint[];
  /** Snapshot loop destinations (empty: no loop). */
  readonly snapshotFeeds: readonly UdpEndpoint[];
  /** The order entry listener's actual address. */
  readonly orderEntry: { host: string; port: number };
  readonly instruments: readonly InstrumentSpec[];
  readonly engine: MatchingEngine;
  /** Opens the market (opening books, then the pacer and the snapshot loop) when started with `holdMarket`; once only. */
  openMarket(): void;
  /** Synthetic mode: runs `count` (default 1) market steps now, each published as one event; returns the steps run (0 in replay mode). */
  step(count?: number): number;
  counters(): SimulatorCounters;
  /** Tick-to-trade so far, in ns (see tick-to-trade.ts for what is measured). */
  tickToTrade(): LatencySummary;
  /** The tick-to-trade HdrHistogram itself (ns), e.g. for `outputPercentileDistribution()` (.hgrm). */
  readonly tickToTradeHistogram: Histogram;
  /** Forgets what was measured so far (a benchmark's warm-up). */
  resetTickToTrade(): void;
  /** Stops the market, closes every connection and socket. */
  stop(): Promise<void>;
}

/** The options with every default applied and every address parsed. */
interface ResolvedOptions {
  feeds: UdpEndpoint[];
  snapshotFeeds: UdpEndpoint[];
  snapshotIntervalMs: number;
  listen: TcpEndpoint;
  rate: number;
  depth: number;
  clock: () => number;
  log: (line: string) => void;
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const resolved = resolveOptions(options);
  const instruments = options.pcap === undefined ? defaultInstruments(options.instruments ?? DEFAULT_INSTRUMENT_COUNT) : [];
  const engine = new MatchingEngine(instruments);
  const tickToTrade = new TickToTrade(new SendTimeRing(options.sendTimeCapacity ?? DEFAULT_SEND_TIME_CAPACITY));
  const replay = options.pcap === undefined ? undefined : CaptureReplay.open(options.pcap);
  let feed: FeedPublisher | undefined;
  let snapshots: SnapshotPublisher | undefined;
  let orders: OrderServer | undefined;
  try {
    feed = FeedPublisher.open({ destinations: resolved.feeds, engine, depth: resolved.depth, sendTimes: tickToTrade.sendTimes, clock: resolved.clock });
    if (resolved.snapshotFeeds.length > 0) {
      snapshots = SnapshotPublisher.open(feed, { destinations: resolved.snapshotFeeds, depth: resolved.depth, clock: resolved.clock });
    }
    const publisher = feed;
    orders = await OrderServer.listen({
      listen: resolved.listen,
      engine,
      tickToTrade,
      clock: resolved.clock,
      log: resolved.log,
      onMarketChanged: () => {
        if (replay === undefined) publisher.publishEvent();
      },
    });
    const market = new SyntheticMarket(engine, new SeededRandom(options.seed ?? DEFAULT_SEED), resolved.depth);
    const simulator = new RunningSimulator(resolved, instruments, engine, market, publisher, snapshots, orders, tickToTrade, replay);
    if (options.holdMarket !== true) simulator.openMarket();
    return simulator;
  } catch (error) {
    await orders?.close();
    feed?.close();
    snapshots?.close();
    replay?.close();
    throw error;
  }
}

function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const feeds = options.feeds.map((feed, index) => (typeof feed === 'string' ? parseUdpEndpoint(feed, `feed ${index + 1}`) : feed));
  if (feeds.length < 1 || feeds.length > 2) throw new RangeError(`one or two feed destinations (A and B lines), got ${feeds.length}`);
  const snapshotFeeds = (options.snapshotFeeds ?? []).map((feed, index) =>
    typeof feed === 'string' ? parseUdpEndpoint(feed, `snapshot feed ${index + 1}`) : feed,
  );
  if (snapshotFeeds.length > 2) throw new RangeError(`at most two snapshot feed destinations (A and B lines), got ${snapshotFeeds.length}`);
  if (snapshotFeeds.length > 0 && options.pcap !== undefined) throw new RangeError('a snapshot loop needs the synthetic market: not with a capture replay');
  const listen = options.listen ?? DEFAULT_LISTEN;
  const rate = options.rate ?? DEFAULT_RATE;
  if (!(rate >= 0)) throw new RangeError(`rate must be >= 0: rate=${rate}`);
  return {
    feeds,
    snapshotFeeds,
    snapshotIntervalMs: options.snapshotIntervalMs ?? DEFAULT_SNAPSHOT_INTERVAL_MS,
    listen: typeof listen === 'string' ? parseTcpEndpoint(listen, 'listen') : listen,
    rate,
    depth: options.depth ?? DEFAULT_BOOK_DEPTH,
    clock: options.clock ?? realtimeNanos,
    log: options.log ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
}

/** The parts wired together, driven by the pacer (and the snapshot timer) until `stop`. */
class RunningSimulator implements Simulator {
  readonly feeds: readonly UdpEndpoint[];
  readonly snapshotFeeds: readonly UdpEndpoint[];
  readonly orderEntry: { host: string; port: number };
  private pacer: Pacer | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private marketOpen = false;

  constructor(
    private readonly options: ResolvedOptions,
    readonly instruments: readonly InstrumentSpec[],
    readonly engine: MatchingEngine,
    private readonly market: SyntheticMarket,
    private readonly feed: FeedPublisher,
    private readonly snapshots: SnapshotPublisher | undefined,
    private readonly orders: OrderServer,
    private readonly latency: TickToTrade,
    private readonly replay: CaptureReplay | undefined,
  ) {
    this.feeds = options.feeds;
    this.snapshotFeeds = options.snapshotFeeds;
    this.orderEntry = orders.address;
  }

  /** Opens the channel (synthetic market) and starts the pacer and the snapshot loop. */
  openMarket(): void {
    if (this.marketOpen || this.stopped) return;
    this.marketOpen = true;
    if (this.replay === undefined) {
      this.feed.publishOpening();
      this.market.open();
      this.feed.publishEvent();
    }
    if (this.options.rate > 0) {
      this.pacer = new Pacer(this.options.rate, (count) => (this.replay === undefined ? this.step(count) : this.replayPackets(count)));
      this.pacer.start();
    }
    const snapshots = this.snapshots;
    if (snapshots !== undefined) this.snapshotTimer = setInterval(() => snapshots.publishCycle(), this.options.snapshotIntervalMs);
  }

  step(count = 1): number {
    if (this.replay !== undefined) return 0;
    for (let done = 0; done < count; done++) {
      this.market.step();
      this.feed.publishEvent();
    }
    this.orders.flushReports(); // fills of resting orders the market traded through
    return count;
  }

  counters(): SimulatorCounters {
    const counters = this.orders.counters;
    return {
      packetsSent: this.feed.packetsSent,
      snapshotPacketsSent: this.snapshots?.packetsSent ?? 0,
      ordersReceived: counters.ordersReceived,
      cancelsReceived: counters.cancelsReceived,
      replacesReceived: counters.replacesReceived,
      fills: counters.fills,
      rejects: counters.rejects,
      businessRejects: counters.businessRejects,
      malformedMessages: counters.malformedMessages,
      outOfSequenceMessages: counters.outOfSequenceMessages,
      protocolErrors: counters.protocolErrors,
      sessionsEstablished: counters.sessionsEstablished,
      connections: this.orders.connectionCount,
      unknownTriggers: this.latency.unknownTriggerCount,
    };
  }

  tickToTrade(): LatencySummary {
    return this.latency.summary();
  }

  get tickToTradeHistogram(): Histogram {
    return this.latency.histogram;
  }

  resetTickToTrade(): void {
    this.latency.reset();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pacer?.stop();
    clearInterval(this.snapshotTimer);
    await this.orders.close();
    this.feed.close();
    this.snapshots?.close();
    this.replay?.close();
  }

  private replayPackets(count: number): number {
    const replay = this.replay!;
    const done = replay.sendNext(count, this.feed);
    if (replay.finished) {
      this.pacer?.stop();
      this.options.log(`capture ${replay.path} finished: ${replay.packetsReplayed} packets replayed, ${replay.packetsSkipped} skipped`);
    }
    return done;
  }
}
