/**
 * The worker's loop with copy I/O (`--io copy`): node:dgram and net deliver on the event loop,
 * so the worker cannot busy-poll synchronously. It runs the HotLoop's pass in two halves:
 *
 *   'message' event -> copy -> feed tap -> ... -> strategies -> completePass(1): send, session, ...
 *   tick            -> completePass(0): session (execution reports, heartbeats), timers,
 *                      control words, counters; then the stop check
 *
 * A tick follows the previous one at once (setImmediate) with idle 'spin', or after idleTimeoutMs
 * with 'block', so the event loop turns between ticks either way and I/O events get in.
 * An error of the gateway's own code ends the run (strategies are isolated), as it ends the
 * busy-poll loop.
 */
import type { DatagramHandler, ReceiveTime } from '../feed/datagram.js';
import type { DgramSource } from '../feed/sources/dgram-source.js';
import type { IdleMode } from './config.js';
import type { HotLoop } from './hot-loop.js';

/** What it needs of the HotLoop: the stop word and the rest of a pass. */
export type LoopPass = Pick<HotLoop, 'stopRequested' | 'completePass'>;

export class EventDrivenLoop implements DatagramHandler {
  private running = false;
  private resolveRun: () => void = () => {};
  private rejectRun: (error: unknown) => void = () => {};
  private readonly tick = (): void => this.runTick();

  constructor(
    private readonly loop: LoopPass,
    /** The first handler of the chain (the feed tap). */
    private readonly tap: DatagramHandler,
    private readonly sources: readonly DgramSource[],
    private readonly idle: IdleMode,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Runs until the stop control word is set; rejects with the error that ended it otherwise. */
  run(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.resolveRun = resolve;
      this.rejectRun = reject;
      this.running = true;
      for (const source of this.sources) source.deliverTo(this);
      this.schedule();
    });
  }

  onDatagram(view: DataView, offset: number, length: number, received: ReceiveTime, line: number): void {
    if (!this.running) return;
    try {
      this.tap.onDatagram(view, offset, length, received, line);
      this.loop.completePass(1);
    } catch (error) {
      this.end(error);
    }
  }

  private runTick(): void {
    if (!this.running) return;
    try {
      if (this.loop.stopRequested) {
        this.end(undefined);
        return;
      }
      this.loop.completePass(0);
    } catch (error) {
      this.end(error);
      return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.idle === 'spin') setImmediate(this.tick);
    else setTimeout(this.tick, this.idleTimeoutMs);
  }

  /** Stops handing datagrams on (the sources stay open until the worker closes them). */
  private end(error: unknown): void {
    this.running = false;
    if (error === undefined) this.resolveRun();
    else this.rejectRun(error);
  }
}
