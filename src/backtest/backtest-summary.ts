/**
 * What a backtest reports at the end, and its text form. Amounts are in price units: PRICE9
 * mantissas scaled by the schema's price exponent (10^-9), times quantity.
 */
import { PRICE9Decoder } from '../generated/mdp3/index.js';

/** The schema's constant price exponent (PRICE9: -9). */
export const PRICE_EXPONENT = new PRICE9Decoder().exponent();
const PRICE_SCALE = 10 ** PRICE_EXPONENT;

export interface PositionSummary {
  securityId: number;
  /** Signed, buys positive. */
  position: number;
  averagePrice: number;
  /** Last recorded trade, else mid; NaN when the book had neither. */
  markPrice: number;
}

export interface StrategySummary {
  name: string;
  orders: number;
  fills: number;
  realizedPnl: number;
  /** Open positions marked to the last trade/mid. */
  unrealizedPnl: number;
  totalPnl: number;
  positions: PositionSummary[];
}

/** Collections counted while a backtest ran: all of them, and those after its warm-up. */
export interface BacktestGcRuns {
  total: number;
  steadyState: number;
}

export interface BacktestSummary {
  feed: string;
  packets: number;
  messages: number;
  /** Packets lost in sequence gaps, and datagrams the handler refused as malformed. */
  gapPackets: number;
  badDatagrams: number;
  /** Recorded span, first to last SendingTime handled (ns). */
  recordedNanos: number;
  orders: number;
  cancels: number;
  replaces: number;
  fills: number;
  rejects: number;
  executionReports: number;
  /** Orders and reports still on their way when the run stopped. */
  inFlightAtEnd: boolean;
  strategies: StrategySummary[];
  elapsedSeconds: number;
  messagesPerSecond: number;
  /** Garbage collections while the file ran (strategies loaded and started before). */
  gcCount: number;
  /** Those that started after the warm-up (the first tenth of the file): the steady state's. */
  steadyStateGcCount: number;
  orderStream: { frames: number; bytes: number; sha256: string; path?: string };
}

/** A PRICE9 mantissa (or mantissa x quantity) in price units. */
export function toPriceUnits(mantissa: number): number {
  return mantissa * PRICE_SCALE;
}

export function formatSummary(summary: BacktestSummary): string {
  const lines = [
    `backtest ${summary.feed}: ${summary.packets} packets, ${summary.messages} messages over ${(summary.recordedNanos / 1e9).toFixed(3)} s recorded` +
      (summary.gapPackets > 0 || summary.badDatagrams > 0 ? ` (${summary.gapPackets} lost in gaps, ${summary.badDatagrams} malformed)` : ''),
    `orders ${summary.orders}, cancels ${summary.cancels}, replaces ${summary.replaces}, fills ${summary.fills}, rejects ${summary.rejects}, execution reports ${summary.executionReports}` +
      (summary.inFlightAtEnd ? ' (some still in flight at the end)' : ''),
  ];
  for (const strategy of summary.strategies) {
    lines.push(
      `strategy ${strategy.name}: orders ${strategy.orders}, fills ${strategy.fills}, PnL ${formatAmount(strategy.totalPnl)} ` +
        `(realized ${formatAmount(strategy.realizedPnl)}, open marked ${formatAmount(strategy.unrealizedPnl)})`,
    );
    for (const position of strategy.positions) {
      if (position.position === 0) continue;
      lines.push(`  ${position.securityId}: position ${position.position} at ${formatAmount(position.averagePrice)}, marked at ${formatAmount(position.markPrice)}`);
    }
  }
  lines.push(
    `throughput ${formatRate(summary.messagesPerSecond)} messages/s (${summary.elapsedSeconds.toFixed(3)} s), GC runs ${summary.gcCount} (${summary.steadyStateGcCount} after the first tenth of the file)`,
    `order stream sha256 ${summary.orderStream.sha256} (${summary.orderStream.frames} frames, ${summary.orderStream.bytes} bytes${summary.orderStream.path === undefined ? '' : ` in ${summary.orderStream.path}`})`,
  );
  return lines.join('\n');
}

function formatAmount(value: number): string {
  return Number.isNaN(value) ? 'n/a' : Number(value.toFixed(9)).toString();
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}
