/**
 * The simulator's addresses as the command line and options give them: `udp://A.B.C.D:port`
 * (with `?iface=NAME`, e.g. `lo`, for the interface multicast leaves by, as the feed handler's
 * URLs name it) and `tcp://host:port`. Errors name the option and say what was expected.
 */
import { isIPv4 } from 'node:net';

export interface UdpEndpoint {
  host: string;
  port: number;
  /** Name of the interface multicast leaves by (IP_MULTICAST_IF), e.g. 'lo' or 'eth0'. */
  multicastInterface?: string;
}

export interface TcpEndpoint {
  host: string;
  port: number;
}

export class EndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointError';
  }
}

export function parseUdpEndpoint(text: string, what: string): UdpEndpoint {
  const url = parseUrl(text, 'udp', what);
  const host = hostOf(url, text, what);
  // The native sender takes addresses only: no name lookup on the feed's path.
  if (!isIPv4(host)) throw new EndpointError(`${what}: host must be an IPv4 address (unicast or multicast group), got '${host}' in '${text}'`);
  const endpoint: UdpEndpoint = { host, port: portOf(url, text, what, false) };
  const multicastInterface = url.searchParams.get('iface');
  if (multicastInterface !== null) {
    if (multicastInterface === '') throw new EndpointError(`${what}: iface needs an interface name (e.g. lo) in '${text}'`);
    endpoint.multicastInterface = multicastInterface;
  }
  return endpoint;
}

/** `tcp://host:port`; port 0 means any free port. */
export function parseTcpEndpoint(text: string, what: string): TcpEndpoint {
  const url = parseUrl(text, 'tcp', what);
  return { host: hostOf(url, text, what), port: portOf(url, text, what, true) };
}

export function isMulticastAddress(host: string): boolean {
  if (!isIPv4(host)) return false;
  const firstOctet = Number(host.split('.')[0]);
  return firstOctet >= 224 && firstOctet <= 239;
}

export function formatEndpoint(scheme: 'udp' | 'tcp', endpoint: { host: string; port: number }): string {
  return `${scheme}://${endpoint.host}:${endpoint.port}`;
}

function parseUrl(text: string, scheme: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EndpointError(`${what}: expected ${scheme}://host:port, got '${text}'`);
  }
  if (url.protocol !== `${scheme}:`) throw new EndpointError(`${what}: expected ${scheme}://host:port, got '${text}'`);
  return url;
}

function hostOf(url: URL, text: string, what: string): string {
  const host = url.hostname;
  if (host === '') throw new EndpointError(`${what}: no host in '${text}'`);
  return host;
}

function portOf(url: URL, text: string, what: string, allowZero: boolean): number {
  const port = url.port === '' ? Number.NaN : Number(url.port);
  if (!Number.isInteger(port) || port > 65535 || (port === 0 && !allowZero)) {
    throw new EndpointError(`${what}: port must be ${allowZero ? '0' : '1'}-65535 in '${text}'`);
  }
  return port;
}
