/**
 * One MDP 3.0 channel as the gateway runs it: its line A (and optional line B) sources, the
 * sequencer that arbitrates them, and the handler that keeps the books and calls the listener.
 *
 *   source A ─┐
 *             ├─> Sequencer (arbitration, reorder window, gaps) ─> Mdp3Handler ─> listener
 *   source B ─┘
 */
import { realtimeNanos } from '../io/native.js';
import type { FeedSource } from './datagram.js';
import type { FeedCounters } from './feed-counters.js';
import { Mdp3Handler, type Mdp3HandlerOptions } from './mdp3-handler.js';
import { Sequencer, type SequencerOptions } from './sequencer.js';
import { openFeedSource, type FeedSourceOptions } from './sources/open-feed-source.js';

export interface FeedChannelOptions extends Mdp3HandlerOptions {
  /** One URL (line A) or two (lines A and B). See feed-url.ts. */
  urls: readonly string[];
  sequencing?: SequencerOptions;
  sources?: Omit<FeedSourceOptions, 'line'>;
}

/** How long one wait on a line lasts when two lines are polled: short, so the other is not starved. */
const TWO_LINE_WAIT_SLICE_MS = 1;

export class FeedChannel {
  readonly sources: readonly FeedSource[];
  readonly sequencer: Sequencer;
  readonly handler: Mdp3Handler;
  readonly counters: FeedCounters;

  static open(options: FeedChannelOptions): FeedChannel {
    if (options.urls.length < 1 || options.urls.length > 2) {
      throw new RangeError(`a feed channel takes one URL (line A) or two (A and B), got ${options.urls.length}`);
    }
    const sources: FeedSource[] = [];
    try {
      options.urls.forEach((url, line) => sources.push(openFeedSource(url, { ...options.sources, line })));
    } catch (error) {
      for (const source of sources) source.close();
      throw error;
    }
    return new FeedChannel(sources, options);
  }

  private constructor(sources: FeedSource[], options: FeedChannelOptions) {
    this.sources = sources;
    this.handler = new Mdp3Handler(options);
    this.counters = this.handler.counters;
    this.sequencer = new Sequencer(this.handler, this.counters, options.sequencing);
  }

  /**
   * Takes up to `maxDatagrams` from each line, then lets a hole that has waited out the reorder
   * window be declared lost. With nothing ready, waits up to `timeoutMs` (0: busy-poll).
   * Returns the datagrams taken, or -1 when every line is a finished capture file.
   */
  poll(maxDatagrams: number, timeoutMs: number): number {
    const taken = this.pollLines(maxDatagrams, 0);
    if (taken !== 0) return taken;
    if (timeoutMs !== 0) {
      const waited = this.sources.length === 1 ? this.pollLines(maxDatagrams, timeoutMs) : this.pollLines(maxDatagrams, TWO_LINE_WAIT_SLICE_MS);
      if (waited !== 0) return waited;
    }
    if (this.sequencer.holding) this.sequencer.expire(realtimeNanos());
    return 0;
  }

  close(): void {
    for (const source of this.sources) source.close();
  }

  private pollLines(maxDatagrams: number, timeoutMs: number): number {
    const sources = this.sources;
    let taken = 0;
    let finished = 0;
    for (let line = 0; line < sources.length; line++) {
      const count = sources[line]!.poll(this.sequencer, maxDatagrams, timeoutMs);
      if (count < 0) finished++;
      else taken += count;
    }
    return finished === sources.length ? -1 : taken;
  }
}
