/**
 * The responders under test, each with an exchange of its own (t2t_exchange on the load core),
 * all started once and kept running for the whole suite. Only the one being measured runs:
 * the others are frozen with SIGSTOP, since every one of them busy-polls the measured core and
 * a second spinner there would halve the first one's time slices.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import dgram from 'node:dgram';
import { ManagedProcess } from '../lib/managed-process.js';
import { canPinToSeparateCores, LOAD_CPU, MEASURED_CPU } from '../lib/pinning.js';
import { cProgram } from '../io/receivers.js';
import { Exchange, type FeedTarget } from './exchange.js';
import { TOKEN_ENVIRONMENT_VARIABLE } from '../../src/http/bearer-token.js';
import { gatewayStageLatency, gatewayStatus, resetGatewayStageLatency, type StageSummary } from './gateway-status.js';
import { cpuStealNs, FEED_RECEIVE_BUFFER_BYTES, threadSchedulerWaits, udpSocketDrops, UNKNOWN_SCHEDULER_COUNTERS, type ResponderCounters } from './loss-account.js';
import { allThreadsStopped, makeOtherThreadsIdle, makePinnedThreadsRealtime, realtimeCommand, threadsPinnedTo } from './realtime.js';

export const C_REFERENCE = 'C reference';
export const ZERO_COPY = 'zerotick zero-copy';
export const COPY = 'zerotick copy';
export const PACKET_RING = 'zerotick AF_PACKET';
export const SHM_RING = 'zerotick SPSC ring';

type FeedKind = 'udp' | 'packet' | 'shm';

export interface ResponderSpec {
  name: string;
  description: string;
  feed: FeedKind;
  /** `zerotick run --io`; undefined for the C reference. */
  io?: 'zerocopy' | 'copy';
  /** Another checkout of zerotick to run (its src/cli/main.ts and strategy), e.g. a baseline for a before/after; default this one. */
  checkout?: string;
}

const STRATEGY = 'strategies/ping.ts';

/** In the order of every round: the reference first, since every figure is read against it. */
export const responderSpecs: readonly ResponderSpec[] = [
  { name: C_REFERENCE, feed: 'udp', description: 'bench/c/t2t_responder.c: recvmmsg busy-poll, writev' },
  { name: ZERO_COPY, feed: 'udp', io: 'zerocopy', description: `zerotick run --io zerocopy --feed udp://… (${STRATEGY})` },
  { name: COPY, feed: 'udp', io: 'copy', description: `zerotick run --io copy --feed udp://… (${STRATEGY})` },
  { name: PACKET_RING, feed: 'packet', io: 'zerocopy', description: `zerotick run --feed packet://lo:PORT (${STRATEGY})` },
  { name: SHM_RING, feed: 'shm', io: 'zerocopy', description: `zerotick run --feed shm://NAME, the exchange writing the ring (${STRATEGY})` },
];

/** How long a responder may take to stop every thread after SIGSTOP before its turn fails. */
const FREEZE_TIMEOUT_MS = 10_000;
/** The gateways' bearer token for their control routes: the suite resets their stage latency once they are warm. */
const CONTROL_TOKEN = randomUUID();

/** A gateway takes seconds to start under tsx on a loaded machine, then connects with backoff. */
const ESTABLISH_TIMEOUT_MS = 60_000;

/** A port nobody listens on (bound, read back, released). */
export async function unusedPort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'tcp') {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return typeof address === 'object' && address !== null ? address.port : 0;
  }
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function feedFor(kind: FeedKind): Promise<{ target: FeedTarget; url: string; port: number }> {
  if (kind === 'shm') {
    const name = `t2t-${process.pid}`;
    return { target: { kind: 'shm', name }, url: `shm://${name}`, port: 0 };
  }
  const port = await unusedPort('udp');
  // AF_PACKET reads the wire: a sink socket spares the exchange an ICMP port unreachable per packet.
  return { target: { kind: 'udp', port, sink: kind === 'packet' }, url: kind === 'udp' ? `udp://127.0.0.1:${port}?rcvbuf=${FEED_RECEIVE_BUFFER_BYTES}` : `packet://lo:${port}`, port };
}

export class RunningResponder {
  private constructor(
    readonly spec: ResponderSpec,
    readonly exchange: Exchange,
    private readonly process: ManagedProcess,
    /** The gateway's HTTP status address; undefined for the C reference. */
    readonly statusUrl: string | undefined,
    /** The UDP port the responder's feed socket is bound to; undefined when it reads no UDP socket (AF_PACKET, SPSC ring). */
    readonly feedSocketPort: number | undefined,
    /** The thread that spins on the measured core: the C responder's only one, a gateway's worker. */
    private readonly hotThreadId: number | undefined,
  ) {}

  /**
   * Starts the responder and its exchange and waits for the order session; throws with the
   * responder's own words when it cannot start (e.g. an --io mode this build does not have).
   */
  static async start(spec: ResponderSpec): Promise<RunningResponder> {
    const feed = await feedFor(spec.feed);
    const exchange = await Exchange.start(spec.name, feed.target);
    let child: ManagedProcess | undefined;
    try {
      const httpPort = spec.io === undefined ? 0 : await unusedPort('tcp');
      child = spec.io === undefined
        ? new ManagedProcess(spec.name, ...realtimeCommand(cProgram('t2t_responder'), ['--feed-port', String(feed.port), '--exchange', `127.0.0.1:${exchange.tcpPort}`, '--rcvbuf', String(FEED_RECEIVE_BUFFER_BYTES)]), MEASURED_CPU)
        : new ManagedProcess(spec.name, process.execPath, gatewayArgs(spec, feed.url, exchange.tcpPort, httpPort), LOAD_CPU, { [TOKEN_ENVIRONMENT_VARIABLE]: CONTROL_TOKEN });
      const running = child;
      const exited = running.exitCode().then(() => exitReason(running));
      // Settled either way: when the responder exits first, the exchange is stopped under this wait.
      const established = exchange.waitEstablished(ESTABLISH_TIMEOUT_MS).catch(() => false);
      const outcome = await Promise.race([established, exited]);
      if (outcome !== true) throw new Error(outcome === false ? `no order session within ${ESTABLISH_TIMEOUT_MS / 1000} s` : outcome);
      // The worker has pinned itself to the measured core before it connected.
      if (spec.io !== undefined) {
        makePinnedThreadsRealtime(child.pid!, MEASURED_CPU);
        // with no core of its own, the worker would be among them
        if (canPinToSeparateCores()) makeOtherThreadsIdle(child.pid!, MEASURED_CPU);
      }
      const statusUrl = spec.io === undefined ? undefined : `http://127.0.0.1:${httpPort}/status`;
      const hotThreadId = spec.io === undefined ? child.pid : threadsPinnedTo(child.pid!, MEASURED_CPU)[0];
      const responder = new RunningResponder(spec, exchange, child, statusUrl, spec.feed === 'udp' ? feed.port : undefined, hotThreadId);
      await responder.freeze();
      return responder;
    } catch (error) {
      child?.signal('SIGKILL');
      await child?.stop();
      await exchange.stop();
      throw error;
    }
  }

  /** What the responder's side counts about lost packets, now (call it while thawed: a gateway answers on HTTP). */
  async counters(): Promise<ResponderCounters> {
    const status = this.statusUrl === undefined ? undefined : await gatewayStatus(this.statusUrl);
    const feeds = status?.feeds as Array<{ sourceDrops: number }> | undefined;
    return {
      socketDrops: this.feedSocketPort === undefined ? null : udpSocketDrops(this.feedSocketPort),
      sourceDrops: feeds?.[0]?.sourceDrops ?? null,
      rejectsByReason: (status?.rejectsByReason as Record<string, number> | undefined) ?? null,
      ...(this.hotThreadId === undefined ? UNKNOWN_SCHEDULER_COUNTERS : threadSchedulerWaits(this.process.pid!, this.hotThreadId)),
      coreStealNs: cpuStealNs(MEASURED_CPU),
    };
  }

  /** A gateway forgets what its stages recorded so far (the warm-ups'); call it while thawed. */
  async resetStageLatency(): Promise<void> {
    if (this.statusUrl !== undefined) await resetGatewayStageLatency(this.statusUrl, CONTROL_TOKEN);
  }

  /** A gateway's own per-stage latency since the last reset (undefined for the C reference); call it while thawed. */
  async stageLatency(): Promise<Record<string, StageSummary> | undefined> {
    return this.statusUrl === undefined ? undefined : gatewayStageLatency(this.statusUrl);
  }

  /**
   * SIGSTOP, then waits until every thread has stopped. The stop takes effect when a thread of the
   * process takes the signal, usually the main thread: a gateway's runs SCHED_IDLE on the load
   * core, where the next responder's exchange may keep it waiting, and meanwhile its worker
   * spins on beside the next responder (seen: ~400 ms of a C reference trial, 3 rounds in 16).
   */
  async freeze(): Promise<void> {
    this.process.signal('SIGSTOP');
    const deadline = Date.now() + FREEZE_TIMEOUT_MS;
    while (!allThreadsStopped(this.process.pid!)) {
      if (Date.now() > deadline) throw new Error(`${this.spec.name} did not stop within ${FREEZE_TIMEOUT_MS / 1000} s of SIGSTOP`);
      await sleep(1);
    }
  }

  thaw(): void {
    this.process.signal('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    if (this.spec.io !== undefined) this.process.signal('SIGINT');
    await this.process.stop();
    await this.exchange.stop();
  }
}

/** The process's own account of why it exited: its error line (ManagedProcess keeps it), past what it printed before. */
async function exitReason(child: ManagedProcess): Promise<string> {
  for (;;) {
    try {
      await child.nextMessage();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.includes('expected a JSON line')) return message;
    }
  }
}

/** As deployed: the hot-path worker spins on its own core (--cpu), the main thread (HTTP) on the other. */
function gatewayArgs(spec: ResponderSpec, feedUrl: string, exchangePort: number, httpPort: number): string[] {
  const checkout = spec.checkout ?? '.';
  return [
    '--import', 'tsx', path.join(checkout, 'src/cli/main.ts'), 'run',
    '--io', spec.io!,
    '--feed', feedUrl,
    '--exchange', `tcp://127.0.0.1:${exchangePort}`,
    '--strategy', path.join(checkout, STRATEGY),
    '--http', `127.0.0.1:${httpPort}`,
    '--idle', 'spin',
    '--cpu', String(MEASURED_CPU),
  ];
}
