/**
 * The tick-to-trade bench's C programs over loopback, against the gateway's own codecs: the
 * exchange's probe packets are what the MDP 3.0 handler reads as a book, the C responder answers
 * every packet with an order carrying its MsgSeqNum, and the histogram files the suite writes
 * are read back by hdr-histogram-js.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cProgram } from '../../bench/io/receivers.js';
import { ManagedProcess } from '../../bench/lib/managed-process.js';
import { benchDirectory } from '../../bench/lib/paths.js';
import { Exchange } from '../../bench/t2t/exchange.js';
import { newLatencyHistogram, recordLatencies, writeHistogramFiles } from '../../bench/t2t/latency.js';
import { unusedPort } from '../../bench/t2t/responders.js';
import { ReceiveTime } from '../../src/feed/datagram.js';
import { Mdp3Handler, type MarketDataListener } from '../../src/feed/mdp3-handler.js';
import type { Book } from '../../src/feed/market-data.js';
import { ShmRing, shmRingPath } from '../../src/io/shm-ring.js';

/** Generous: a loaded machine may stall either process, and a late order must not count as lost here. */
const DRAIN_MS = 5_000;
const PACKETS = 500;
const INTERVAL_NS = 100_000;
/** The probe's prices (bench/c/t2t_exchange.c): a bid walking over 16 ticks of 0.25 from 4500, the offer a tick above. */
const BASE_PRICE = 4_500_000_000_000;
const TICK = 250_000_000;
/** MDP 3.0 packet header, MsgSize, SBE header, Book46 block, 4 entries, empty order-id group (bench/c/t2t_wire.h). */
const PROBE_PACKET_LENGTH = 172;

function bidOf(seqNum: number): number {
  return BASE_PRICE + (seqNum % 16) * TICK;
}

beforeAll(() => {
  const make = spawnSync('make', ['-s', '-C', benchDirectory, 'build/t2t_exchange', 'build/t2t_responder'], { encoding: 'utf8' });
  expect(make.status, make.stderr).toBe(0);
});

describe('the C exchange and the C reference responder', () => {
  let exchange: Exchange;
  let responder: ManagedProcess;

  beforeAll(async () => {
    const port = await unusedPort('udp');
    exchange = await Exchange.start('test', { kind: 'udp', port }, DRAIN_MS, undefined);
    // A 4 MiB receive buffer: a stall of the responder must not drop packets in this test.
    const args = ['--feed-port', String(port), '--exchange', `127.0.0.1:${exchange.tcpPort}`, '--rcvbuf', String(4 << 20)];
    responder = new ManagedProcess('t2t_responder', cProgram('t2t_responder'), args, undefined);
    await responder.nextMessage();
  });

  afterAll(async () => {
    await responder?.stop();
    await exchange?.stop();
  });

  it('answers every packet with one order whose TriggerSeqNum is the packet and whose price is the touch', async () => {
    // given an established session
    expect(await exchange.waitEstablished(10_000)).toBe(true);

    // when the exchange publishes PACKETS probe packets
    const { report, latencyNs } = await exchange.trial(PACKETS, INTERVAL_NS);

    // then each got exactly one order, priced at the offer (buy) or the bid (sell) of its packet
    expect(report).toMatchObject({ sent: PACKETS, matched: PACKETS, lost: 0, duplicates: 0, priceMismatches: 0, sendErrors: 0 });
    expect(latencyNs).toHaveLength(PACKETS);
    expect(Array.from(latencyNs).every((latency) => latency > 0n)).toBe(true);
  });

  it('numbers packets on across trials, so a gateway sees one unbroken feed', async () => {
    const first = await exchange.trial(10, INTERVAL_NS);
    const second = await exchange.trial(10, INTERVAL_NS);

    expect(second.report.firstSeqNum).toBe(first.report.firstSeqNum + 10);
    expect(second.report).toMatchObject({ matched: 10, late: 0 });
  });

  it('writes .hgrm and .hlog files that hdr-histogram-js reads back', async () => {
    // given a histogram of a trial's latencies
    const { latencyNs } = await exchange.trial(200, INTERVAL_NS);
    const histogram = newLatencyHistogram();
    expect(recordLatencies(histogram, latencyNs)).toBe(0);
    const directory = mkdtempSync(path.join(os.tmpdir(), 'zerotick-t2t-test-'));
    try {
      // when it is written
      const files = writeHistogramFiles(histogram, directory, 't2t-test', 'test');

      // then the .hlog's interval is the same histogram
      const reader = new hdr.HistogramLogReader(readFileSync(files.hlog, 'utf8'));
      const readBack = reader.nextIntervalHistogram();
      expect(readBack?.totalCount).toBe(200);
      expect(readBack?.getValueAtPercentile(99)).toBe(histogram.getValueAtPercentile(99));
      expect(readBack?.getValueAtPercentile(100)).toBe(histogram.getValueAtPercentile(100));
      // and the .hgrm ends with HdrHistogram's summary, in microseconds
      const hgrm = readFileSync(files.hgrm, 'utf8');
      expect(hgrm).toContain('Value     Percentile TotalCount 1/(1-Percentile)');
      const summary = /#\[Max\s*=\s*([0-9.]+), Total count\s*=\s*(\d+)\]/.exec(hgrm);
      expect(Number(summary?.[2])).toBe(200);
      const maxUs = Number(summary?.[1]);
      expect(maxUs).toBeCloseTo(histogram.maxValue / 1000, 0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('the SPSC ring the exchange writes', () => {
  it('hands zerotick\'s ring reader every packet it did not drop as full, in order, across many wraps', async () => {
    // given an exchange writing into a ring of room for about 11 packets, and zerotick's reader on it
    const name = `t2t-test-${process.pid}`;
    const exchange = await Exchange.start('ring', { kind: 'shm', name, capacityBytes: 2048 }, 20, undefined);
    const ring = ShmRing.open(shmRingPath(name));
    const seqNums: number[] = [];
    let badLengths = 0;
    const take = (view: DataView, offset: number, length: number): void => {
      if (length !== PROBE_PACKET_LENGTH) badLengths++;
      seqNums.push(view.getUint32(offset, true));
    };
    let reading = true;
    const reader = (async () => {
      while (reading) {
        ring.read(take, 64);
        await new Promise((resolve) => setImmediate(resolve));
      }
      while (ring.size() > 0) ring.read(take, 64); // a read stops at the wrap: what is left after the trial
    })();
    try {
      // when it publishes 500 packets, one every 100 us
      const { report } = await exchange.trial(500, 100_000);
      reading = false;
      await reader;

      // then what was not dropped arrived whole and in MsgSeqNum order
      expect(badLengths).toBe(0);
      expect(seqNums.length + report.ringFull).toBe(500);
      expect(seqNums.length).toBeGreaterThan(11);
      expect(seqNums.every((seqNum, index) => index === 0 || seqNum > seqNums[index - 1]!)).toBe(true);
    } finally {
      ring.close();
      await exchange.stop();
    }
  });
});

describe('the probe packet', () => {
  it('is a book update the gateway reads: the bid and offer of its MsgSeqNum at the top of one book', async () => {
    // given a socket standing in for the gateway, and an exchange publishing to it
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const packets: Buffer[] = [];
    socket.on('message', (message) => packets.push(message));
    const exchange = await Exchange.start('probe', { kind: 'udp', port: socket.address().port }, 50, undefined);
    try {
      // when it publishes three packets (nobody answers them)
      await exchange.trial(3, INTERVAL_NS);
      await new Promise((resolve) => setTimeout(resolve, 50));

      // then the MDP 3.0 handler takes each whole and publishes one book per packet
      const books: Array<{ seqNum: number; securityId: number; bid: number; offer: number; levels: number }> = [];
      const listener: MarketDataListener = {
        onMessage: () => {},
        onBook: (book: Book, packet) => books.push({ seqNum: packet.seqNum, securityId: book.securityId, bid: book.bids.price(0), offer: book.asks.price(0), levels: book.bids.levelCount + book.asks.levelCount }),
        onGap: () => {},
        onChannelReset: () => {},
      };
      const handler = new Mdp3Handler({ listener });
      for (const packet of packets) handler.onDatagram(new DataView(packet.buffer, packet.byteOffset, packet.byteLength), 0, packet.byteLength, ReceiveTime.of(0), 0);
      expect(handler.counters.bookEntriesRejected).toBe(0);
      expect(books).toEqual([1, 2, 3].map((seqNum) => ({ seqNum, securityId: 1, bid: bidOf(seqNum), offer: bidOf(seqNum) + TICK, levels: 2 })));
    } finally {
      await exchange.stop();
      socket.close();
    }
  });
});
