/**
 * Between the sequencer and the feed handler in a backtest: makes each packet's SendingTime the
 * clock before the packet is handled. First every order and report due by then is delivered
 * (they were sent earlier in recorded time), then the packet goes to the handler and the
 * strategies, then what their orders made due at once (zero latency), then the strategies'
 * timers. Optionally it paces: with a Pacer, a packet waits until its recorded offset from the
 * first packet has passed on the monotonic clock.
 *
 * Per packet: a few field stores and calls; the SendingTime goes from the packet into fields,
 * never through an argument or a return value.
 */
import type { DatagramHandler } from '../feed/datagram.js';
import { MDP3_PACKET_HEADER_LENGTH, MDP3_SENDING_TIME_OFFSET } from '../feed/framing/mdp3.js';
import type { GapEvent } from '../feed/market-data.js';
import type { GapListener } from '../feed/sequencer.js';
import type { OrderPath } from '../gateway/order-path.js';
import type { StrategyHost } from '../strategy/host.js';
import type { RecordedClock } from './recorded-clock.js';
import type { SimulatedOrderFlow } from './simulated-order-flow.js';
import type { Pacer } from './pacer.js';

const TWO_TO_32 = 0x1_0000_0000;
/**
 * The receive time as the feed hands it on (a number, or the source's reused ReceiveTime):
 * passed through untouched, whatever it is; the recorded clock is the SendingTime.
 */
type ReceiveTimeArgument = Parameters<DatagramHandler['onDatagram']>[3];

export class RecordedTimeTap implements DatagramHandler, GapListener {
  /** SendingTime of the first and of the last packet handled; NaN before the first. */
  firstSendingTime = Number.NaN;
  lastSendingTime = Number.NaN;

  constructor(
    private readonly handler: DatagramHandler & GapListener,
    private readonly clock: RecordedClock,
    private readonly orderFlow: SimulatedOrderFlow,
    private readonly orderPath: OrderPath,
    private readonly host: StrategyHost,
    private readonly pacer: Pacer | undefined,
  ) {}

  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTimeArgument, line: number): void {
    const orderFlow = this.orderFlow;
    const clock = this.clock;
    // A datagram too short for a packet header keeps the time as it is; the handler reports it.
    if (length >= MDP3_PACKET_HEADER_LENGTH) {
      // mdp3SendingTime's value, read here: a double returned from a call V8 does not inline is boxed.
      const sendingTime = offset + MDP3_SENDING_TIME_OFFSET;
      orderFlow.horizonNanos = view.getUint32(sendingTime + 4, true) * TWO_TO_32 + view.getUint32(sendingTime, true);
    } else {
      orderFlow.horizonNanos = clock.nanos;
    }
    if (Number.isNaN(this.firstSendingTime)) this.firstSendingTime = orderFlow.horizonNanos;
    this.lastSendingTime = orderFlow.horizonNanos;
    if (this.pacer !== undefined) this.pacer.waitFor(orderFlow);
    orderFlow.deliverDue();
    clock.nanos = orderFlow.horizonNanos;
    this.handler.onDatagram(view, offset, length, received, line);
    this.orderPath.clearTrigger();
    orderFlow.deliverDue();
    clock.nanos = orderFlow.horizonNanos;
    this.host.pollTimers();
  }

  onGap(gap: GapEvent): void {
    this.handler.onGap(gap);
  }
}
