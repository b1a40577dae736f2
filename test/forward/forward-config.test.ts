/**
 * forward's directive parsing: defaults, every option, and errors that name file and line.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/errors.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { directive } from '../upstreams/chain-harness.js';

const block = { zones: [''], port: 53, server: 'dns://:53' };

function parse(args: string[], options: ReturnType<typeof directive>[] = []) {
  return forwardSetup.parse(directive('forward', args, options, 7), block);
}

function rejects(
  args: string[],
  options: ReturnType<typeof directive>[],
  pattern: RegExp,
  code: string,
): void {
  assert.throws(
    () => parse(args, options),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, code);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('forward config', () => {
  it('has CoreDNS defaults', () => {
    const c = parse([
      '.',
      '10.0.0.2',
      '10.0.0.3:5353',
      '[::1]:53',
      'dns://127.0.0.1',
      'tls://127.0.0.1',
    ]);
    assert.deepEqual(
      c.upstreams.map((u) => `${u.label}${u.tls ? ' tls' : ''}`),
      ['10.0.0.2:53', '10.0.0.3:5353', '[::1]:53', '127.0.0.1:53', '127.0.0.1:853 tls'],
    );
    assert.equal(c.from, '');
    assert.equal(c.expireMs, 10_000);
    assert.equal(c.maxFails, 2);
    assert.equal(c.healthCheckMs, 500);
    assert.equal(c.policy, 'random');
    assert.equal(c.readTimeoutMs, 2000);
    assert.equal(c.maxConcurrent, 0);
    assert.equal(c.forceTcp, false);
    assert.equal(c.preferUdp, false);
  });

  it('reads every option', () => {
    const c = parse(
      ['Example.ORG.', '127.0.0.1'],
      [
        directive('except', ['a.example.org', 'B.example.org.']),
        directive('force_tcp'),
        directive('prefer_udp'),
        directive('expire', ['30s']),
        directive('max_fails', ['0']),
        directive('health_check', ['1.5s']),
        directive('policy', ['round_robin']),
        directive('max_concurrent', ['1000']),
        directive('read_timeout', ['500ms']),
        directive('tls_servername', ['dns.example']),
      ],
    );
    assert.equal(c.from, 'example.org');
    assert.deepEqual(c.except, ['a.example.org', 'b.example.org']);
    assert.equal(c.forceTcp, true);
    assert.equal(c.preferUdp, true);
    assert.equal(c.expireMs, 30_000);
    assert.equal(c.maxFails, 0);
    assert.equal(c.healthCheckMs, 1500);
    assert.equal(c.policy, 'round_robin');
    assert.equal(c.maxConcurrent, 1000);
    assert.equal(c.readTimeoutMs, 500);
    assert.equal(c.tls.serverName, 'dns.example');
  });

  it('names file and line in errors', () => {
    rejects(
      ['.'],
      [],
      /^test\.Corefile:7: forward: expects FROM and at least one TO/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('bogus', [], [], 9)],
      /^test\.Corefile:9: forward: unknown option 'bogus'/,
      'CONFIG_UNKNOWN_OPTION',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('policy', ['fastest'], [], 8)],
      /^test\.Corefile:8: policy: 'fastest' is not one of/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('max_fails', ['-1'], [], 8)],
      /test\.Corefile:8: max_fails: count '-1' is not a number/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('expire', ['soon'], [], 8)],
      /test\.Corefile:8: expire: duration 'soon' is not a duration/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('health_check', ['0s'], [], 8)],
      /health_check: must be greater than zero/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', 'https://1.1.1.1/dns-query'],
      [],
      /unsupported upstream scheme/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', 'tls://dns.google'],
      [],
      /'tls:\/\/dns\.google' is not an IP address/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '/nonexistent/resolv.conf'],
      [],
      /neither an IP address nor a readable file \(ENOENT\)/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1:99999'],
      [],
      /neither an IP address nor a readable file/,
      'CONFIG_BAD_VALUE',
    );
    rejects(
      ['.', '127.0.0.1'],
      [directive('tls', ['/nonexistent/ca.pem'])],
      /tls file '\/nonexistent\/ca\.pem' is not readable/,
      'CONFIG_BAD_VALUE',
    );
    const sixteen = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`);
    rejects(['.', ...sixteen], [], /16 upstreams, at most 15/, 'CONFIG_BAD_VALUE');
  });
});
