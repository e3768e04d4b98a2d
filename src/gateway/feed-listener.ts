/**
 * Connects the MDP 3.0 handler's listener interface to the strategy host: messages, books and
 * gaps go to the strategies. Before strategies see a packet, the order path learns which packet
 * triggers the orders they may send (TriggerSeqNum) and, on each book, the instrument's
 * reference price for the price band: the last trade, else the top of book's mid.
 * ChannelReset needs nothing more here: the feed empties the books, and strategies that care
 * handle onChannelReset4 like any other message.
 */
import type { Book, GapEvent, PacketInfo } from '../feed/market-data.js';
import type { MarketDataListener } from '../feed/mdp3-handler.js';
import type { MessageDecoder } from '../feed/mdp3-codecs.js';
import type { StageLatencyRecorder } from '../metrics/stage-latency.js';
import type { MessageFlyweight, StrategyHost } from '../strategy/host.js';
import type { OrderPath } from './order-path.js';

const NO_PACKET: PacketInfo = { seqNum: 0, sendingTime: 0, receiveTimeNanos: 0, line: 0 };

export class StrategyFeedListener implements MarketDataListener {
  /** The packet being handled (ctx.packet): the feed handler's own reused object, once it has one. */
  packet: PacketInfo = NO_PACKET;

  constructor(
    private readonly host: StrategyHost,
    private readonly orderPath: OrderPath,
    /** Times the strategies' handlers (decode ends at the first); none in tests that do not measure it. */
    private readonly stages?: StageLatencyRecorder,
  ) {}

  /** Asked once per template by the handler: a message no strategy handles is not even wrapped. */
  handlesMessage(templateId: number): boolean {
    return this.host.handlesMessage(templateId);
  }

  /** Only for templates some strategy handles (handlesMessage). */
  onMessage(templateId: number, message: MessageDecoder, packet: PacketInfo): void {
    this.packet = packet;
    this.orderPath.setTrigger(packet.seqNum);
    // Every generated decoder has the public `limit` the host rewinds between strategies.
    const stages = this.stages;
    if (stages !== undefined) stages.enterStrategy();
    this.host.onMessage(templateId, message as unknown as MessageFlyweight);
    if (stages !== undefined) stages.exitStrategy();
  }

  onBook(book: Book, packet: PacketInfo): void {
    this.packet = packet;
    this.orderPath.setTrigger(packet.seqNum);
    this.orderPath.updateReferencePrice(book);
    const stages = this.stages;
    if (stages !== undefined) stages.enterStrategy();
    this.host.onBook(book);
    if (stages !== undefined) stages.exitStrategy();
  }

  onGap(gap: GapEvent): void {
    this.host.onGap(gap);
  }

  onChannelReset(): void {}
}

