/**
 * Runs the loaded strategies on the hot-path thread: dispatches each market-data message, book,
 * gap, execution report and reject to the strategies that handle it, fires their timers, and
 * isolates their failures.
 *
 * Dispatch: a table indexed by templateId, built once at construction, lists the strategies
 * with an `on<MessageName>` handler for that template, so a message costs one array load and
 * one call per interested strategy, and nothing for a message nobody handles.
 *
 * Messages are flyweights over the receive buffer, valid only during the call: the feed side
 * re-wraps the same decoder object over the next message, so a decoder kept past its call reads
 * the next message's bytes (test/strategy/host.test.ts shows it). Each strategy sees the
 * message from its start: the host rewinds the decoder's group position between strategies.
 *
 * Orders: each strategy registers with the order path, which hands its execution reports and
 * rejects back to that strategy's own events object; the host delivers them through the same
 * isolation as market data.
 *
 * Isolation: a handler that throws is logged with its stack and counted; the strategy is then
 * stopped (onError 'stop') or stopped and started again (onError 'restart', at most
 * `maxRestarts` times, then stopped). The other strategies and the gateway go on. A stopped
 * strategy receives nothing more and its `ctx.orders` refuses new orders.
 */
import type { Book, GapEvent } from '../feed/market-data.js';
import type { OrderReject } from '../order/order-request.js';
import type { ExecutionReportDecoder } from '../generated/order-entry/index.js';
import { ExecType } from '../generated/order-entry/index.js';
import type { GatewayCounters } from '../metrics/counters.js';
import {
  MAX_STRATEGIES,
  STRATEGY_ERRORS,
  STRATEGY_ERRORS_SLOT,
  STRATEGY_EXECUTION_REPORTS,
  STRATEGY_FILLS,
  STRATEGY_MESSAGES,
  STRATEGY_REJECTS,
  STRATEGY_RESTARTS,
  STRATEGY_STATE,
  STRATEGY_STATE_FAILED,
  STRATEGY_STATE_LOADED,
  STRATEGY_STATE_RUNNING,
  STRATEGY_STATE_STOPPED,
  strategySlot,
} from '../metrics/counters-layout.js';
import { HostedStrategyContext, type StrategyEnvironment } from './context.js';
import type { LoadedStrategy, OnStrategyError } from './loader.js';
import { MESSAGE_HANDLER_TEMPLATES } from './handler-names.js';
import { StrategyOrders, type OrderTally, type StrategyOrderEvents, type StrategyOrderRouting } from './strategy-orders.js';
import type { StrategyDefinition } from './strategy.js';

/** What the host needs of a generated decoder: its group/var-data position, to rewind it. */
export interface MessageFlyweight {
  limit: number;
}

type Handler = (argument: unknown, ctx: HostedStrategyContext) => void;
type LifecycleHandler = (ctx: HostedStrategyContext) => void;

const NANOS_PER_MILLI = 1_000_000;
const NO_SUBSCRIBERS: readonly HostedStrategy[] = [];

/** One strategy as the host runs it. */
export class HostedStrategy {
  state: number = STRATEGY_STATE_LOADED;
  restarts = 0;
  nextTimerNanos = 0;
  readonly name: string;
  readonly path: string;
  readonly definition: StrategyDefinition;
  readonly onError: OnStrategyError;
  readonly maxRestarts: number;
  readonly timerIntervalNanos: number;
  /** Handlers by templateId (undefined where the strategy has none). */
  readonly messageHandlers: (Handler | undefined)[] = [];
  context!: HostedStrategyContext;

  constructor(
    readonly index: number,
    loaded: LoadedStrategy,
  ) {
    this.name = loaded.name;
    this.path = loaded.path;
    this.definition = loaded.definition;
    this.onError = loaded.onError;
    this.maxRestarts = loaded.maxRestarts;
    this.timerIntervalNanos = (loaded.definition.timerIntervalMs ?? 0) * NANOS_PER_MILLI;
    for (const [handlerName, templateId] of MESSAGE_HANDLER_TEMPLATES) {
      const handler = (loaded.definition as Record<string, unknown>)[handlerName];
      if (typeof handler === 'function') this.messageHandlers[templateId] = handler as Handler;
    }
  }

  get running(): boolean {
    return this.state === STRATEGY_STATE_RUNNING;
  }
}

export interface StrategyHostOptions {
  environment: StrategyEnvironment;
  /** The order path: each strategy registers with it for its own ctx.orders and answers. */
  orders: StrategyOrderRouting;
  counters: GatewayCounters;
}

/** One strategy's answers from the order path, delivered through the host's isolation. */
class HostedOrderEvents implements StrategyOrderEvents {
  constructor(
    private readonly host: StrategyHost,
    private readonly strategy: HostedStrategy,
  ) {}

  onExecutionReport(report: ExecutionReportDecoder): void {
    this.host.deliverExecutionReport(this.strategy, report);
  }

  onReject(reject: OrderReject): void {
    this.host.deliverReject(this.strategy, reject);
  }
}

export class StrategyHost {
  readonly strategies: readonly HostedStrategy[];
  /** Order messages queued by all strategies: the worker compares it around a packet. */
  readonly tally: OrderTally = { queuedMessages: 0 };
  private readonly counters: GatewayCounters;
  private readonly environment: StrategyEnvironment;
  /** By templateId: the strategies with a handler for it. */
  private readonly messageSubscribers: (readonly HostedStrategy[])[];
  private readonly messageHandlerNames: string[] = [];
  private readonly bookSubscribers: readonly HostedStrategy[];
  private readonly gapSubscribers: readonly HostedStrategy[];
  private readonly timerSubscribers: readonly HostedStrategy[];

  constructor(loaded: readonly LoadedStrategy[], options: StrategyHostOptions) {
    if (loaded.length > MAX_STRATEGIES) {
      throw new RangeError(`too many strategies: ${loaded.length} > ${MAX_STRATEGIES}`);
    }
    this.counters = options.counters;
    this.environment = options.environment;
    this.strategies = loaded.map((strategy, index) => this.host(index, strategy, options.orders));
    this.messageSubscribers = this.buildMessageTable();
    this.bookSubscribers = this.strategies.filter((strategy) => strategy.definition.onBook !== undefined);
    this.gapSubscribers = this.strategies.filter((strategy) => strategy.definition.onGap !== undefined);
    this.timerSubscribers = this.strategies.filter((strategy) => strategy.definition.onTimer !== undefined);
  }

  /** Runs every strategy's onStart, in configuration order. */
  start(): void {
    for (const strategy of this.strategies) this.startStrategy(strategy);
  }

  /** Runs onStop of every strategy still running. */
  stop(): void {
    for (const strategy of this.strategies) {
      if (strategy.running) this.stopStrategy(strategy, STRATEGY_STATE_STOPPED);
    }
  }

  /** Whether some strategy has a handler for messages of `templateId`: else onMessage runs nothing. */
  handlesMessage(templateId: number): boolean {
    return templateId < this.messageSubscribers.length && this.messageSubscribers[templateId]!.length > 0;
  }

  onMessage(templateId: number, message: MessageFlyweight): void {
    if (templateId >= this.messageSubscribers.length) return;
    const subscribers = this.messageSubscribers[templateId]!;
    const start = message.limit;
    for (let i = 0; i < subscribers.length; i++) {
      const strategy = subscribers[i]!;
      if (!strategy.running) continue;
      message.limit = start;
      this.counters.incrementStrategy(strategy.index, STRATEGY_MESSAGES);
      this.invoke(strategy, strategy.messageHandlers[templateId]!, message, this.messageHandlerNames[templateId]!);
    }
  }

  onBook(book: Book): void {
    const subscribers = this.bookSubscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const strategy = subscribers[i]!;
      if (strategy.running) this.invoke(strategy, strategy.definition.onBook as Handler, book, 'onBook');
    }
  }

  onGap(gap: GapEvent): void {
    const subscribers = this.gapSubscribers;
    for (let i = 0; i < subscribers.length; i++) {
      const strategy = subscribers[i]!;
      if (strategy.running) this.invoke(strategy, strategy.definition.onGap as Handler, gap, 'onGap');
    }
  }

  /** From the order path, about one of `strategy`'s orders. */
  deliverExecutionReport(strategy: HostedStrategy, report: ExecutionReportDecoder): void {
    const execType = report.execType();
    this.counters.incrementStrategy(strategy.index, STRATEGY_EXECUTION_REPORTS);
    if (execType === ExecType.Fill || execType === ExecType.PartialFill) this.counters.incrementStrategy(strategy.index, STRATEGY_FILLS);
    const handler = strategy.definition.onExecutionReport;
    if (handler !== undefined && strategy.running) this.invoke(strategy, handler as Handler, report, 'onExecutionReport');
  }

  /** From the order path: one of `strategy`'s requests refused (risk, session down, exchange). */
  deliverReject(strategy: HostedStrategy, reject: OrderReject): void {
    this.counters.incrementStrategy(strategy.index, STRATEGY_REJECTS);
    const handler = strategy.definition.onReject;
    if (handler !== undefined && strategy.running) this.invoke(strategy, handler as Handler, reject, 'onReject');
  }

  /** Fires the timers that are due by the environment's clock. */
  pollTimers(): void {
    const subscribers = this.timerSubscribers;
    if (subscribers.length === 0) return;
    const now = this.environment.clock();
    for (let i = 0; i < subscribers.length; i++) {
      const strategy = subscribers[i]!;
      if (!strategy.running || now < strategy.nextTimerNanos) continue;
      strategy.nextTimerNanos = now + strategy.timerIntervalNanos;
      this.invokeLifecycle(strategy, strategy.definition.onTimer as LifecycleHandler, 'onTimer');
    }
  }

  private host(index: number, loaded: LoadedStrategy, routing: StrategyOrderRouting): HostedStrategy {
    const strategy = new HostedStrategy(index, loaded);
    const entry = routing.register(new HostedOrderEvents(this, strategy));
    const strategyOrders = new StrategyOrders(strategy, entry, this.counters, this.tally);
    strategy.context = new HostedStrategyContext(loaded.name, loaded.params, strategyOrders, this.environment);
    this.setState(strategy, STRATEGY_STATE_LOADED);
    return strategy;
  }

  private buildMessageTable(): (readonly HostedStrategy[])[] {
    const highestTemplateId = Math.max(0, ...MESSAGE_HANDLER_TEMPLATES.values());
    const table: (readonly HostedStrategy[])[] = new Array<readonly HostedStrategy[]>(highestTemplateId + 1).fill(NO_SUBSCRIBERS);
    for (const [handlerName, templateId] of MESSAGE_HANDLER_TEMPLATES) {
      table[templateId] = this.strategies.filter((strategy) => strategy.messageHandlers[templateId] !== undefined);
      this.messageHandlerNames[templateId] = handlerName;
    }
    return table;
  }

  private invoke(strategy: HostedStrategy, handler: Handler, argument: unknown, handlerName: string): void {
    try {
      handler.call(strategy.definition, argument, strategy.context);
    } catch (error) {
      this.fail(strategy, handlerName, error);
    }
  }

  private invokeLifecycle(strategy: HostedStrategy, handler: LifecycleHandler, handlerName: string): void {
    try {
      handler.call(strategy.definition, strategy.context);
    } catch (error) {
      this.fail(strategy, handlerName, error);
    }
  }

  private startStrategy(strategy: HostedStrategy): void {
    this.setState(strategy, STRATEGY_STATE_RUNNING);
    strategy.nextTimerNanos = this.environment.clock() + strategy.timerIntervalNanos;
    const onStart = strategy.definition.onStart;
    if (onStart !== undefined) this.invokeLifecycle(strategy, onStart as LifecycleHandler, 'onStart');
  }

  /** The state changes first, so a throwing onStop is logged but cannot restart the strategy. */
  private stopStrategy(strategy: HostedStrategy, finalState: number): void {
    this.setState(strategy, finalState);
    const onStop = strategy.definition.onStop;
    if (onStop !== undefined) this.invokeLifecycle(strategy, onStop as LifecycleHandler, 'onStop');
  }

  private fail(strategy: HostedStrategy, handlerName: string, error: unknown): void {
    this.counters.increment(STRATEGY_ERRORS);
    this.counters.incrementStrategy(strategy.index, STRATEGY_ERRORS_SLOT);
    const log = this.environment.log;
    log.error(`strategy ${strategy.name} (${strategy.path}): ${handlerName} threw: ${describeError(error)}`);
    if (!strategy.running) return;
    if (strategy.onError === 'restart' && strategy.restarts < strategy.maxRestarts) {
      strategy.restarts += 1;
      this.counters.incrementStrategy(strategy.index, STRATEGY_RESTARTS);
      log.warn(`strategy ${strategy.name}: restarting (${strategy.restarts} of ${strategy.maxRestarts})`);
      this.stopStrategy(strategy, STRATEGY_STATE_STOPPED);
      this.startStrategy(strategy);
    } else {
      log.error(`strategy ${strategy.name}: stopped after the error; the gateway and the other strategies go on`);
      this.stopStrategy(strategy, STRATEGY_STATE_FAILED);
    }
  }

  private setState(strategy: HostedStrategy, state: number): void {
    strategy.state = state;
    this.counters.set(strategySlot(strategy.index, STRATEGY_STATE), state);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `non-Error value thrown: ${String(error)}`;
}
