import { describe, expect, it } from 'vitest';
import { socketDrops } from '../../bench/replay/sink.js';
import { parseTcpreplayStatistics, parseZerotickSummary } from '../../bench/replay/tool-output.js';

describe("the replay bench's reading of each sender's figures", () => {
  it("reads zerotick replay's summary: packets sent and the rate with its thousands separators", () => {
    // given
    const stdout = [
      'sent 1000000 packets (100.00 MB of UDP payload) to 1 destination: 1000000 datagrams in 15625 batches, 5 passes',
      'elapsed 3.642 s: 1,274,573 packets/s, 219.66 Mbit/s of payload',
      '',
    ].join('\n');
    // when / then
    expect(parseZerotickSummary(stdout)).toEqual({ packets: 1_000_000, packetsPerSecond: 1_274_573 });
  });

  it("reads tcpreplay's statistics: the Actual packet count and the Rated pps", () => {
    const stdout = [
      'Actual: 1000000 packets (142000000 bytes) sent in 2.88 seconds',
      'Rated: 49159681.0 Bps, 393.27 Mbps, 346194.93 pps',
      'Flows: 1 flows, 0.34 fps, 200000 unique flow packets, 0 unique non-flow packets',
      'Statistics for network device: lo',
      '\tSuccessful packets:        1000000',
    ].join('\n');
    expect(parseTcpreplayStatistics(stdout)).toEqual({ packets: 1_000_000, packetsPerSecond: 346194.93 });
  });

  it('says which tool printed something else, quoting it', () => {
    expect(() => parseTcpreplayStatistics('tcpreplay: Unable to open interface lo\n')).toThrow(/tcpreplay's output: "tcpreplay: Unable to open interface lo/);
    expect(() => parseZerotickSummary('')).toThrow(/zerotick replay's output/);
  });
});

describe("the sink's drop count, from /proc/net/udp", () => {
  const procNetUdp = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  104: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 20431 2 0000000000000000 0',
    ' 2631: 00000000:B799 00000000:0000 07 00000000:0000FA00 00:00000000 00000000     0        0 987654 2 0000000000000000 1234567',
    '',
  ].join('\n');

  it('reads the drops of the socket on the port (hex 0xB799 = 47001)', () => {
    expect(socketDrops(procNetUdp, 47001)).toBe(1_234_567);
    expect(socketDrops(procNetUdp, 53)).toBe(0);
  });

  it('says when no socket has the port', () => {
    expect(() => socketDrops(procNetUdp, 9)).toThrow(/no socket on port 9/);
  });
});
