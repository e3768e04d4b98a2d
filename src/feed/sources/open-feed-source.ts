/** Opens the feed source a URL names (see feed-url.ts for the forms). */
import type { FeedSource } from '../datagram.js';
import { parseFeedUrl, type FeedAddress } from '../feed-url.js';
import { PacketSource } from './packet-source.js';
import { PcapSource } from './pcap-source.js';
import { ShmSource } from './shm-source.js';
import { UdpSource, type UdpSourceOptions } from './udp-source.js';

export interface FeedSourceOptions extends Omit<UdpSourceOptions, 'line'> {
  /** 0 = line A (default), 1 = line B. */
  line?: number;
}

/** Throws FeedUrlError for a bad URL, and an error naming the URL when the source cannot be opened. */
export function openFeedSource(url: string, options: FeedSourceOptions = {}): FeedSource {
  const address = parseFeedUrl(url);
  try {
    return openAddress(url, address, options.line ?? 0, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`feed ${url}: cannot open: ${reason}`, { cause: error });
  }
}

function openAddress(url: string, address: FeedAddress, line: number, options: FeedSourceOptions): FeedSource {
  switch (address.kind) {
    case 'udp':
      return UdpSource.open(url, address, { ...options, line });
    case 'packet':
      return PacketSource.open(url, address.interfaceName, address.port, line);
    case 'shm':
      return ShmSource.open(url, address.name, line);
    case 'pcap':
      return PcapSource.open(url, address.path, line);
  }
}
