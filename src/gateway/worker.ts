/**
 * The hot-path worker thread: opens the feed sources, loads the strategies, opens the order
 * path, then runs the HotLoop until the main thread sets STOP_REQUESTED. At stop it runs the
 * strategies' onStop hooks, sends what they queued (cancels), and closes everything.
 *
 * It talks to the main thread only through shared memory (the counters, the control words, the
 * latency intervals' channel), plus cold messages (worker-messages.ts): ready/failed, log
 * lines, stopped.
 * With zero-copy I/O the loop runs synchronously, yielding to the event loop only while the
 * order path connects; with copy I/O it is event-driven (event-driven-loop.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FeedSource } from '../feed/datagram.js';
import { FeedCounters } from '../feed/feed-counters.js';
import { Mdp3Handler } from '../feed/mdp3-handler.js';
import { Sequencer } from '../feed/sequencer.js';
import { DgramSource } from '../feed/sources/dgram-source.js';
import { openFeedSource } from '../feed/sources/open-feed-source.js';
import { pinThreadToCpu } from '../io/affinity.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, NanosecondClock } from '../io/clock.js';
import { GatewayCounters } from '../metrics/counters.js';
import { IntervalChannel } from '../metrics/interval-channel.js';
import { WORKER_STATE, WORKER_STATE_RUNNING, WORKER_STATE_STARTING, WORKER_STATE_STOPPED, WORKER_STATE_STOPPING } from '../metrics/counters-layout.js';
import { StageLatencyRecorder } from '../metrics/stage-latency.js';
import type { GatewayTopology } from '../metrics/status-snapshot.js';
import type { LogSink, StrategyEnvironment } from '../strategy/context.js';
import { StrategyHost } from '../strategy/host.js';
import { loadStrategies } from '../strategy/loader.js';
import type { GatewayConfig } from './config.js';
import { CounterPublisher } from './counter-publisher.js';
import { EventDrivenLoop } from './event-driven-loop.js';
import { StrategyFeedListener } from './feed-listener.js';
import { FeedTap } from './feed-tap.js';
import { HotLoop } from './hot-loop.js';
import { TimedOrderRouting } from './timed-order-entry.js';
import { WorkerGcCount } from './worker-gc-count.js';
import { openOrderPath } from './order-path-factory.js';
import type { OrderPath } from './order-path.js';
import type { WorkerInput, WorkerMessage } from './worker-messages.js';

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

const workerLog: LogSink = {
  info: (message) => post({ type: 'log', level: 'info', message }),
  warn: (message) => post({ type: 'log', level: 'warn', message }),
  error: (message) => post({ type: 'log', level: 'error', message }),
};

interface OpenedGateway {
  loop: HotLoop;
  /** Copy I/O only: runs the loop on the events of its sources. */
  eventDriven: EventDrivenLoop | undefined;
  host: StrategyHost;
  sources: FeedSource[];
  orderPath: OrderPath;
  publisher: CounterPublisher;
  topology: GatewayTopology;
}

async function open(input: WorkerInput, counters: GatewayCounters, control: Int32Array): Promise<OpenedGateway> {
  const config = input.config;
  if (config.cpu !== undefined) pinThreadToCpu(config.cpu);
  const strategies = await loadStrategies(config.strategies);
  const sources: FeedSource[] = [];
  let orderPath: OrderPath | undefined;
  try {
    for (const [line, url] of config.feeds.entries()) {
      sources.push(config.io === 'copy' ? await DgramSource.open(url, { line }) : openFeedSource(url, { line, batchSize: config.batchSize }));
    }
    for (const source of sources) {
      const grant = source.receiveBuffer?.describe(source.url);
      if (grant !== undefined) workerLog[grant.level](grant.message);
    }
    orderPath = openOrderPath(config, workerLog);
    const feedCounters = new FeedCounters();
    let listener: StrategyFeedListener | undefined;
    let handler: Mdp3Handler | undefined;
    // ctx.now(): read into a field, so only the returned double may be boxed (none when inlined)
    const strategyClock = new NanosecondClock(CLOCK_REALTIME);
    const environment: StrategyEnvironment = {
      get packet() {
        return listener!.packet;
      },
      books: { book: (securityId) => handler!.book(securityId) },
      clock: () => strategyClock.read(),
      log: workerLog,
    };
    // One pair of clocks for the loop and the stages: the loop reads the send's time where endSend() left it.
    const realtime = new NanosecondClock(CLOCK_REALTIME);
    const monotonic = new NanosecondClock(CLOCK_MONOTONIC);
    const stages = new StageLatencyRecorder({ realtime, monotonic, sampleEvery: config.stageSampleEvery });
    const host = new StrategyHost(strategies, { environment, orders: new TimedOrderRouting(orderPath, stages), counters });
    listener = new StrategyFeedListener(host, orderPath, stages);
    handler = new Mdp3Handler({ listener, counters: feedCounters, logger: workerLog });
    const sequencer = new Sequencer(handler, feedCounters);
    const datagramsPerPass = config.batchSize * sources.length;
    const tap = new FeedTap(sequencer, counters, host.tally, orderPath, datagramsPerPass, stages);
    const publisher = new CounterPublisher(counters, feedCounters, sources, orderPath);
    const loop = new HotLoop({
      sources,
      tap,
      sequencer,
      orderPath,
      host,
      publisher,
      stages,
      control,
      idle: config.idle,
      idleTimeoutMs: config.idleTimeoutMs,
      batchSize: config.batchSize,
      realtime,
      monotonic,
      stageIntervals: new IntervalChannel(input.stageIntervals),
      gcCount: new WorkerGcCount(counters),
    });
    // (with copy I/O every source is a DgramSource)
    const eventDriven = config.io === 'copy' ? new EventDrivenLoop(loop, tap, sources as DgramSource[], config.idle, config.idleTimeoutMs, datagramsPerPass) : undefined;
    const topology: GatewayTopology = {
      exchange: config.exchange,
      feeds: config.feeds,
      strategies: strategies.map(({ name, path }) => ({ name, path })),
    };
    return { loop, eventDriven, host, sources, orderPath, publisher, topology };
  } catch (error) {
    orderPath?.close();
    for (const source of sources) source.close();
    throw error;
  }
}

async function run(gateway: OpenedGateway): Promise<void> {
  if (gateway.eventDriven !== undefined) return gateway.eventDriven.run();
  const loop = gateway.loop;
  while (!loop.stopRequested) {
    loop.runPass();
    if (loop.yieldDue) await yieldToEventLoop();
  }
}

function close(gateway: OpenedGateway): void {
  gateway.host.stop();
  // onStop hooks may have queued cancels: send them before the session closes.
  gateway.orderPath.flush();
  gateway.loop.publishNow();
  gateway.orderPath.close();
  for (const source of gateway.sources) source.close();
  gateway.publisher.setSourcesUp(false);
}

async function main(): Promise<void> {
  const input = workerData as WorkerInput;
  const counters = new GatewayCounters(input.counters);
  const control = new Int32Array(input.control);
  counters.set(WORKER_STATE, WORKER_STATE_STARTING);
  let gateway: OpenedGateway;
  try {
    gateway = await open(input, counters, control);
  } catch (error) {
    counters.set(WORKER_STATE, WORKER_STATE_STOPPED);
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  gateway.publisher.setSourcesUp(true);
  // The first heartbeat before any strategy code runs, so even a stall in onStart shows.
  gateway.loop.publish();
  gateway.host.start();
  counters.set(WORKER_STATE, WORKER_STATE_RUNNING);
  post({ type: 'ready', topology: gateway.topology });
  try {
    await run(gateway);
  } catch (error) {
    // A bug in the gateway's own code (strategies are isolated): report it, still stop cleanly.
    workerLog.error(`hot loop failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  counters.set(WORKER_STATE, WORKER_STATE_STOPPING);
  close(gateway);
  counters.set(WORKER_STATE, WORKER_STATE_STOPPED);
  post({ type: 'stopped' });
}

await main();
