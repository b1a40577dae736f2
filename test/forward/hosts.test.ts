/**
 * The hosts plugin: a hosts file and inline entries answered over real dig, CoreDNS's rcodes
 * for unknown names and types, PTR, fallthrough to a real forward, and reloading.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Directive } from '../../src/config/directive.js';
import { ConfigError } from '../../src/errors.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { setup as hostsSetup } from '../../src/plugins/hosts/setup.js';
import { dig } from '../helpers/dig.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { MisbehavingServer } from '../upstreams/misbehaving-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('hosts', () => {
  let dir: string;
  let file: string;
  let upstream: MisbehavingServer;
  before(async () => {
    dir = makeTempDir('hosts-');
    file = path.join(dir, 'hosts');
    fs.writeFileSync(
      file,
      [
        '# test hosts',
        '127.0.0.1 localhost',
        '192.0.2.10 db.example.test db # the database',
        '192.0.2.11 web.example.test',
        '2001:DB8:0:0::10 db.example.test',
        'not-an-ip bogus.example.test',
        'fe80::1%lo0 linklocal.example.test',
        '',
      ].join('\n'),
    );
    upstream = await MisbehavingServer.start();
  });
  after(async () => {
    await upstream.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(
    args: string[],
    options: Directive[],
    zones = [''],
  ): Promise<{ port: number; close(): Promise<void> }> {
    const context = new TestContext({ zones, port: 53, server: 'dns://:53' });
    const forward = build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${upstream.port}`]),
      refuseAll,
      context,
    );
    const hosts = build(hostsSetup, directive('hosts', args, options), forward, context);
    const server = await ChainServer.start(() => hosts);
    return {
      port: server.port,
      async close() {
        await server.close();
        await context.close();
      },
    };
  }

  it('answers A, AAAA and PTR from the file and inline lines, AA set, TTL 3600', async () => {
    const r = await serve([file], [directive('192.0.2.50', ['inline.example.test'])]);
    try {
      const a = await dig('DB.example.test', 'A', { port: r.port });
      assert.equal(a.status, 'NOERROR');
      assert.ok(a.flags.includes('aa'));
      assert.deepEqual(a.answer, ['DB.example.test. 3600 IN A 192.0.2.10']);
      assert.deepEqual((await dig('db.example.test', 'AAAA', { port: r.port })).answer, [
        'db.example.test. 3600 IN AAAA 2001:db8::10',
      ]);
      assert.deepEqual((await dig('db', 'A', { port: r.port })).answer, [
        'db. 3600 IN A 192.0.2.10',
      ]);
      assert.deepEqual((await dig('inline.example.test', 'A', { port: r.port })).answer, [
        'inline.example.test. 3600 IN A 192.0.2.50',
      ]);
      const ptr = await dig('10.2.0.192.in-addr.arpa', 'PTR', { port: r.port });
      assert.deepEqual(ptr.answer, [
        '10.2.0.192.in-addr.arpa. 3600 IN PTR db.example.test.',
        '10.2.0.192.in-addr.arpa. 3600 IN PTR db.',
      ]);
      const ptr6 = await dig(
        '0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
        'PTR',
        { port: r.port },
      );
      assert.deepEqual(
        ptr6.answer.map((l) => l.split(' ').slice(1).join(' ')),
        ['3600 IN PTR db.example.test.'],
      );
    } finally {
      await r.close();
    }
  });

  it('gives NODATA for a listed name without the type, SERVFAIL for unknown names', async () => {
    const r = await serve([file], [directive('ttl', ['60'])]);
    try {
      const nodata = await dig('web.example.test', 'AAAA', { port: r.port });
      assert.equal(nodata.status, 'NOERROR');
      assert.deepEqual(nodata.answer, []);
      assert.deepEqual((await dig('web.example.test', 'MX', { port: r.port })).answer, []);
      assert.deepEqual((await dig('web.example.test', 'A', { port: r.port })).answer, [
        'web.example.test. 60 IN A 192.0.2.11',
      ]);
      assert.equal((await dig('bogus.example.test', 'A', { port: r.port })).status, 'SERVFAIL');
      assert.equal(
        (await dig('linklocal.example.test', 'AAAA', { port: r.port })).status,
        'SERVFAIL',
      );
      // An unknown address goes to the next plugin even without fallthrough.
      const unknownPtr = await dig('99.2.0.192.in-addr.arpa', 'PTR', { port: r.port });
      assert.equal(unknownPtr.status, 'NOERROR');
      assert.equal(upstream.count('99.2.0.192.in-addr.arpa'), 1);
    } finally {
      await r.close();
    }
  });

  it('falls through to forward, limits itself to its zones, and honours no_reverse', async () => {
    const r = await serve(
      [file, 'example.test'],
      [directive('fallthrough'), directive('no_reverse')],
    );
    try {
      const other = await dig('elsewhere.example.test', 'A', { port: r.port });
      assert.deepEqual(other.answer, ['elsewhere.example.test. 300 IN A 192.0.2.1']);
      assert.ok(!other.flags.includes('aa'));
      const outside = await dig('localhost', 'A', { port: r.port });
      assert.deepEqual(
        outside.answer,
        ['localhost. 300 IN A 192.0.2.1'],
        'localhost is outside example.test',
      );
      await dig('10.2.0.192.in-addr.arpa', 'PTR', { port: r.port });
      assert.equal(upstream.count('10.2.0.192.in-addr.arpa'), 1, 'no_reverse sends PTR on');
    } finally {
      await r.close();
    }
  });

  it('reloads a changed file; a removed file leaves the inline entries', async () => {
    const own = path.join(dir, 'reload-hosts');
    fs.writeFileSync(own, '192.0.2.70 moving.example.test\n');
    const r = await serve(
      [own],
      [directive('reload', ['100ms']), directive('192.0.2.80', ['kept.example.test'])],
    );
    try {
      assert.deepEqual((await dig('moving.example.test', 'A', { port: r.port })).answer, [
        'moving.example.test. 3600 IN A 192.0.2.70',
      ]);
      fs.writeFileSync(own, '192.0.2.71 moving.example.test\n# longer now\n');
      await new Promise((res) => setTimeout(res, 300));
      assert.deepEqual((await dig('moving.example.test', 'A', { port: r.port })).answer, [
        'moving.example.test. 3600 IN A 192.0.2.71',
      ]);
      fs.rmSync(own);
      await new Promise((res) => setTimeout(res, 300));
      assert.equal((await dig('moving.example.test', 'A', { port: r.port })).status, 'SERVFAIL');
      assert.deepEqual((await dig('kept.example.test', 'A', { port: r.port })).answer, [
        'kept.example.test. 3600 IN A 192.0.2.80',
      ]);
    } finally {
      await r.close();
    }
  });

  it('rejects bad options naming file and line', () => {
    const block = { zones: [''], port: 53, server: 'dns://:53' };
    const parse = (options: Directive[]) =>
      hostsSetup.parse(directive('hosts', [file], options), block);
    assert.throws(
      () => parse([directive('ttl', ['0'], [], 3)]),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^test\.Corefile:3: ttl: TTL 0 is outside 1\.\.65535/.test(e.message),
    );
    assert.throws(
      () => parse([directive('bogus', [], [], 4)]),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.code === 'CONFIG_UNKNOWN_OPTION' &&
        /^test\.Corefile:4: hosts: unknown option 'bogus'/.test(e.message),
    );
    assert.throws(
      () => parse([directive('10.0.0.1', [], [], 5)]),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^test\.Corefile:5: hosts: inline entry '10\.0\.0\.1' has no name/.test(e.message),
    );
    assert.throws(
      () => parse([directive('reload', ['often'], [], 6)]),
      (e: unknown) => e instanceof ConfigError && /^test\.Corefile:6: reload/.test(e.message),
    );
  });
});
