/**
 * Stand-ins for the host's neighbours: an order entry that records requests and can refuse,
 * a log that keeps its lines, a mutable packet, and MDP3 messages encoded into one buffer.
 */
import type { Book, BookSide, PacketInfo } from '../../src/feed/market-data.js';
import {
  ExecutionReportDecoder,
  ExecutionReportEncoder,
  MessageHeaderDecoder as OrderHeaderDecoder,
  MessageHeaderEncoder as OrderHeaderEncoder,
} from '../../src/generated/order-entry/index.js';
import type { NewOrderRequest, OrderEntry, OrderReject } from '../../src/order/order-request.js';
import { GatewayCounters } from '../../src/metrics/counters.js';
import type { StrategyEnvironment } from '../../src/strategy/context.js';
import { StrategyHost } from '../../src/strategy/host.js';
import type { LoadedStrategy } from '../../src/strategy/loader.js';
import type { StrategyDefinition } from '../../src/strategy/strategy.js';
import type { StrategyOrderEvents, StrategyOrderRouting } from '../../src/strategy/strategy-orders.js';
import * as mdp3 from '../../src/generated/mdp3/index.js';

/** The order path, recording: one entry per registered strategy, sharing one ClOrdID sequence. */
export class RecordingOrderRouting implements StrategyOrderRouting {
  readonly events: StrategyOrderEvents[] = [];
  readonly requests: NewOrderRequest[] = [];
  readonly cancels: number[] = [];
  readonly replaces: { clOrdId: number; price: number; quantity: number }[] = [];
  nextClOrdId = 1;
  /** What position() answers, for every security. */
  position = 0;
  /** When set, newOrder refuses with this reject, delivered to the asking strategy at once (as risk checks do). */
  refuseWith: OrderReject | undefined;

  register(events: StrategyOrderEvents): OrderEntry {
    this.events.push(events);
    return new RecordingOrderEntry(this, events);
  }
}

class RecordingOrderEntry implements OrderEntry {
  openOrderCount = 0;

  constructor(
    private readonly routing: RecordingOrderRouting,
    private readonly events: StrategyOrderEvents,
  ) {}

  newOrder(request: NewOrderRequest): number {
    if (request === undefined) throw new TypeError('request is undefined');
    if (this.routing.refuseWith !== undefined) {
      this.events.onReject(this.routing.refuseWith);
      return 0;
    }
    this.routing.requests.push({ ...request });
    return this.routing.nextClOrdId++;
  }

  cancel(clOrdId: number): number {
    this.routing.cancels.push(clOrdId);
    return this.routing.nextClOrdId++;
  }

  replace(clOrdId: number, price: number, quantity: number): number {
    this.routing.replaces.push({ clOrdId, price, quantity });
    return this.routing.nextClOrdId++;
  }

  position(): number {
    return this.routing.position;
  }
}

export class RecordingLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

export function loaded(definition: StrategyDefinition<any>, overrides: Partial<LoadedStrategy> = {}): LoadedStrategy {
  return {
    name: definition.name ?? 'test',
    path: `strategies/${definition.name ?? 'test'}.ts`,
    definition: definition as StrategyDefinition,
    params: { ...(definition.params as Record<string, unknown>) },
    onError: 'stop',
    maxRestarts: 3,
    ...overrides,
  };
}

export interface TestHost {
  host: StrategyHost;
  orders: RecordingOrderRouting;
  log: RecordingLog;
  counters: GatewayCounters;
  packet: { -readonly [K in keyof PacketInfo]: PacketInfo[K] };
  books: Map<number, Book>;
  clock: { now: number };
}

export function createTestHost(strategies: LoadedStrategy[]): TestHost {
  const orders = new RecordingOrderRouting();
  const log = new RecordingLog();
  const counters = new GatewayCounters();
  const packet = { seqNum: 0, sendingTime: 0, receiveTimeNanos: 0, line: 0 };
  const books = new Map<number, Book>();
  const clock = { now: 1_000_000_000 };
  const environment: StrategyEnvironment = {
    packet,
    books: { book: (securityId) => books.get(securityId) },
    clock: () => clock.now,
    log,
  };
  const host = new StrategyHost(strategies, { environment, orders, counters });
  return { host, orders, log, counters, packet, books, clock };
}

const header = new mdp3.MessageHeaderEncoder();
const book46 = new mdp3.MDIncrementalRefreshBook46Encoder();

/** Encodes a Book46 with one bid entry at `offset` (header included); returns its length. */
export function encodeBook46(view: DataView, offset: number, transactTime: number, securityId: number, priceMantissa: number): number {
  book46.wrapAndApplyHeader(view, offset, header).transactTime(transactTime);
  book46.matchEventIndicator().endOfEvent(true);
  const entries = book46.noMDEntriesCount(1);
  entries.next().mDEntryPx().mantissa(priceMantissa);
  entries.mDEntrySize(10).securityID(securityId).rptSeq(1).numberOfOrders(1).mDPriceLevel(1);
  entries.mDUpdateAction(mdp3.MDUpdateAction.New).mDEntryType(mdp3.MDEntryTypeBook.Bid);
  book46.noOrderIDEntriesCount(0);
  return mdp3.MessageHeaderEncoder.ENCODED_LENGTH + book46.encodedLength();
}

/** An ExecutionReport as the order path hands it: a decoder over its own buffer. */
export function executionReport(clOrdId: number, execType: number, fields: { origClOrdId?: number; lastQty?: number } = {}): ExecutionReportDecoder {
  const view = new DataView(new ArrayBuffer(256));
  const encoder = new ExecutionReportEncoder().wrapAndApplyHeader(view, 0, new OrderHeaderEncoder());
  encoder.clOrdID(clOrdId).origClOrdID(fields.origClOrdId ?? 0).securityID(10001).execType(execType).lastQty(fields.lastQty ?? 0);
  return new ExecutionReportDecoder().wrapAndApplyHeader(view, 0, new OrderHeaderDecoder());
}

class ArraySide implements BookSide {
  constructor(private readonly prices: number[]) {}
  get levelCount(): number {
    return this.prices.length;
  }
  price(level: number): number {
    return this.prices[level]!;
  }
  quantity(): number {
    return 10;
  }
  orderCount(): number {
    return 1;
  }
}

/** A book with one level a side (or none where the price is undefined). */
export function topOfBook(securityId: number, bid: number | undefined, ask: number | undefined): Book {
  const none = new ArraySide([]);
  return {
    securityId,
    depth: 10,
    bids: new ArraySide(bid === undefined ? [] : [bid]),
    asks: new ArraySide(ask === undefined ? [] : [ask]),
    impliedBids: none,
    impliedAsks: none,
    lastTradePrice: NaN,
    lastTradeQuantity: 0,
    transactTime: 0,
    rptSeq: 0,
  };
}
