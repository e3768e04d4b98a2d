/**
 * The feed's listener in a backtest: the live StrategyFeedListener (strategies, TriggerSeqNum,
 * price-band reference), with the simulated exchange told of each recorded book event and
 * trade first, so resting orders fill as the recorded market moves (market-mirror.ts).
 * Trades are read only while orders rest; the decoder's group position is put back before the
 * strategies see the message.
 */
import type { Book, GapEvent, PacketInfo } from '../feed/market-data.js';
import type { MessageDecoder } from '../feed/mdp3-codecs.js';
import type { MarketDataListener } from '../feed/mdp3-handler.js';
import type { StrategyFeedListener } from '../gateway/feed-listener.js';
import { MDIncrementalRefreshTradeSummary48Decoder } from '../generated/mdp3/index.js';
import type { SimulatedExchange } from './simulated-exchange.js';

export class BacktestFeedListener implements MarketDataListener {
  constructor(
    private readonly strategies: StrategyFeedListener,
    private readonly exchange: SimulatedExchange,
  ) {}

  /** Trade summaries always (they fill resting orders), else what the strategies handle. */
  handlesMessage(templateId: number): boolean {
    return templateId === MDIncrementalRefreshTradeSummary48Decoder.TEMPLATE_ID || this.strategies.handlesMessage(templateId);
  }

  onMessage(templateId: number, message: MessageDecoder, packet: PacketInfo): void {
    if (this.exchange.workingOrderCount > 0 && message instanceof MDIncrementalRefreshTradeSummary48Decoder) this.replayTrades(message);
    if (this.strategies.handlesMessage(templateId)) this.strategies.onMessage(templateId, message, packet);
  }

  onBook(book: Book, packet: PacketInfo): void {
    this.exchange.onRecordedBook(book);
    this.strategies.onBook(book, packet);
  }

  onGap(gap: GapEvent): void {
    this.strategies.onGap(gap);
  }

  onChannelReset(): void {
    this.strategies.onChannelReset();
  }

  private replayTrades(message: MDIncrementalRefreshTradeSummary48Decoder): void {
    const start = message.limit;
    const mirror = this.exchange.mirror;
    for (const entries = message.noMDEntries(); entries.hasNext(); ) {
      entries.next();
      mirror.tradePrice = entries.mDEntryPx().mantissa();
      mirror.tradeQuantity = entries.mDEntrySize();
      this.exchange.onRecordedTrade(entries.securityID(), entries.aggressorSide());
    }
    message.limit = start;
  }
}
