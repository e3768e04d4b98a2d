import net from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecType, ExecutionReportDecoder, TerminateReason } from '../../src/generated/order-entry/index.js';
import { Backoff } from '../../src/order/backoff.js';
import { OrderSide, RejectReason } from '../../src/order/order-request.js';
import { SessionState } from '../../src/order/order-session.js';
import { nativeTransport, type OrderTransport } from '../../src/order/order-transport.js';
import { socketTransport } from '../../src/order/socket-transport.js';
import { ExchangeFixture, frame, type ExchangeOptions } from './fixtures/exchange.js';
import { RecordingListener, pumpUntil, routerFor } from './fixtures/harness.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(exchangeOptions: ExchangeOptions = {}, routerOptions: Parameters<typeof routerFor>[1] = {}) {
  const exchange = await ExchangeFixture.start(exchangeOptions);
  cleanups.push(() => exchange.close());
  const router = routerFor(exchange, routerOptions);
  cleanups.push(() => router.close());
  const listener = new RecordingListener();
  const entry = router.register(listener);
  return { exchange, router, listener, entry };
}

/** A well-framed message with any header the test wants (blockLength, templateId, schemaId). */
function rawMessage(blockLength: number, templateId: number, schemaId: number, bodyLength = blockLength): Buffer {
  const bytes = Buffer.alloc(4 + 8 + bodyLength);
  bytes.writeUInt16LE(bytes.length, 0);
  bytes.writeUInt16LE(0xcafe, 2);
  bytes.writeUInt16LE(blockLength, 4);
  bytes.writeUInt16LE(templateId, 6);
  bytes.writeUInt16LE(schemaId, 8);
  return bytes;
}

async function unusedPort(): Promise<number> {
  const server = net.createServer().listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('OrderSession', () => {
  it('establishes with the session id, keep-alive and next SeqNum, then heartbeats both ways when idle', async () => {
    // given an exchange that heartbeats every 20 ms and a 40 ms keep-alive on our side
    const { exchange, router } = await start({ heartbeatIntervalMs: 20 }, { sessionId: 42, keepAliveIntervalMs: 40 });

    // when
    await pumpUntil(
      router,
      'three heartbeats each way',
      () => router.session.heartbeatsSent >= 3 && router.session.heartbeatsReceived >= 3 && exchange.heartbeatsReceived >= 3,
    );

    // then
    expect(exchange.establishes[0]).toEqual({ sessionId: 42, keepAliveIntervalMs: 40, nextSeqNo: 1 });
    expect(router.session.state).toBe(SessionState.Established);
    expect(router.session.disconnects).toBe(0);
    expect(router.session.connectAttempts).toBe(1);
  });

  it('terminates a silent exchange after three keep-alive intervals and reconnects', async () => {
    // given an exchange that acknowledges but never sends anything after
    const { exchange, router } = await start({}, { keepAliveIntervalMs: 20 });
    await pumpUntil(router, 'established', () => router.session.isEstablished);

    // when
    await pumpUntil(router, 'a reconnect', () => router.session.reconnects >= 1 && router.session.isEstablished);

    // then
    expect(exchange.terminates[0]).toBe(TerminateReason.Timeout);
    expect(router.session.disconnects).toBeGreaterThanOrEqual(1);
    expect(exchange.connections).toBeGreaterThanOrEqual(2);
  });

  it('holds no stall inside a poll against the exchange: bytes read after it count as heard then', async () => {
    // given an established session (keep-alive 20 ms: silent after 60 ms) whose next receive
    // first stalls 100 ms, as a thread stopped or preempted there would
    let stallMs = 0;
    const stallingTransport: OrderTransport = async (pool, options) => {
      const connection = await nativeTransport(pool, options);
      const receive = connection.receiver.receive.bind(connection.receiver);
      connection.receiver.receive = () => {
        if (stallMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, stallMs);
        stallMs = 0;
        return receive();
      };
      return connection;
    };
    const { exchange, router } = await start({}, { keepAliveIntervalMs: 20, transport: stallingTransport });
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    // and a heartbeat from the exchange waiting in the socket
    exchange.send(exchange.sequence());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const heartbeatsBefore = router.session.heartbeatsReceived;

    // when one poll's receive stalls before taking it, and the next poll follows
    stallMs = 100;
    router.poll();
    router.poll();

    // then the session stays up
    expect(exchange.terminates).toEqual([]);
    expect(router.session.disconnects).toBe(0);
    expect(router.session.heartbeatsReceived).toBe(heartbeatsBefore + 1);
  });

  it('holds no stall of its own against the exchange: with copy I/O what arrived meanwhile is handed over a turn later', async () => {
    // given an established session over the copy transport (keep-alive 20 ms: silent after 60 ms)
    const { exchange, router } = await start({}, { keepAliveIntervalMs: 20, transport: socketTransport });
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    const heartbeatsBefore = router.session.heartbeatsReceived;

    // when the exchange heartbeats while this thread stalls 150 ms, and the session polls at once,
    // before the event loop has handed the bytes over
    exchange.send(exchange.sequence());
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 150);
    router.poll();
    router.poll();
    await pumpUntil(router, 'the heartbeat', () => router.session.heartbeatsReceived > heartbeatsBefore);

    // then the session stayed up
    expect(exchange.terminates).toEqual([]);
    expect(router.session.disconnects).toBe(0);
  });

  it('still finds a dead exchange when polls come further apart than the keep-alive interval', async () => {
    // given an exchange that acknowledges but never sends anything after, polled every 30 ms with a 20 ms keep-alive
    const { exchange, router } = await start({}, { keepAliveIntervalMs: 20 });
    await pumpUntil(router, 'established', () => router.session.isEstablished);

    // when
    let polls = 0;
    while (router.session.disconnects === 0 && polls < 20) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      router.poll();
      polls++;
    }

    // then the silence was still counted, a poll at a time
    expect(router.session.disconnects).toBe(1);
    expect(polls).toBeLessThanOrEqual(10);
    await pumpUntil(router, 'the Terminate', () => exchange.terminates.length > 0);
    expect(exchange.terminates[0]).toBe(TerminateReason.Timeout);
  });

  it('gives up on an Establish that is never acknowledged, and retries', async () => {
    const { exchange, router } = await start({ acknowledgeEstablish: false }, { keepAliveIntervalMs: 20 });

    await pumpUntil(router, 'a second Establish', () => exchange.establishes.length >= 2);

    expect(router.session.lastError).toMatch(/^no EstablishmentAck for \d+ ms \(keep-alive interval 20 ms\)$/);
    expect(exchange.terminates[0]).toBe(TerminateReason.Timeout);
  });

  it('goes down when the exchange terminates the session, and comes back', async () => {
    const { exchange, router } = await start();
    await pumpUntil(router, 'established', () => router.session.isEstablished);

    exchange.send(exchange.terminate(TerminateReason.Finished));
    await pumpUntil(router, 'the session down', () => !router.session.isEstablished);
    expect(router.session.lastError).toBe('exchange terminated the session (Finished)');
    await pumpUntil(router, 'the session back', () => router.session.isEstablished);

    expect(router.session.reconnects).toBe(1);
  });

  it('retries a refused connection with exponential backoff, naming the error', async () => {
    const exchange = { port: await unusedPort() } as ExchangeFixture;
    const router = routerFor(exchange, { reconnectInitialMs: 1, reconnectMaxMs: 4 });
    cleanups.push(() => router.close());

    await pumpUntil(router, 'three attempts', () => router.session.connectAttempts >= 3);

    expect(router.session.lastError).toBe(`connect to exchange 127.0.0.1:${exchange.port} failed: connect 127.0.0.1:${exchange.port}: ECONNREFUSED (Connection refused)`);
    expect(router.session.state).not.toBe(SessionState.Established);
  });

  it('refuses orders, cancels and replaces with SessionDown while the session is down', async () => {
    // given a working order, then a dropped connection the exchange refuses to restore
    const { exchange, router, listener, entry } = await start();
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    const id = entry.newOrder({ securityId: 7, side: OrderSide.Buy, price: 100, quantity: 1 });
    await pumpUntil(router, 'the ack', () => listener.reports.length === 1);
    exchange.refuseConnections = true;
    exchange.dropConnection();
    await pumpUntil(router, 'the session down', () => !router.session.isEstablished);

    // when
    const results = [entry.newOrder({ securityId: 7, side: OrderSide.Sell, price: 100, quantity: 1 }), entry.cancel(id), entry.replace(id, 101, 1)];

    // then
    expect(results).toEqual([0, 0, 0]);
    expect(listener.rejects).toEqual([
      { clOrdId: 0, securityId: 7, reason: RejectReason.SessionDown, text: 'exchange session down' },
      { clOrdId: id, securityId: 7, reason: RejectReason.SessionDown, text: 'exchange session down' },
      { clOrdId: id, securityId: 7, reason: RejectReason.SessionDown, text: 'exchange session down' },
    ]);
    expect(router.counters.rejectCount(RejectReason.SessionDown)).toBe(3);
  });

  it('ignores an execution report whose SeqNum it has seen, and counts a jump in SeqNums', async () => {
    // given a working order
    const { exchange, router, listener, entry } = await start({ respond: 'none' });
    await pumpUntil(router, 'established', () => router.session.isEstablished);
    const id = entry.newOrder({ securityId: 7, side: OrderSide.Buy, price: 100, quantity: 4 });
    await pumpUntil(router, 'the order', () => exchange.newOrders.length === 1);
    const partialFill = (lastQty: number, leavesQty: number) =>
      exchange.executionReport({ clOrdId: id, securityId: 7, side: 1, execType: ExecType.PartialFill, ordStatus: 1, lastQty, leavesQty });

    // when the same fill arrives twice, then a fill after five missing SeqNums
    const fill = partialFill(1, 3);
    exchange.send(fill);
    exchange.send(fill);
    exchange.nextOutSeqNo += 5;
    exchange.send(partialFill(1, 2));
    await pumpUntil(router, 'the second fill', () => listener.reports.length === 2);

    // then
    expect(entry.position(7)).toBe(2);
    expect(router.session.duplicateInboundMessages).toBe(1);
    expect([router.session.inboundGaps, router.session.missedInboundMessages]).toEqual([1, 5]);
  });

  describe('bad bytes from the exchange', () => {
    async function establishedWithOrder() {
      const started = await start({ respond: 'none' });
      await pumpUntil(started.router, 'established', () => started.router.session.isEstablished);
      const id = started.entry.newOrder({ securityId: 7, side: OrderSide.Buy, price: 100, quantity: 1 });
      await pumpUntil(started.router, 'the order', () => started.exchange.newOrders.length === 1);
      const ack = () => started.exchange.executionReport({ clOrdId: id, securityId: 7, side: 1, execType: ExecType.New, ordStatus: 0, leavesQty: 1 });
      return { ...started, ack };
    }

    it('counts and skips messages it cannot decode, and goes on', async () => {
      // given
      const { exchange, router, listener, ack } = await establishedWithOrder();

      // when: an unknown template, a foreign schema, a block too short, a message shorter than its header
      exchange.send(rawMessage(4, 99, 8));
      exchange.send(rawMessage(4, ExecutionReportDecoder.TEMPLATE_ID, 77));
      exchange.send(rawMessage(10, ExecutionReportDecoder.TEMPLATE_ID, 8));
      exchange.send(rawMessage(ExecutionReportDecoder.BLOCK_LENGTH, ExecutionReportDecoder.TEMPLATE_ID, 8, 20));
      const tooShort = Buffer.from([7, 0, 0xfe, 0xca, 1, 2, 3]);
      exchange.send(tooShort);
      exchange.send(ack());
      await pumpUntil(router, 'the ack after the bad messages', () => listener.reports.length === 1);

      // then
      expect(router.session.malformedMessages).toBe(5);
      expect(router.session.isEstablished).toBe(true);
      expect(router.session.disconnects).toBe(0);
      expect(router.session.lastError).toMatch(/^skipped a message from the exchange at stream byte \d+: message of 3 bytes is shorter than its 8-byte SBE header$/);
    });

    it('names the field and stream byte of a block that does not fit', async () => {
      const { exchange, router } = await establishedWithOrder();
      const received = router.session.messagesReceived;

      exchange.send(rawMessage(10, ExecutionReportDecoder.TEMPLATE_ID, 8));
      await pumpUntil(router, 'the bad message', () => router.session.messagesReceived > received);

      expect(router.session.lastError).toMatch(/stream byte \d+: ExecutionReport blockLength 10 in a 18-byte message \(needs >= 76 and within the message\)$/);
    });

    it('terminates with ProtocolError on a frame that breaks the stream, then reconnects', async () => {
      // given
      const { exchange, router } = await establishedWithOrder();
      const bad = frame(4, () => {});
      bad.writeUInt16LE(0x1234, 2);

      // when
      exchange.send(bad);
      await pumpUntil(router, 'the session back', () => router.session.reconnects === 1 && router.session.isEstablished);

      // then
      expect(router.session.malformedFrames).toBe(1);
      expect(exchange.terminates).toEqual([TerminateReason.ProtocolError]);
      expect(router.session.lastError).toMatch(/^sofh: encoding type 0x1234 is not little-endian SBE at byte offset \d+ \(stream byte \d+\)$/);
    });

    it('waits for the rest of a frame split across reads', async () => {
      // given
      const { exchange, router, listener, ack } = await establishedWithOrder();
      const report = ack();
      const received = router.session.bytesReceived;

      // when the report arrives in three pieces: inside the SOFH header, inside the body, the rest
      for (const [from, to] of [[0, 2], [2, 30], [30, report.length]] as const) {
        exchange.send(report.subarray(from, to));
        await pumpUntil(router, `bytes up to ${to}`, () => router.session.bytesReceived === received + to);
        expect(listener.reports.length).toBe(to === report.length ? 1 : 0);
      }

      // then
      expect(listener.reports[0]!.execType).toBe(ExecType.New);
      expect(router.session.malformedMessages + router.session.malformedFrames).toBe(0);
    });
  });
});

describe('Backoff', () => {
  it('doubles from the initial delay up to the max, and starts over after reset', () => {
    const backoff = new Backoff(10, 50);

    const delays = [backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs(), backoff.nextDelayMs()];
    backoff.reset();

    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(backoff.nextDelayMs()).toBe(10);
  });

  it('rejects an initial delay above the max', () => {
    expect(() => new Backoff(100, 10)).toThrow('reconnect backoff needs 0 < initial <= max: initialMs=100 maxMs=10');
  });
});
