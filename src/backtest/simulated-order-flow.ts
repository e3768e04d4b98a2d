/**
 * The backtest's order path, both ways, in recorded time: the gateway's OrderRouter (the same
 * risk checks, order table and SBE encoding as live) sends through an InProcessSession into a
 * delay line to the SimulatedExchange, whose ExecutionReports come back through a second delay
 * line. An order sent at recorded time t reaches the exchange at t + latency; its reports leave
 * the exchange then and reach the strategies at t + 2 x latency.
 *
 * deliverDue() hands over, in time order, every frame due by `horizonNanos`, setting the clock
 * to each frame's due time first, so a strategy answering a report sees that time as ctx.now().
 */
import { RouterOrderPath } from '../gateway/order-path-factory.js';
import { OrderRouter } from '../order/order-router.js';
import type { RiskConfig } from '../order/risk.js';
import type { BookSource } from '../strategy/context.js';
import { FrameDelayLine } from './frame-delay-line.js';
import { InProcessSession } from './in-process-session.js';
import type { OrderStreamLog } from './order-stream-log.js';
import type { RecordedClock } from './recorded-clock.js';
import { SimulatedExchange } from './simulated-exchange.js';

export interface SimulatedOrderFlowOptions {
  clock: RecordedClock;
  /** The recorded books the exchange mirrors (the feed handler's). */
  recordedBooks: BookSource;
  /** One way, recorded ns. */
  latencyNanos: number;
  stream: OrderStreamLog;
  risk?: RiskConfig;
}

/** Placeholder address: the in-process session connects nowhere. */
const IN_PROCESS_HOST = 'in-process';

export class SimulatedOrderFlow {
  readonly router: OrderRouter<InProcessSession>;
  readonly orderPath: RouterOrderPath;
  readonly exchange: SimulatedExchange;
  /** Frames due by this recorded time are delivered by deliverDue(); set it first (a field: no boxed argument). */
  horizonNanos = 0.5;
  private readonly clock: RecordedClock;
  private readonly toExchange: FrameDelayLine;
  private readonly toGateway: FrameDelayLine;

  constructor(options: SimulatedOrderFlowOptions) {
    const { clock, stream } = options;
    this.clock = clock;
    this.toExchange = new FrameDelayLine(clock, options.latencyNanos);
    this.toGateway = new FrameDelayLine(clock, options.latencyNanos);
    this.exchange = new SimulatedExchange(clock, options.recordedBooks, this.toGateway, stream);
    this.router = new OrderRouter<InProcessSession>({
      host: IN_PROCESS_HOST,
      port: 0,
      risk: options.risk,
      clock,
      wallClock: clock,
      openSession: (handler) => new InProcessSession(handler, this.toExchange, stream),
    });
    this.orderPath = new RouterOrderPath(this.router);
  }

  /** True while an order or a report is still on its way. */
  get inFlight(): boolean {
    return !this.toExchange.isEmpty || !this.toGateway.isEmpty;
  }

  /** Delivers every frame due by horizonNanos, earliest first (to the exchange first on a tie). */
  deliverDue(): void {
    const toExchange = this.toExchange;
    const toGateway = this.toGateway;
    const clock = this.clock;
    for (;;) {
      const exchangeDue = toExchange.isEmpty ? Infinity : toExchange.dueNanos[toExchange.head]!;
      const gatewayDue = toGateway.isEmpty ? Infinity : toGateway.dueNanos[toGateway.head]!;
      if (exchangeDue <= gatewayDue) {
        if (exchangeDue > this.horizonNanos) return;
        clock.nanos = exchangeDue;
        this.exchange.receive(toExchange.view, toExchange.offsets[toExchange.head]!, toExchange.lengths[toExchange.head]!);
        toExchange.pop();
      } else {
        if (gatewayDue > this.horizonNanos) return;
        clock.nanos = gatewayDue;
        this.router.session.receive(toGateway.view, toGateway.offsets[toGateway.head]!, toGateway.lengths[toGateway.head]!);
        toGateway.pop();
      }
    }
  }

  close(): void {
    this.router.close();
  }
}
