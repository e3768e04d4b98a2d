/**
 * Builds the gateway's OrderPath from the order path's OrderRouter (session, risk checks,
 * encoding, routing of answers to each strategy) and the gateway config: the exchange address,
 * `risk` (RiskConfig), `session` (keep-alive and reconnect options), `flush` (send mode) and
 * `io` (the transport: writev from the response pool, or net.Socket for the copy baseline).
 */
import { NO_TRIGGER_SEQ_NUM } from '../order/message-encoder.js';
import { OrderRouter, type OrderRouterOptions, type RouterSession } from '../order/order-router.js';
import { SessionState } from '../order/order-session.js';
import { nativeTransport } from '../order/order-transport.js';
import { socketTransport } from '../order/socket-transport.js';
import type { OrderEntry } from '../order/order-request.js';
import type { Book } from '../feed/market-data.js';
import type { RiskConfig } from '../order/risk.js';
import { SESSION_STATE_CONNECTING, SESSION_STATE_DOWN, SESSION_STATE_ESTABLISHED } from '../metrics/counters-layout.js';
import type { LogSink } from '../strategy/context.js';
import type { StrategyOrderEvents } from '../strategy/strategy-orders.js';
import type { GatewayConfig } from './config.js';
import type { OrderPath, OrderPathCounts } from './order-path.js';

export function openOrderPath(config: GatewayConfig, log: LogSink): OrderPath {
  const exchange = new URL(config.exchange);
  const options: OrderRouterOptions = {
    ...(config.session as Partial<OrderRouterOptions>),
    host: exchange.hostname,
    port: Number(exchange.port),
    risk: config.risk as RiskConfig,
    sendMode: config.flush,
    transport: config.io === 'copy' ? socketTransport : nativeTransport,
    log: (message) => log.info(`exchange ${config.exchange}: ${message}`),
  };
  return new RouterOrderPath(new OrderRouter(options));
}

/** The OrderPath of an OrderRouter, whatever its session: TCP live, in-process in a backtest (src/backtest). */
export class RouterOrderPath implements OrderPath {
  constructor(private readonly router: OrderRouter<RouterSession>) {}

  register(events: StrategyOrderEvents): OrderEntry {
    return this.router.register(events);
  }

  flush(): void {
    this.router.flush();
  }

  poll(): void {
    this.router.poll();
  }

  get needsEventLoop(): boolean {
    return this.router.session.needsEventLoop;
  }

  setTrigger(seqNum: number): void {
    this.router.triggerSeqNum = seqNum;
  }

  clearTrigger(): void {
    this.router.triggerSeqNum = NO_TRIGGER_SEQ_NUM;
  }

  /**
   * Called on every book update, so it passes no price through a call: a double argument of a
   * call V8 does not inline is boxed (an allocation per packet). The price is computed and
   * stored into the instrument's risk state in this one frame.
   */
  updateReferencePrice(book: Book): void {
    const lastTrade = book.lastTradePrice;
    if (lastTrade === lastTrade && book.lastTradeQuantity > 0) {
      this.router.risk.instrument(book.securityId).referencePrice = lastTrade;
    } else if (book.bids.levelCount > 0 && book.asks.levelCount > 0) {
      this.router.risk.instrument(book.securityId).referencePrice = Math.round((book.bids.price(0) + book.asks.price(0)) / 2);
    }
  }

  setKillSwitch(engaged: boolean): void {
    if (engaged) this.router.engageKillSwitch();
    else this.router.releaseKillSwitch();
  }

  get sessionState(): number {
    switch (this.router.session.state) {
      case SessionState.Established:
        return SESSION_STATE_ESTABLISHED;
      case SessionState.Connecting:
      case SessionState.Establishing:
        return SESSION_STATE_CONNECTING;
      default:
        return SESSION_STATE_DOWN;
    }
  }

  get reconnects(): number {
    return this.router.session.reconnects;
  }

  get killSwitchEngaged(): boolean {
    return this.router.risk.killSwitchEngaged;
  }

  get openOrderCount(): number {
    return this.router.liveOrderCount;
  }

  get counts(): OrderPathCounts {
    return this.router.counters;
  }

  close(): void {
    this.router.close();
  }
}
