/**
 * The strategy module contract: a module's default export is `defineStrategy({...})`.
 *
 * Handlers run on the gateway's hot-path thread, one at a time, in feed order. Messages and
 * books they receive are flyweights over the receive buffer, valid only during the call: keep
 * numbers, never the objects. A handler that throws is isolated (logged with its stack,
 * counted, and the strategy stopped or restarted as configured); the gateway goes on.
 */
import type * as mdp3 from '../generated/mdp3/index.js';
import type { ExecutionReportDecoder } from '../generated/order-entry/index.js';
import type { Book, GapEvent, PacketInfo } from '../feed/market-data.js';
import type { OrderEntry, OrderReject } from '../order/order-request.js';

export interface StrategyLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface StrategyContext<Params = Record<string, unknown>> {
  /** The strategy's name (its `name`, or the module file name). */
  readonly name: string;
  /** Its parameters: the defaults of the definition overlaid with those from the config. */
  readonly params: Readonly<Params>;
  readonly orders: OrderEntry;
  readonly log: StrategyLogger;
  /** The packet being handled (valid during a market-data handler). */
  readonly packet: PacketInfo;
  /** Nanoseconds since the epoch: the wall clock live, the recorded SendingTime in a backtest. */
  now(): number;
  /** The book of an instrument, or undefined before its first update. */
  book(securityId: number): Book | undefined;
}

type Mdp3 = typeof mdp3;

/** `on<MessageName>` for every message of the market data schema, typed with its decoder. */
export type MessageHandlers<Params> = {
  [K in keyof Mdp3 as K extends `${infer Name}Decoder`
    ? Mdp3[K] extends { readonly TEMPLATE_ID: number }
      ? `on${Name}`
      : never
    : never]?: Mdp3[K] extends abstract new (...args: never[]) => infer Decoder
    ? (message: Decoder, ctx: StrategyContext<Params>) => void
    : never;
};

export interface StrategyDefinition<Params = Record<string, unknown>> extends MessageHandlers<Params> {
  /** Defaults to the module's file name. */
  name?: string;
  /** Default parameters; the config's `params` for this strategy override them. */
  params?: Params;
  /** Interval of `onTimer`, when it is defined. */
  timerIntervalMs?: number;
  onStart?(ctx: StrategyContext<Params>): void;
  onStop?(ctx: StrategyContext<Params>): void;
  /** After each complete matching event (EndOfEvent) that changed the instrument's book. */
  onBook?(book: Book, ctx: StrategyContext<Params>): void;
  onGap?(gap: GapEvent, ctx: StrategyContext<Params>): void;
  onExecutionReport?(report: ExecutionReportDecoder, ctx: StrategyContext<Params>): void;
  /** An order refused by risk checks, by a down session, or by the exchange. */
  onReject?(reject: OrderReject, ctx: StrategyContext<Params>): void;
  onTimer?(ctx: StrategyContext<Params>): void;
}

/** Marks a module's default export as a strategy, with its types checked. */
export function defineStrategy<Params = Record<string, unknown>>(
  definition: StrategyDefinition<Params>,
): StrategyDefinition<Params> {
  return definition;
}
