/**
 * Feed URLs: how the config and the command line name a source of datagrams.
 *
 *   udp://host:port[?iface=NAME][&source=ADDR]   unicast, or a multicast group (joined on `iface`,
 *         [&rcvbuf=SIZE]                         source-specific when `source` is given); rcvbuf:
 *                                                the socket's receive buffer (SO_RCVBUF), in bytes
 *                                                or with k/m (4m), the kernel's default otherwise
 *   packet://iface:port                          AF_PACKET ring on `iface` for UDP port `port`
 *   shm://name                                   SPSC ring /dev/shm/zerotick-<name>
 *   pcap:path                                    a recorded capture file (pcap or pcapng)
 *
 * Parsing is cold-path code: every problem throws a FeedUrlError naming the URL and what is wrong.
 */

export type FeedAddress =
  | { kind: 'udp'; host: string; port: number; multicast: boolean; interfaceName?: string; source?: string; receiveBufferBytes?: number }
  | { kind: 'packet'; interfaceName: string; port: number }
  | { kind: 'shm'; name: string }
  | { kind: 'pcap'; path: string };

export class FeedUrlError extends Error {
  readonly url: string;

  constructor(url: string, problem: string) {
    super(`feed URL ${JSON.stringify(url)}: ${problem}`);
    this.name = 'FeedUrlError';
    this.url = url;
  }
}

const SCHEMES = 'udp://, packet://, shm:// or pcap:';
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const INTERFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;
const SHM_NAME = /^[A-Za-z0-9._-]+$/;
const UDP_PARAMETERS: ReadonlySet<string> = new Set(['iface', 'source', 'rcvbuf']);
const BYTE_SIZE = /^([1-9]\d*)([km]?)$/;
const BYTE_SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024 };
/** A sanity bound: SO_RCVBUF takes an int, which the kernel doubles (and clamps); no feed needs more. */
const MAX_RECEIVE_BUFFER_BYTES = 1024 * 1024 * 1024;

export function parseFeedUrl(url: string): FeedAddress {
  if (url.startsWith('pcap:')) return parsePcap(url);
  const schemeEnd = url.indexOf('://');
  const scheme = schemeEnd < 0 ? '' : url.slice(0, schemeEnd);
  const rest = schemeEnd < 0 ? '' : url.slice(schemeEnd + 3);
  switch (scheme) {
    case 'udp':
      return parseUdp(url, rest);
    case 'packet':
      return parsePacket(url, rest);
    case 'shm':
      return parseShm(url, rest);
    default:
      throw new FeedUrlError(url, `unknown scheme${scheme === '' ? '' : ` '${scheme}'`}: expected ${SCHEMES}`);
  }
}

function parsePcap(url: string): FeedAddress {
  const path = url.slice('pcap:'.length);
  if (path === '') throw new FeedUrlError(url, 'the capture file path is missing (pcap:path/to/file.pcap)');
  return { kind: 'pcap', path };
}

function parseUdp(url: string, rest: string): FeedAddress {
  const queryStart = rest.indexOf('?');
  const authority = queryStart < 0 ? rest : rest.slice(0, queryStart);
  const { host, port } = splitHostPort(url, authority, 'host');
  if (!IPV4.test(host) && !HOST_NAME.test(host)) throw new FeedUrlError(url, `'${host}' is not an IPv4 address or host name`);
  const parameters = new URLSearchParams(queryStart < 0 ? '' : rest.slice(queryStart + 1));
  for (const key of parameters.keys()) {
    if (!UDP_PARAMETERS.has(key)) throw new FeedUrlError(url, `unknown parameter '${key}' (known: ${[...UDP_PARAMETERS].join(', ')})`);
  }
  const interfaceName = parameters.get('iface') ?? undefined;
  const source = parameters.get('source') ?? undefined;
  if (interfaceName !== undefined && !INTERFACE_NAME.test(interfaceName)) {
    throw new FeedUrlError(url, `iface '${interfaceName}' is not an interface name`);
  }
  if (source !== undefined && !IPV4.test(source)) throw new FeedUrlError(url, `source '${source}' is not an IPv4 address`);
  const receiveBuffer = parameters.get('rcvbuf') ?? undefined;
  const receiveBufferBytes = receiveBuffer === undefined ? undefined : parseByteSize(url, receiveBuffer);
  const multicast = isMulticast(host);
  if (!multicast && source !== undefined) throw new FeedUrlError(url, `source= needs a multicast group, and ${host} is not one`);
  if (!multicast && interfaceName !== undefined) {
    throw new FeedUrlError(url, `iface= names the interface to join a multicast group on, and ${host} is not one`);
  }
  if (multicast && interfaceName === undefined) {
    throw new FeedUrlError(url, `multicast group ${host} needs the interface to join it on (?iface=eth0)`);
  }
  return {
    kind: 'udp',
    host,
    port,
    multicast,
    ...(interfaceName === undefined ? {} : { interfaceName }),
    ...(source === undefined ? {} : { source }),
    ...(receiveBufferBytes === undefined ? {} : { receiveBufferBytes }),
  };
}

/** "4194304", "4096k", "4m" -> bytes, at most 1 GiB. */
function parseByteSize(url: string, text: string): number {
  const match = BYTE_SIZE.exec(text);
  const bytes = match === null ? Number.NaN : Number(match[1]) * BYTE_SIZE_UNITS[match[2]!]!;
  if (!(bytes <= MAX_RECEIVE_BUFFER_BYTES)) throw new FeedUrlError(url, `rcvbuf '${text}' is not a size in bytes up to 1024m (e.g. 4194304, 4096k or 4m)`);
  return bytes;
}

function parsePacket(url: string, rest: string): FeedAddress {
  const { host: interfaceName, port } = splitHostPort(url, rest, 'interface');
  if (!INTERFACE_NAME.test(interfaceName)) throw new FeedUrlError(url, `'${interfaceName}' is not an interface name`);
  if (port === 0) throw new FeedUrlError(url, 'port 0 cannot be filtered on: give the feed port');
  return { kind: 'packet', interfaceName, port };
}

function parseShm(url: string, name: string): FeedAddress {
  if (!SHM_NAME.test(name)) throw new FeedUrlError(url, `ring name '${name}' must be letters, digits, '.', '_' or '-'`);
  return { kind: 'shm', name };
}

function splitHostPort(url: string, authority: string, hostWord: string): { host: string; port: number } {
  const colon = authority.lastIndexOf(':');
  if (colon <= 0) throw new FeedUrlError(url, `expected ${hostWord}:port, got '${authority}'`);
  const portText = authority.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new FeedUrlError(url, `port '${portText}' is not a number in 0..65535`);
  return { host: authority.slice(0, colon), port };
}

/** 224.0.0.0/4. */
function isMulticast(host: string): boolean {
  if (!IPV4.test(host)) return false;
  const firstOctet = Number(host.slice(0, host.indexOf('.')));
  return firstOctet >= 224 && firstOctet <= 239;
}
