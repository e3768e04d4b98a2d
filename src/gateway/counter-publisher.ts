/**
 * Copies the counters the feed handler and the order path keep as plain fields on their own
 * objects into the shared counters. The loop calls it when a pass found nothing to do and every
 * PUBLISH_EVERY_PASSES busy passes, so the control plane's view lags by at most a few
 * milliseconds and the per-packet path never pays for it.
 */
import type { FeedSource } from '../feed/datagram.js';
import type { FeedCounters } from '../feed/feed-counters.js';
import type { TimeSource } from '../io/clock.js';
import type { GatewayCounters } from '../metrics/counters.js';
import {
  BOOK_UPDATES,
  CANCELS,
  DROP_REASONS,
  DUPLICATES,
  EXECUTION_REPORTS,
  FEED_SOURCE_DROPS,
  FEED_UP,
  FILLS,
  GAPS,
  KILL_SWITCH,
  LATE_PACKETS,
  MESSAGES,
  OPEN_ORDERS,
  ORDERS,
  PACKETS,
  PACKETS_LOST,
  REJECTS,
  REJECT_REASON_NAMES,
  REPLACES,
  SESSION_RECONNECTS,
  SESSION_STATE,
  WORKER_HEARTBEAT_NANOS,
  dropSlot,
  feedSlot,
  rejectSlot,
} from '../metrics/counters-layout.js';
import type { OrderPath } from './order-path.js';

export class CounterPublisher {
  constructor(
    private readonly counters: GatewayCounters,
    private readonly feed: FeedCounters,
    private readonly sources: readonly FeedSource[],
    private readonly orderPath: OrderPath,
  ) {}

  /** Marks every source up (they are open once the worker runs) or down (closed). */
  setSourcesUp(up: boolean): void {
    for (let line = 0; line < this.sources.length; line++) this.counters.set(feedSlot(line, FEED_UP), up ? 1 : 0);
  }

  /** @param monotonic read by the caller just before: its time is the heartbeat. */
  publish(monotonic: TimeSource): void {
    const counters = this.counters;
    const feed = this.feed;
    counters.set(PACKETS, feed.packets);
    counters.set(MESSAGES, feed.messages);
    counters.set(GAPS, feed.gaps);
    counters.set(PACKETS_LOST, feed.lostPackets);
    counters.set(DUPLICATES, feed.duplicates);
    counters.set(LATE_PACKETS, feed.lateCopies);
    counters.set(BOOK_UPDATES, feed.bookUpdates);
    for (let reason = 0; reason < DROP_REASONS.length; reason++) counters.set(dropSlot(reason), feed[DROP_REASONS[reason]!]);
    for (let line = 0; line < this.sources.length; line++) {
      counters.set(feedSlot(line, FEED_SOURCE_DROPS), this.sources[line]!.droppedCount);
    }
    this.publishOrderPath();
    counters.set(WORKER_HEARTBEAT_NANOS, monotonic.nanos);
  }

  private publishOrderPath(): void {
    const counters = this.counters;
    const orderPath = this.orderPath;
    const counts = orderPath.counts;
    counters.set(ORDERS, counts.ordersSent);
    counters.set(CANCELS, counts.cancelsSent);
    counters.set(REPLACES, counts.replacesSent);
    counters.set(EXECUTION_REPORTS, counts.executionReports);
    counters.set(FILLS, counts.fills);
    counters.set(REJECTS, counts.rejects);
    const byReason = counts.rejectsByReason;
    for (let reason = 1; reason < REJECT_REASON_NAMES.length && reason < byReason.length; reason++) {
      counters.set(rejectSlot(reason), byReason[reason]!);
    }
    counters.set(SESSION_STATE, orderPath.sessionState);
    counters.set(SESSION_RECONNECTS, orderPath.reconnects);
    counters.set(KILL_SWITCH, orderPath.killSwitchEngaged ? 1 : 0);
    counters.set(OPEN_ORDERS, orderPath.openOrderCount);
  }
}
