import { describe, expect, it } from 'vitest';
import * as mdp3 from '../../src/generated/mdp3/index.js';
import { ExecutionReportEncoder, ExecType, MessageHeaderDecoder as OrderHeaderDecoder, MessageHeaderEncoder as OrderHeaderEncoder, ExecutionReportDecoder } from '../../src/generated/order-entry/index.js';
import type { Book, GapEvent } from '../../src/feed/market-data.js';
import { RejectReason, type OrderReject } from '../../src/order/order-request.js';
import {
  STRATEGY_ERRORS,
  STRATEGY_EXECUTION_REPORTS,
  STRATEGY_ERRORS_SLOT,
  STRATEGY_FILLS,
  STRATEGY_MESSAGES,
  STRATEGY_ORDERS,
  STRATEGY_REJECTS,
  STRATEGY_RESTARTS,
  STRATEGY_STATE,
  STRATEGY_STATE_FAILED,
  STRATEGY_STATE_RUNNING,
  STRATEGY_STATE_STOPPED,
} from '../../src/metrics/counters-layout.js';
import { defineStrategy, type StrategyContext } from '../../src/strategy/strategy.js';
import { createTestHost, encodeBook46, loaded } from './host-fixtures.js';

const BOOK46 = mdp3.MDIncrementalRefreshBook46Decoder.TEMPLATE_ID;

function wrapBook46(decoder: mdp3.MDIncrementalRefreshBook46Decoder, view: DataView, offset: number): mdp3.MDIncrementalRefreshBook46Decoder {
  return decoder.wrapAndApplyHeader(view, offset, new mdp3.MessageHeaderDecoder());
}

function encodeExecutionReport(clOrdId: number, execType: number): ExecutionReportDecoder {
  const view = new DataView(new ArrayBuffer(256));
  const encoder = new ExecutionReportEncoder().wrapAndApplyHeader(view, 0, new OrderHeaderEncoder());
  encoder.clOrdID(clOrdId).securityID(7).execType(execType).lastQty(execType === ExecType.New ? 0 : 5);
  return new ExecutionReportDecoder().wrapAndApplyHeader(view, 0, new OrderHeaderDecoder());
}

describe('StrategyHost dispatch', () => {
  it('calls on<MessageName> of the strategies that define it, with the flyweight and their own ctx', () => {
    // given two strategies, only one of which handles Book46
    const seen: { name: string; transactTime: number; price: number }[] = [];
    const reader = defineStrategy({
      name: 'reader',
      onMDIncrementalRefreshBook46(message, ctx) {
        const entries = message.noMDEntries();
        entries.next();
        seen.push({ name: ctx.name, transactTime: message.transactTime(), price: entries.mDEntryPx().mantissa() });
      },
    });
    const other = defineStrategy({ name: 'other', onMDIncrementalRefreshVolume37() {} });
    const { host, counters } = createTestHost([loaded(reader), loaded(other)]);
    host.start();
    const view = new DataView(new ArrayBuffer(512));
    encodeBook46(view, 0, 1_700_000_000_000_000_000, 7, 4_500_250_000_000);

    // when
    host.onMessage(BOOK46, wrapBook46(new mdp3.MDIncrementalRefreshBook46Decoder(), view, 0));

    // then
    expect(seen).toEqual([{ name: 'reader', transactTime: 1_700_000_000_000_000_000, price: 4_500_250_000_000 }]);
    expect(counters.strategy(0, STRATEGY_MESSAGES)).toBe(1);
    expect(counters.strategy(1, STRATEGY_MESSAGES)).toBe(0);
  });

  it('gives every strategy the message from its start, even after another read its groups', () => {
    const counts: number[] = [];
    const readAll = defineStrategy({
      onMDIncrementalRefreshBook46(message) {
        let count = 0;
        for (const entries = message.noMDEntries(); entries.hasNext(); ) {
          entries.next();
          count++;
        }
        counts.push(count);
      },
    });
    const { host } = createTestHost([loaded(readAll, { name: 'a' }), loaded(readAll, { name: 'b' })]);
    host.start();
    const view = new DataView(new ArrayBuffer(512));
    encodeBook46(view, 0, 1, 7, 100);

    host.onMessage(BOOK46, wrapBook46(new mdp3.MDIncrementalRefreshBook46Decoder(), view, 0));

    expect(counts).toEqual([1, 1]);
  });

  it('ignores templates no strategy handles, and ids past the table', () => {
    const { host } = createTestHost([loaded(defineStrategy({ onBook() {} }))]);
    host.start();
    expect(() => host.onMessage(BOOK46, { limit: 0 })).not.toThrow();
    expect(() => host.onMessage(60_000, { limit: 0 })).not.toThrow();
  });

  it('messages are valid only during the call: a decoder kept past it reads the next message', () => {
    // given a strategy that (wrongly) keeps the flyweight it was handed
    let kept: mdp3.MDIncrementalRefreshBook46Decoder | undefined;
    const keeper = defineStrategy({
      onMDIncrementalRefreshBook46(message) {
        kept ??= message;
      },
    });
    const { host } = createTestHost([loaded(keeper)]);
    host.start();
    // one receive slot and one decoder, reused for every datagram, as the feed handler does
    const slot = new DataView(new ArrayBuffer(512));
    const decoder = new mdp3.MDIncrementalRefreshBook46Decoder();
    encodeBook46(slot, 0, 111, 7, 100);
    host.onMessage(BOOK46, wrapBook46(decoder, slot, 0));
    expect(kept!.transactTime()).toBe(111);

    // when the next datagram lands in the same slot
    encodeBook46(slot, 0, 222, 7, 200);
    host.onMessage(BOOK46, wrapBook46(decoder, slot, 0));

    // then the kept object shows the new message's bytes, not the first message's
    expect(kept!.transactTime()).toBe(222);
  });

  it('delivers books and gaps to the strategies that handle them', () => {
    const events: string[] = [];
    const strategy = defineStrategy({
      onBook(book) {
        events.push(`book ${book.securityId}`);
      },
      onGap(gap) {
        events.push(`gap ${gap.fromSeqNum}-${gap.toSeqNum}`);
      },
    });
    const { host } = createTestHost([loaded(strategy)]);
    host.start();
    host.onBook({ securityId: 7 } as Book);
    host.onGap({ fromSeqNum: 3, toSeqNum: 4, totalLost: 2 } as GapEvent);
    expect(events).toEqual(['book 7', 'gap 3-4']);
  });
});

describe('StrategyHost context', () => {
  it('overlays config params on the defaults, names the log, reads the injected clock, books and packet', () => {
    let observed: Record<string, unknown> = {};
    const strategy = defineStrategy({
      name: 'probe',
      params: { size: 1, spread: 2 },
      onStart(ctx) {
        ctx.log.info('ready');
      },
      onBook(book, ctx: StrategyContext<{ size: number; spread: number }>) {
        observed = {
          params: { ...ctx.params },
          now: ctx.now(),
          book: ctx.book(book.securityId)?.securityId,
          missing: ctx.book(99),
          seqNum: ctx.packet.seqNum,
        };
      },
    });
    const { host, log, books, clock, packet } = createTestHost([loaded(strategy, { params: { size: 1, spread: 5 } })]);
    books.set(7, { securityId: 7 } as Book);
    clock.now = 42;
    packet.seqNum = 1234;

    host.start();
    host.onBook({ securityId: 7 } as Book);

    expect(log.lines).toContain('info [probe] ready');
    expect(observed).toEqual({ params: { size: 1, spread: 5 }, now: 42, book: 7, missing: undefined, seqNum: 1234 });
  });

  it('fires onTimer at its interval on the injected clock', () => {
    let ticks = 0;
    const strategy = defineStrategy({
      timerIntervalMs: 10,
      onTimer() {
        ticks++;
      },
    });
    const { host, clock } = createTestHost([loaded(strategy)]);
    clock.now = 0;
    host.start();

    host.pollTimers(); // t=0: not yet due
    clock.now = 10_000_000;
    host.pollTimers(); // due
    host.pollTimers(); // not again at the same time
    clock.now = 20_000_000;
    host.pollTimers();

    expect(ticks).toBe(2);
  });
});

describe('StrategyHost orders', () => {
  it('registers each strategy with the order path and delivers its execution reports to it, counted', () => {
    const reports: string[] = [];
    const make = (name: string) =>
      defineStrategy({
        name,
        onBook(_book, ctx) {
          ctx.orders.newOrder({ securityId: 7, side: 1, price: 100, quantity: 5 });
        },
        onExecutionReport(report, ctx) {
          reports.push(`${ctx.name} ${report.clOrdID()} ${report.execType()}`);
        },
      });
    const { host, counters, orders } = createTestHost([loaded(make('first')), loaded(make('second'))]);
    host.start();
    host.onBook({ securityId: 7 } as Book); // first -> ClOrdID 1, second -> 2

    // the order path routes by ClOrdID to the events object each strategy registered
    orders.events[1]!.onExecutionReport(encodeExecutionReport(2, ExecType.Fill));
    orders.events[0]!.onExecutionReport(encodeExecutionReport(1, ExecType.New));

    expect(orders.events).toHaveLength(2);
    expect(orders.requests).toHaveLength(2);
    expect(reports).toEqual([`second 2 ${ExecType.Fill}`, `first 1 ${ExecType.New}`]);
    expect(counters.strategy(1, STRATEGY_EXECUTION_REPORTS)).toBe(1);
    expect(counters.strategy(1, STRATEGY_FILLS)).toBe(1);
    expect(counters.strategy(0, STRATEGY_FILLS)).toBe(0);
    expect(counters.strategy(0, STRATEGY_ORDERS)).toBe(1);
    expect(counters.strategy(1, STRATEGY_ORDERS)).toBe(1);
    expect(host.tally.queuedMessages).toBe(2);
  });

  it('hands a risk denial during the strategy call to that strategy, counted', () => {
    const rejects: OrderReject[] = [];
    const strategy = defineStrategy({
      onBook(_book, ctx) {
        expect(ctx.orders.newOrder({ securityId: 7, side: 1, price: 100, quantity: 500 })).toBe(0);
      },
      onReject(reject) {
        rejects.push({ ...reject });
      },
    });
    const { host, orders, counters } = createTestHost([loaded(defineStrategy({ onBook() {} })), loaded(strategy)]);
    orders.refuseWith = { clOrdId: 0, securityId: 7, reason: RejectReason.MaxOrderQuantity, text: 'quantity 500 > max 100' };
    host.start();

    host.onBook({ securityId: 7 } as Book);

    expect(rejects).toEqual([orders.refuseWith]);
    expect(counters.strategy(1, STRATEGY_REJECTS)).toBe(1);
    expect(counters.strategy(0, STRATEGY_REJECTS)).toBe(0);
  });
});

describe('StrategyHost isolation', () => {
  const thrower = (name: string) =>
    defineStrategy({
      name,
      onBook() {
        throw new Error('bad strategy');
      },
    });

  it('stops a strategy whose handler throws, logs the stack, counts it, and the others go on', () => {
    // given a throwing strategy between two good ones
    const seen: string[] = [];
    const good = (name: string) =>
      defineStrategy({
        name,
        onBook() {
          seen.push(name);
        },
      });
    const { host, counters, log } = createTestHost([loaded(good('before')), loaded(thrower('broken')), loaded(good('after'))]);
    host.start();

    // when two books arrive
    host.onBook({ securityId: 7 } as Book);
    host.onBook({ securityId: 7 } as Book);

    // then the good ones saw both, the broken one threw once and was stopped
    expect(seen).toEqual(['before', 'after', 'before', 'after']);
    expect(counters.get(STRATEGY_ERRORS)).toBe(1);
    expect(counters.strategy(1, STRATEGY_ERRORS_SLOT)).toBe(1);
    expect(counters.strategy(1, STRATEGY_STATE)).toBe(STRATEGY_STATE_FAILED);
    expect(counters.strategy(0, STRATEGY_STATE)).toBe(STRATEGY_STATE_RUNNING);
    const errorLine = log.lines.find((line) => line.includes('onBook threw'))!;
    expect(errorLine).toContain('strategy broken (strategies/broken.ts): onBook threw: Error: bad strategy');
    expect(errorLine).toMatch(/at .*host\.test\.ts/); // the stack, pointing at the strategy's code
  });

  it('runs onStop of a failed strategy and refuses its new orders from then on, but lets it cancel', () => {
    let stopped = 0;
    let orderAfterFailure = -1;
    const strategy = defineStrategy({
      onBook(_book, ctx) {
        try {
          ctx.orders.newOrder({ securityId: 7, side: 1, price: 1, quantity: 1 });
          ctx.orders.newOrder(undefined as never); // the strategy's bug
        } finally {
          orderAfterFailure = ctx.orders.newOrder({ securityId: 7, side: 1, price: 1, quantity: 1 });
        }
      },
      onStop(ctx) {
        stopped++;
        ctx.orders.cancel(1);
      },
    });
    const { host, orders } = createTestHost([loaded(strategy)]);
    host.start();

    host.onBook({ securityId: 7 } as Book);
    host.stop();

    expect(stopped).toBe(1);
    expect(orders.cancels).toEqual([1]);
    expect(orderAfterFailure).toBe(2); // the finally ran before the host saw the throw
    host.onBook({ securityId: 7 } as Book);
    expect(orders.requests).toHaveLength(2);
  });

  it("restarts a strategy with onError 'restart' up to maxRestarts, then stops it", () => {
    let starts = 0;
    const strategy = defineStrategy({
      name: 'flaky',
      onStart() {
        starts++;
      },
      onBook() {
        throw new Error('flaky');
      },
    });
    const { host, counters } = createTestHost([loaded(strategy, { onError: 'restart', maxRestarts: 2 })]);
    host.start();

    for (let i = 0; i < 5; i++) host.onBook({ securityId: 7 } as Book);

    expect(starts).toBe(3);
    expect(counters.strategy(0, STRATEGY_RESTARTS)).toBe(2);
    expect(counters.strategy(0, STRATEGY_ERRORS_SLOT)).toBe(3);
    expect(counters.strategy(0, STRATEGY_STATE)).toBe(STRATEGY_STATE_FAILED);
  });

  it('a throwing onStop is logged but the gateway stops the others cleanly', () => {
    const stops: string[] = [];
    const bad = defineStrategy({
      name: 'bad',
      onStop() {
        throw new Error('cannot stop');
      },
    });
    const good = defineStrategy({
      name: 'good',
      onStop(ctx) {
        stops.push(ctx.name);
      },
    });
    const { host, log, counters } = createTestHost([loaded(bad), loaded(good)]);
    host.start();
    host.stop();
    expect(stops).toEqual(['good']);
    expect(log.lines.some((line) => line.includes('bad (strategies/bad.ts): onStop threw: Error: cannot stop'))).toBe(true);
    expect(counters.strategy(0, STRATEGY_STATE)).toBe(STRATEGY_STATE_STOPPED);
    expect(counters.strategy(1, STRATEGY_STATE)).toBe(STRATEGY_STATE_STOPPED);
  });
});
