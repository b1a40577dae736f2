/**
 * forward to a DNS-over-TLS upstream: certificate checked against `tls_servername` and the CA
 * given with `tls`, connections reused within `expire`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { dig } from '../helpers/dig.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { makeCertificates, TlsDnsServer, type TlsFiles } from '../upstreams/tls-dns-server.js';

describe('forward over TLS', () => {
  let files: TlsFiles;
  let upstream: TlsDnsServer;
  before(async () => {
    files = makeCertificates('dns.test');
    upstream = await TlsDnsServer.start(files);
  });
  after(async () => {
    await upstream.close();
    fs.rmSync(files.dir, { recursive: true, force: true });
  });

  async function serve(
    options: ReturnType<typeof directive>[],
  ): Promise<{ port: number; close(): Promise<void> }> {
    const context = new TestContext();
    const handler = build(
      forwardSetup,
      directive('forward', ['.', `tls://127.0.0.1:${upstream.port}`], options),
      refuseAll,
      context,
    );
    const server = await ChainServer.start(() => handler);
    return {
      port: server.port,
      async close() {
        await server.close();
        await context.close();
      },
    };
  }

  it('answers through a verified TLS connection and reuses it', async () => {
    const r = await serve([
      directive('tls_servername', ['dns.test']),
      directive('tls', [files.caFile]),
    ]);
    try {
      const connectionsBefore = upstream.connections;
      for (const name of ['a.ext.test', 'b.ext.test', 'c.ext.test']) {
        const res = await dig(name, 'A', { port: r.port });
        assert.equal(res.status, 'NOERROR');
        assert.deepEqual(res.answer, [`${name}. 120 IN A 192.0.2.53`]);
      }
      assert.equal(
        upstream.connections - connectionsBefore,
        1,
        'one TLS connection for three queries',
      );
    } finally {
      await r.close();
    }
  });

  it('expire closes idle connections: a new one after the idle time', async () => {
    const r = await serve([
      directive('tls_servername', ['dns.test']),
      directive('tls', [files.caFile]),
      directive('expire', ['100ms']),
    ]);
    try {
      const connectionsBefore = upstream.connections;
      await dig('e1.ext.test', 'A', { port: r.port });
      await new Promise((res) => setTimeout(res, 250));
      await dig('e2.ext.test', 'A', { port: r.port });
      assert.equal(upstream.connections - connectionsBefore, 2);
    } finally {
      await r.close();
    }
  });

  it('refuses an upstream whose certificate does not match: SERVFAIL, no answer', async () => {
    const r = await serve([
      directive('tls_servername', ['other.test']),
      directive('tls', [files.caFile]),
      directive('max_fails', ['0']),
    ]);
    try {
      const queries = upstream.queries;
      const res = await dig('x.ext.test', 'A', { port: r.port });
      assert.equal(res.status, 'SERVFAIL');
      assert.equal(upstream.queries, queries, 'no query was sent over the unverified connection');
    } finally {
      await r.close();
    }
  });

  it('presents the client certificate given with tls CERT KEY CA', async () => {
    const strict = await TlsDnsServer.start(files, true);
    const serveStrict = async (options: ReturnType<typeof directive>[]) => {
      const context = new TestContext();
      const args = ['.', `tls://127.0.0.1:${strict.port}`];
      const handler = build(forwardSetup, directive('forward', args, options), refuseAll, context);
      const server = await ChainServer.start(() => handler);
      return {
        port: server.port,
        close: async () => (await server.close(), await context.close()),
      };
    };
    const name = directive('tls_servername', ['dns.test']);
    const without = await serveStrict([
      name,
      directive('tls', [files.caFile]),
      directive('max_fails', ['0']),
    ]);
    const withCert = await serveStrict([
      name,
      directive('tls', [files.clientCertFile, files.clientKeyFile, files.caFile]),
    ]);
    try {
      assert.equal((await dig('nocert.ext.test', 'A', { port: without.port })).status, 'SERVFAIL');
      const res = await dig('cert.ext.test', 'A', { port: withCert.port });
      assert.deepEqual(res.answer, ['cert.ext.test. 120 IN A 192.0.2.53']);
      assert.equal(strict.queries, 1);
    } finally {
      await without.close();
      await withCert.close();
      await strict.close();
    }
  });
});
