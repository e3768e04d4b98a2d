import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYLOAD_BYTES, REALISTIC_GAPS, writeBackToBackCapture, writeRealisticCapture } from '../../bench/replay/captures.js';
import { parseIpv4 } from '../../src/io/ipv4.js';
import { ETHERNET_ADDRESS_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH } from '../../src/io/pcap-format.js';
import { CaptureReader, UdpDatagram } from '../../src/io/pcap.js';

const directory = mkdtempSync(path.join(tmpdir(), 'replay-captures-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const destination = { host: '192.0.2.2', port: 47001 };

/** Every datagram of a capture as our reader sees it; times in ns from the first (exact: epoch ns would round). */
function readAll(file: string): Array<{ timeNs: number; payloadLength: number; destinationAddress: number; destinationPort: number }> {
  const reader = CaptureReader.map(file);
  const datagram = new UdpDatagram();
  const datagrams = [];
  let firstSeconds: number | undefined;
  while (reader.next(datagram)) {
    firstSeconds ??= datagram.timestampSeconds;
    const { payloadLength, destinationAddress, destinationPort } = datagram;
    datagrams.push({ timeNs: (datagram.timestampSeconds - firstSeconds) * 1e9 + datagram.timestampNanoseconds, payloadLength, destinationAddress, destinationPort });
  }
  reader.close();
  return datagrams;
}

describe("the replay bench's captures", () => {
  it('hold the goal datagrams: 100 bytes of payload to the destination, 1 us apart at max speed', () => {
    // when
    const capture = writeBackToBackCapture(path.join(directory, 'max.pcap'), 50, destination);
    // then
    const datagrams = readAll(capture.path);
    expect(datagrams).toHaveLength(50);
    for (const datagram of datagrams) {
      expect(datagram).toMatchObject({ payloadLength: PAYLOAD_BYTES, destinationAddress: parseIpv4('192.0.2.2'), destinationPort: 47001 });
    }
    expect(datagrams[49]!.timeNs - datagrams[0]!.timeNs).toBe(49_000);
    expect(capture.spanNs).toBe(49_000);
  });

  it("address their frames to lo's own MAC (all zeros), so frames injected on lo reach IP", () => {
    const capture = writeBackToBackCapture(path.join(directory, 'mac.pcap'), 1, destination);
    const frameOffset = PCAP_FILE_HEADER_LENGTH + PCAP_RECORD_HEADER_LENGTH;
    expect([...readFileSync(capture.path).subarray(frameOffset, frameOffset + ETHERNET_ADDRESS_LENGTH)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('draw the paced gaps from the bands, the same file for the same seed', () => {
    // when
    const first = writeRealisticCapture(path.join(directory, 'paced-a.pcap'), 2000, destination, 7);
    const second = writeRealisticCapture(path.join(directory, 'paced-b.pcap'), 2000, destination, 7);
    // then
    expect(readFileSync(first.path).equals(readFileSync(second.path))).toBe(true);
    const times = readAll(first.path).map((datagram) => datagram.timeNs);
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    const lowest = Math.min(...REALISTIC_GAPS.map((band) => band.minNs));
    const highest = Math.max(...REALISTIC_GAPS.map((band) => band.maxNs));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(lowest);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(highest);
    const busyWaited = gaps.filter((gap) => gap <= REALISTIC_GAPS[0]!.maxNs).length / gaps.length;
    expect(busyWaited).toBeGreaterThan(0.95); // the first band's 97%, give or take the draw
    expect(first.spanNs).toBe(times.at(-1)! - times[0]!);
  });
});
