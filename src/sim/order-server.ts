/**
 * The simulated exchange's order entry server: a TCP listener speaking schemas/order-entry.xml
 * (SOFH-framed SBE, iLink 3 style). Connections (order-connection.ts) come and go; sessions
 * (order-session.ts) are kept by SessionID across them, so a client that reconnects learns from
 * EstablishmentAck.PreviousSeqNo what reached the exchange, and gets the reports it missed.
 *
 * Working orders of a session whose connection drops are cancelled (CME's cancel on disconnect);
 * the Canceled reports are delivered after the session is established again.
 */
import net from 'node:net';
import { FunctionClock } from './function-clock.js';
import type { MatchingEngine } from './matching-engine.js';
import { OrderConnection, type ConnectionHost } from './order-connection.js';
import { OrderEntryReplies } from './order-replies.js';
import { OrderServerCounters } from './order-server-counters.js';
import { OrderSession, type SessionContext } from './order-session.js';
import type { TcpEndpoint } from './endpoints.js';
import type { TickToTrade } from './tick-to-trade.js';

export interface OrderServerOptions {
  listen: TcpEndpoint;
  engine: MatchingEngine;
  tickToTrade: TickToTrade;
  /** TransactTime for reports, ns since the epoch. */
  clock: () => number;
  /** Called after the orders of a read (or a disconnect) may have changed the book: publish it. */
  onMarketChanged: () => void;
  log: (line: string) => void;
}

export class OrderServer implements ConnectionHost {
  readonly counters = new OrderServerCounters();
  readonly replies = new OrderEntryReplies();
  private readonly sessions = new Map<number, OrderSession>();
  private readonly connections = new Set<OrderConnection>();
  /** Sessions with output to send, each once (OrderSession.queuedForOutput). */
  private readonly sessionsWithOutput: OrderSession[] = [];
  private readonly sessionContext: SessionContext;

  private constructor(
    private readonly server: net.Server,
    private readonly options: OrderServerOptions,
  ) {
    this.sessionContext = {
      engine: options.engine,
      replies: this.replies,
      counters: this.counters,
      tickToTrade: options.tickToTrade,
      clock: new FunctionClock(options.clock),
      onOutput: (session) => this.queueOutput(session),
    };
    server.on('connection', (socket) => this.accept(socket));
  }

  static listen(options: OrderServerOptions): Promise<OrderServer> {
    const server = net.createServer();
    const orderServer = new OrderServer(server, options);
    return new Promise((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`tcp://${options.listen.host}:${options.listen.port}: ${error.message}`)));
      server.listen(options.listen.port, options.listen.host, () => resolve(orderServer));
    });
  }

  /** The address actually listened on (the kernel's port when 0 was asked). */
  get address(): { host: string; port: number } {
    const address = this.server.address() as net.AddressInfo;
    return { host: address.address, port: address.port };
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  log(line: string): void {
    this.options.log(line);
  }

  sessionFor(sessionId: number): OrderSession {
    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = new OrderSession(sessionId, this.sessionContext);
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  afterRead(): void {
    this.options.onMarketChanged();
    this.flushReports();
  }

  /** Sends the reports sessions have pending (fills of resting orders come from market events too). */
  flushReports(): void {
    const sessions = this.sessionsWithOutput;
    for (let index = 0; index < sessions.length; index++) {
      const session = sessions[index]!;
      session.queuedForOutput = false;
      // Without a connection the output waits in the session for the next Establish.
      if (session.connection instanceof OrderConnection) session.connection.flush();
    }
    sessions.length = 0;
  }

  onClosed(connection: OrderConnection): void {
    this.connections.delete(connection);
    const session = connection.session;
    if (session === null || session.connection !== connection) return;
    session.connection = null;
    if (session.workingOrderCount > 0) {
      session.cancelAllOrders();
      this.options.onMarketChanged();
    }
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.drop('simulator stopping');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    this.counters.connectionsAccepted++;
    const connection = new OrderConnection(socket, this, `${socket.remoteAddress}:${socket.remotePort}`);
    this.connections.add(connection);
  }

  private queueOutput(session: OrderSession): void {
    if (session.queuedForOutput) return;
    session.queuedForOutput = true;
    this.sessionsWithOutput.push(session);
  }
}
