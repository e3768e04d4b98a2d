/** `pcap` mode: the simulator replays a recorded MDP3 capture instead of its synthetic market. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Side } from '../../src/generated/order-entry/index.js';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';
import { PcapWriter } from '../../src/io/pcap-writer.js';
import { startSimulator } from '../../src/sim/simulator.js';
import { FeedCapture } from './support/feed-capture.js';
import { OrderClient } from './support/order-client.js';

const peerMdp3 = fileURLToPath(new URL('../../../shared/peer/mdp3/', import.meta.url));
const RECORDED = ['Book', 'TradeSummary', 'Volume', 'OrderBook'].map((name) => join(peerMdp3, `v1.9-MdIncrementalRefresh${name}.pcap`));
const addressing = { sourceAddress: parseIpv4('10.0.0.1'), sourcePort: 5000, destinationAddress: parseIpv4('224.0.31.1'), destinationPort: 14310 };

const workDirectory = mkdtempSync(join(tmpdir(), 'zerotick-sim-replay-'));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterEach(() => rmSync(workDirectory, { recursive: true, force: true }));

/** The UDP payloads of the real CME captures, and one capture file holding them all. */
function recordedFeed(): { payloads: Buffer[]; path: string } {
  const payloads: Buffer[] = [];
  for (const file of RECORDED) {
    const reader = CaptureReader.open(file);
    const datagram = new UdpDatagram();
    while (reader.next(datagram)) payloads.push(Buffer.from(reader.bytes.subarray(datagram.payloadOffset, datagram.payloadOffset + datagram.payloadLength)));
  }
  const writer = new PcapWriter();
  payloads.forEach((payload, index) => writer.writeUdp(payload, 1_700_000_000, index, addressing));
  const path = join(workDirectory, 'recorded.pcap');
  writeFileSync(path, writer.bytes());
  return { payloads, path };
}

describe('capture replay', () => {
  it('sends each recorded packet unchanged, once, and measures tick-to-trade against the recorded sequence numbers', async () => {
    // given
    const { payloads, path } = recordedFeed();
    const capture = await FeedCapture.open();
    cleanups.push(() => capture.close());
    const logged: string[] = [];
    const simulator = await startSimulator({ feeds: [capture.url], pcap: path, rate: 1000, log: (line) => logged.push(line) });
    cleanups.push(() => simulator.stop());
    // when
    await capture.waitFor(payloads.length);
    const client = await OrderClient.connect(simulator.orderEntry.port);
    cleanups.push(() => client.close());
    client.establish(1, 1);
    await client.next('EstablishmentAck');
    const triggerSeqNum = payloads[0]!.readUInt32LE(0);
    client.newOrder({ seqNum: 1, clOrdId: 1, securityId: 12345, side: Side.Buy, price: 1_000_000_000, quantity: 1, triggerSeqNum });
    // then
    expect((await client.next()).fields).toMatchObject({ ExecType: 'Rejected', OrdRejReason: 'UnknownSecurity' });
    expect(capture.packets.map((packet) => packet.toString('hex'))).toEqual(payloads.map((payload) => payload.toString('hex')));
    expect(simulator.instruments).toEqual([]);
    expect(simulator.tickToTrade().count).toBe(1);
    expect(simulator.counters().packetsSent).toBe(payloads.length);
    expect(logged).toContain(`capture ${path} finished: ${payloads.length} packets replayed, 0 skipped`);
  });
});
