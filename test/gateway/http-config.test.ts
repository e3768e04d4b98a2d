import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadGatewayConfig } from '../../src/gateway/config.js';

const directory = mkdtempSync(join(tmpdir(), 'zerotick-http-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function configWithHttp(http: unknown): string {
  const path = join(directory, 'gateway.json');
  writeFileSync(path, JSON.stringify({ feeds: ['udp://127.0.0.1:14310'], exchange: 'tcp://127.0.0.1:9100', http }));
  return path;
}

describe('gateway config: http', () => {
  it('takes "host:port", or { listen, token } where token enables the POST routes', () => {
    expect(loadGatewayConfig({ config: configWithHttp('127.0.0.1:9080') }).http).toEqual({ host: '127.0.0.1', port: 9080 });
    expect(loadGatewayConfig({ config: configWithHttp({ listen: '127.0.0.1:9080', token: 'abc' }) }).http).toEqual({ host: '127.0.0.1', port: 9080, token: 'abc' });
    expect(loadGatewayConfig({ config: configWithHttp({ token: 'abc' }) }).http).toEqual({ host: '127.0.0.1', port: 8080, token: 'abc' });
  });

  it('names the key of a bad token, a bad listen address and an unknown key', () => {
    try {
      loadGatewayConfig({ config: configWithHttp({ listen: 'nowhere', token: 7, tokn: 'x' }) });
      expect.unreachable('a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'gateway.json: http.tokn: unknown key (known: listen, token)',
        'gateway.json: http.listen: "nowhere" is not host:port (e.g. 127.0.0.1:8080)',
        'gateway.json: http.token: must be a non-empty string',
      ]);
    }
  });
});
