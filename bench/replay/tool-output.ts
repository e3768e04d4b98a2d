/**
 * Reads the figures the two senders print: `zerotick replay`'s summary (src/cli/replay.ts) and
 * tcpreplay's statistics. Each tool's own count and rate are taken, so neither is timed with
 * its process start-up.
 */

export interface SenderFigures {
  packets: number;
  packetsPerSecond: number;
}

/** "sent 1000000 packets (...)" and "elapsed 3.642 s: 274,573 packets/s, ..." */
const ZEROTICK_SENT = /^sent (\d+) packets\b/m;
const ZEROTICK_RATE = /^elapsed [\d.]+ s: ([\d,]+) packets\/s/m;
/** "Actual: 1000000 packets (142000000 bytes) sent in 2.88 seconds" and "Rated: 49159681.0 Bps, 393.27 Mbps, 346194.93 pps" */
const TCPREPLAY_SENT = /^Actual: (\d+) packets\b/m;
const TCPREPLAY_RATE = /^Rated: .*?([\d.]+) pps/m;

export function parseZerotickSummary(stdout: string): SenderFigures {
  return figures('zerotick replay', stdout, ZEROTICK_SENT, ZEROTICK_RATE);
}

export function parseTcpreplayStatistics(stdout: string): SenderFigures {
  return figures('tcpreplay', stdout, TCPREPLAY_SENT, TCPREPLAY_RATE);
}

function figures(tool: string, stdout: string, sent: RegExp, rate: RegExp): SenderFigures {
  const packets = sent.exec(stdout)?.[1];
  const packetsPerSecond = rate.exec(stdout)?.[1];
  if (packets === undefined || packetsPerSecond === undefined) {
    throw new Error(`bench replay: no packet count and rate in ${tool}'s output: ${JSON.stringify(stdout.slice(0, 400))}`);
  }
  return { packets: Number(packets), packetsPerSecond: Number(packetsPerSecond.replaceAll(',', '')) };
}
