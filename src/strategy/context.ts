/**
 * The `ctx` each strategy receives: one object per strategy, created at load and reused for
 * every call, so handing it to a handler allocates nothing.
 */
import type { Book, PacketInfo } from '../feed/market-data.js';
import type { OrderEntry } from '../order/order-request.js';
import type { StrategyContext, StrategyLogger } from './strategy.js';

/** Where log lines go: the gateway's log (the main thread's, through the worker). */
export interface LogSink {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Books by SecurityID, as the feed handler keeps them. */
export interface BookSource {
  book(securityId: number): Book | undefined;
}

/** What every strategy of one gateway shares. */
export interface StrategyEnvironment {
  /** The packet being handled: owned and updated by the feed side. */
  readonly packet: PacketInfo;
  readonly books: BookSource;
  /** ns since the epoch: the wall clock live, the recorded SendingTime in a backtest. */
  readonly clock: () => number;
  readonly log: LogSink;
}

/** Prefixes each line with the strategy's name, so interleaved logs stay readable. */
export class NamedLogger implements StrategyLogger {
  constructor(
    private readonly name: string,
    private readonly sink: LogSink,
  ) {}

  info(message: string): void {
    this.sink.info(`[${this.name}] ${message}`);
  }

  warn(message: string): void {
    this.sink.warn(`[${this.name}] ${message}`);
  }

  error(message: string): void {
    this.sink.error(`[${this.name}] ${message}`);
  }
}

export class HostedStrategyContext implements StrategyContext {
  readonly log: StrategyLogger;

  constructor(
    readonly name: string,
    readonly params: Readonly<Record<string, unknown>>,
    readonly orders: OrderEntry,
    private readonly environment: StrategyEnvironment,
  ) {
    this.log = new NamedLogger(name, environment.log);
  }

  get packet(): PacketInfo {
    return this.environment.packet;
  }

  now(): number {
    return this.environment.clock();
  }

  book(securityId: number): Book | undefined {
    return this.environment.books.book(securityId);
  }
}
