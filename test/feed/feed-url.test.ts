/** Feed URLs: what each form opens, and an error naming the URL and the problem for a bad one. */
import { describe, expect, it } from 'vitest';
import { FeedUrlError, parseFeedUrl } from '../../src/feed/feed-url.js';

describe('parseFeedUrl', () => {
  it.each([
    ['udp://127.0.0.1:9000', { kind: 'udp', host: '127.0.0.1', port: 9000, multicast: false }],
    ['udp://localhost:0', { kind: 'udp', host: 'localhost', port: 0, multicast: false }],
    ['udp://239.1.2.3:14310?iface=lo', { kind: 'udp', host: '239.1.2.3', port: 14310, multicast: true, interfaceName: 'lo' }],
    ['udp://233.72.75.1:14310?iface=eth0&source=10.0.0.5', { kind: 'udp', host: '233.72.75.1', port: 14310, multicast: true, interfaceName: 'eth0', source: '10.0.0.5' }],
    ['udp://127.0.0.1:9000?rcvbuf=4m', { kind: 'udp', host: '127.0.0.1', port: 9000, multicast: false, receiveBufferBytes: 4 * 1024 * 1024 }],
    ['udp://127.0.0.1:9000?rcvbuf=512k', { kind: 'udp', host: '127.0.0.1', port: 9000, multicast: false, receiveBufferBytes: 512 * 1024 }],
    ['udp://239.1.2.3:14310?iface=lo&rcvbuf=212992', { kind: 'udp', host: '239.1.2.3', port: 14310, multicast: true, interfaceName: 'lo', receiveBufferBytes: 212992 }],
    ['packet://lo:14310', { kind: 'packet', interfaceName: 'lo', port: 14310 }],
    ['shm://feed-a', { kind: 'shm', name: 'feed-a' }],
    ['pcap:../shared/peer/mdp3/v1.9-MdIncrementalRefreshBook.pcap', { kind: 'pcap', path: '../shared/peer/mdp3/v1.9-MdIncrementalRefreshBook.pcap' }],
  ])('%s', (url, expected) => {
    expect(parseFeedUrl(url)).toEqual(expected);
  });

  it.each([
    ['tcp://127.0.0.1:9000', "unknown scheme 'tcp': expected udp://, packet://, shm:// or pcap:"],
    ['127.0.0.1:9000', 'unknown scheme: expected'],
    ['udp://127.0.0.1', "expected host:port, got '127.0.0.1'"],
    ['udp://127.0.0.1:70000', "port '70000' is not a number in 0..65535"],
    ['udp://127.0.0.1:x1', "port 'x1' is not a number"],
    ['udp://bad_host!:9000', "'bad_host!' is not an IPv4 address or host name"],
    ['udp://239.1.2.3:9000', 'multicast group 239.1.2.3 needs the interface to join it on (?iface=eth0)'],
    ['udp://127.0.0.1:9000?source=10.0.0.1', 'source= needs a multicast group, and 127.0.0.1 is not one'],
    ['udp://239.1.2.3:9000?iface=lo&source=nope', "source 'nope' is not an IPv4 address"],
    ['udp://127.0.0.1:9000?iface=lo', 'iface= names the interface to join a multicast group on, and 127.0.0.1 is not one'],
    ['udp://127.0.0.1:9000?ifase=lo', "unknown parameter 'ifase' (known: iface, source, rcvbuf)"],
    ['udp://127.0.0.1:9000?rcvbuf=0', "rcvbuf '0' is not a size in bytes up to 1024m (e.g. 4194304, 4096k or 4m)"],
    ['udp://127.0.0.1:9000?rcvbuf=4g', "rcvbuf '4g' is not a size in bytes"],
    ['udp://127.0.0.1:9000?rcvbuf=2048m', "rcvbuf '2048m' is not a size in bytes"],
    ['udp://127.0.0.1:9000?rcvbuf=', "rcvbuf '' is not a size in bytes"],
    ['packet://lo:0', 'port 0 cannot be filtered on'],
    ['packet://:14310', "expected interface:port, got ':14310'"],
    ['shm://../etc/passwd', "ring name '../etc/passwd' must be letters, digits"],
    ['pcap:', 'the capture file path is missing'],
  ])('%s is refused: %s', (url, problem) => {
    const error = captureError(() => parseFeedUrl(url));
    expect(error).toBeInstanceOf(FeedUrlError);
    expect(error.message).toContain(`feed URL ${JSON.stringify(url)}: `);
    expect(error.message).toContain(problem);
    expect((error as FeedUrlError).url).toBe(url);
  });
});

function captureError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
