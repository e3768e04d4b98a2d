/**
 * The worker's loop with copy I/O (`--io copy`): node:dgram and net deliver on the event loop,
 * so the worker cannot busy-poll synchronously. It runs the HotLoop's pass in two halves:
 *
 *   'message' events -> copy -> feed tap -> ... -> strategies (orders queued)
 *   check phase      -> completePass(datagrams since the last): send, session (execution
 *                       reports, heartbeats), timers, control words, counters; the stop check
 *
 * libuv reads a readable socket until it would block (up to 32 datagrams a turn), emitting a
 * 'message' for each, before it runs the turn's setImmediate callbacks: the datagrams of one
 * turn are one batch and get one send, as the datagrams of one recvmmsg do on the zero-copy
 * path (a batch is at most as large as theirs: a full one gets its pass at once). A pass per
 * datagram paid a write syscall per order, and the pass's clock reads, per datagram: under
 * load the copy baseline fell behind on that, not on its copies.
 *
 * With idle 'spin' a tick is always pending (setImmediate, rescheduled by itself), so the pass
 * follows the batch in the same turn. With 'block' the tick comes every idleTimeoutMs and a
 * batch schedules its own pass (setImmediate) so its orders do not wait for the tick.
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
  /** Datagrams handed to the tap since the last pass. */
  private batchedDatagrams = 0;
  private resolveRun: () => void = () => {};
  private rejectRun: (error: unknown) => void = () => {};
  private readonly tick = (): void => this.runTick();
  private readonly completeBatch = (): void => {
    if (this.running && this.batchedDatagrams > 0) this.completePass();
  };

  constructor(
    private readonly loop: LoopPass,
    /** The first handler of the chain (the feed tap). */
    private readonly tap: DatagramHandler,
    private readonly sources: readonly DgramSource[],
    private readonly idle: IdleMode,
    private readonly idleTimeoutMs: number,
    /** Datagrams a pass takes at most: the zero-copy passes' batch size (over all sources). */
    private readonly maxBatchDatagrams: number,
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
    } catch (error) {
      this.end(error);
      return;
    }
    this.batchedDatagrams++;
    // A full batch is answered at once, as a full recvmmsg is (the tap notes that many triggers).
    if (this.batchedDatagrams === this.maxBatchDatagrams) this.completePass();
    // (with 'spin' the pending tick completes the batch)
    else if (this.batchedDatagrams === 1 && this.idle === 'block') setImmediate(this.completeBatch);
  }

  private runTick(): void {
    if (!this.running) return;
    if (this.loop.stopRequested) {
      this.end(undefined);
      return;
    }
    if (this.completePass()) this.schedule();
  }

  /** The rest of the pass for the datagrams batched since the last; false when it ended the run. */
  private completePass(): boolean {
    const delivered = this.batchedDatagrams;
    this.batchedDatagrams = 0;
    try {
      this.loop.completePass(delivered);
      return true;
    } catch (error) {
      this.end(error);
      return false;
    }
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
