/**
 * The forward plugin against real upstreams (dnsmasq, knotd) and the misbehaving test server,
 * queried with the real dig through an in-process listener.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../src/chain/handler.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { dig } from '../helpers/dig.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { Knot } from '../upstreams/knot.js';
import { MisbehavingServer } from '../upstreams/misbehaving-server.js';
import { buildQuery, exchangeUdp } from '../upstreams/query-udp.js';
import dnsPacket from 'dns-packet';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';

interface Rig {
  readonly server: ChainServer;
  readonly context: TestContext;
  readonly handler: Handler;
  close(): Promise<void>;
}

async function rig(args: string[], options: ReturnType<typeof directive>[] = []): Promise<Rig> {
  const context = new TestContext();
  const handler = build(forwardSetup, directive('forward', args, options), refuseAll, context);
  const server = await ChainServer.start(() => handler);
  return {
    server,
    context,
    handler,
    async close() {
      await server.close();
      await context.close();
    },
  };
}

describe('forward to dnsmasq and knot', () => {
  let dnsmasq: Dnsmasq;
  let knot: Knot;
  before(async () => {
    dnsmasq = await Dnsmasq.start([
      '--host-record=web.x.test,192.0.2.7',
      '--local-ttl=60',
      '--local=/x.test/',
    ]);
    knot = await Knot.start([
      {
        name: 'example.test',
        text: [
          '@ 3600 SOA ns.example.test. admin.example.test. 7 3600 600 86400 120',
          '@ 3600 NS ns',
          'ns 3600 A 192.0.2.100',
          'www 300 A 192.0.2.10',
          'www 300 A 192.0.2.11',
          'alias 300 CNAME www',
        ].join('\n'),
      },
    ]);
  });
  after(async () => {
    await dnsmasq.stop();
    await knot.stop();
  });

  it('passes dnsmasq answers through over UDP and TCP, echoing the asker case', async () => {
    const r = await rig(['.', `127.0.0.1:${dnsmasq.port}`]);
    try {
      for (const tcp of [false, true]) {
        const res = await dig('WeB.x.TEST', 'A', { port: r.server.port, tcp });
        assert.equal(res.status, 'NOERROR');
        assert.deepEqual(res.answer, ['WeB.x.TEST. 60 IN A 192.0.2.7']);
        assert.match(res.raw, /;WeB\.x\.TEST\.\s+IN\s+A/);
      }
      const missing = await dig('nope.x.test', 'A', { port: r.server.port });
      assert.equal(missing.status, 'NXDOMAIN');
    } finally {
      await r.close();
    }
  });

  it('passes knot authoritative answers, CNAME chains and NXDOMAIN with SOA', async () => {
    const r = await rig(['example.test', `dns://127.0.0.1:${knot.port}`]);
    try {
      const www = await dig('www.example.test', 'A', { port: r.server.port });
      assert.equal(www.status, 'NOERROR');
      assert.ok(www.flags.includes('aa'));
      assert.deepEqual([...www.answer].sort(), [
        'www.example.test. 300 IN A 192.0.2.10',
        'www.example.test. 300 IN A 192.0.2.11',
      ]);
      const alias = await dig('alias.example.test', 'A', { port: r.server.port });
      assert.equal(alias.answer[0], 'alias.example.test. 300 IN CNAME www.example.test.');
      assert.equal(alias.answer.length, 3);
      const nx = await dig('nosuch.example.test', 'A', { port: r.server.port });
      assert.equal(nx.status, 'NXDOMAIN');
      assert.deepEqual(nx.authority, [
        'example.test. 120 IN SOA ns.example.test. admin.example.test. 7 3600 600 86400 120',
      ]);
      const outside = await dig('www.other.test', 'A', { port: r.server.port });
      assert.equal(outside.status, 'REFUSED', 'names outside FROM go to the next plugin');
    } finally {
      await r.close();
    }
  });

  it('forwards to an IPv6 upstream over UDP and TCP', async () => {
    const v6 = await Dnsmasq.start([
      '--listen-address=::1',
      '--host-record=six.x.test,192.0.2.66,2001:db8::66',
      '--local-ttl=45',
      '--local=/x.test/',
    ]);
    const r = await rig(['x.test', `[::1]:${v6.port}`]);
    try {
      for (const tcp of [false, true]) {
        const res = await dig('six.x.test', 'AAAA', { port: r.server.port, tcp });
        assert.deepEqual(res.answer, ['six.x.test. 45 IN AAAA 2001:db8::66']);
      }
      const text = await r.context.metrics.metrics();
      assert.match(text, new RegExp(`to="\\[::1\\]:${v6.port}",rcode="NOERROR"\\} 2`));
    } finally {
      await r.close();
      await v6.stop();
    }
  });

  it('reads upstreams from a resolv.conf-style file', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = makeTempDir('resolv-');
    try {
      const file = path.join(dir, 'resolv.conf');
      fs.writeFileSync(file, `search example.test\nnameserver 127.0.0.1\noptions ndots:5\n`);
      const context = new TestContext();
      const parsed = forwardSetup.parse(directive('forward', ['.', file]), context.block);
      assert.deepEqual(parsed.upstreams, [
        { host: '127.0.0.1', port: 53, tls: false, label: '127.0.0.1:53' },
      ]);
    } finally {
      removeTempDir(dir);
    }
  });
});

describe('forward against a misbehaving upstream', () => {
  let bad: MisbehavingServer;
  before(async () => {
    bad = await MisbehavingServer.start();
  });
  after(async () => {
    await bad.close();
  });

  it('answers SERVFAIL after the 2 s read timeout when the upstream is silent', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`]);
    try {
      const started = Date.now();
      const res = await dig('silent.x.test', 'A', { port: r.server.port });
      const took = Date.now() - started;
      assert.equal(res.status, 'SERVFAIL');
      assert.ok(took >= 1900 && took < 2900, `took ${took} ms`);
    } finally {
      await r.close();
    }
  });

  it('honours read_timeout and passes SERVFAIL and REFUSED from upstream through', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('read_timeout', ['300ms'])]);
    try {
      const started = Date.now();
      assert.equal(
        (await dig('slow-1000.x.test', 'A', { port: r.server.port })).status,
        'SERVFAIL',
      );
      assert.ok(Date.now() - started < 1500, 'the 300ms read_timeout, not 2 s');
      assert.equal((await dig('slow-50.x.test', 'A', { port: r.server.port })).status, 'NOERROR');
      assert.equal((await dig('servfail.x.test', 'A', { port: r.server.port })).status, 'SERVFAIL');
      assert.equal((await dig('refused.x.test', 'A', { port: r.server.port })).status, 'REFUSED');
      const bare = await dig('bare.x.test', 'A', { port: r.server.port });
      assert.equal(bare.status, 'REFUSED', 'an error answer without question is taken');
      assert.match(bare.raw, /;bare\.x\.test\.\s+IN\s+A/, 'and given back the question');
      assert.deepEqual(bare.flags, ['qr', 'rd', 'ra']);
      const nx = await dig('nxdomain.x.test', 'A', { port: r.server.port });
      assert.equal(nx.status, 'NXDOMAIN');
      assert.deepEqual(nx.authority, [
        'x.test. 3600 IN SOA ns.x.test. admin.x.test. 1 3600 600 86400 60',
      ]);
    } finally {
      await r.close();
    }
  });

  it('adds the OPT record an EDNS client asked for when the upstream sent none', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`]);
    try {
      const port = r.server.port;
      const edns = await dig('noedns.x.test', 'A', { port, extra: ['+dnssec'] });
      assert.equal(edns.status, 'NOERROR');
      assert.deepEqual(edns.answer, ['noedns.x.test. 300 IN A 192.0.2.1']);
      assert.match(edns.raw, /; EDNS: version: 0, flags: do; udp: 1232/);
      assert.match(edns.raw, /ADDITIONAL: 1\n/);
      const tcp = await dig('noedns.x.test', 'A', { port, tcp: true });
      assert.match(tcp.raw, /; EDNS: version: 0, flags:; udp: 1232/);
      const classic = await dig('noedns.x.test', 'A', { port, noEdns: true });
      assert.deepEqual(classic.answer, ['noedns.x.test. 300 IN A 192.0.2.1']);
      assert.doesNotMatch(classic.raw, /OPT PSEUDOSECTION/);
    } finally {
      await r.close();
    }
  });

  it('ignores garbage and spoofed replies (wrong ID, wrong question)', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('read_timeout', ['500ms'])]);
    try {
      assert.equal((await dig('garbage.x.test', 'A', { port: r.server.port })).status, 'SERVFAIL');
      const spoofed = await dig('spoof.x.test', 'A', { port: r.server.port });
      assert.equal(spoofed.status, 'NOERROR');
      assert.deepEqual(spoofed.answer, ['spoof.x.test. 300 IN A 192.0.2.1']);
    } finally {
      await r.close();
    }
  });

  it('passes a truncated UDP answer to a UDP client; a TCP client gets the full answer', async () => {
    bad.setRecords('trunc.x.test', [
      { type: 'A', name: 'trunc.x.test', ttl: 30, data: '192.0.2.21' },
      { type: 'A', name: 'trunc.x.test', ttl: 30, data: '192.0.2.22' },
    ]);
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('prefer_udp')]);
    try {
      const udp = await dig('trunc.x.test', 'A', { port: r.server.port, extra: ['+ignore'] });
      assert.ok(udp.flags.includes('tc'));
      assert.deepEqual(udp.answer, []);
      const before = bad.queries.length;
      const tcp = await dig('trunc.x.test', 'A', { port: r.server.port, tcp: true });
      assert.deepEqual(tcp.answer, [
        'trunc.x.test. 30 IN A 192.0.2.21',
        'trunc.x.test. 30 IN A 192.0.2.22',
      ]);
      // prefer_udp: the TCP client's query went over UDP first, then was retried over TCP.
      assert.deepEqual(
        bad.queries.slice(before).map((q) => q.transport),
        ['udp', 'tcp'],
      );
    } finally {
      await r.close();
    }
  });

  it('force_tcp sends every query over TCP and reuses the connection', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('force_tcp')]);
    try {
      const before = bad.queries.length;
      for (let i = 0; i < 3; i++) {
        const res = await dig(`n${i}.x.test`, 'A', { port: r.server.port });
        assert.deepEqual(res.answer, [`n${i}.x.test. 300 IN A 192.0.2.1`]);
      }
      assert.deepEqual(
        bad.queries.slice(before).map((q) => q.transport),
        ['tcp', 'tcp', 'tcp'],
      );
    } finally {
      await r.close();
    }
  });

  it('pipelines TCP queries: many in flight on few connections, answered out of order', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('force_tcp')]);
    try {
      const before = bad.tcpConnections;
      const names = Array.from(
        { length: 50 },
        (_, i) => `slow-${i % 2 === 0 ? 200 : 10}.p${i}.test`,
      );
      const replies = await Promise.all(
        names.map((name, i) =>
          exchangeUdp(buildQuery(name, 'A', { id: i }), { port: r.server.port }).then((w) =>
            dnsPacket.decode(w),
          ),
        ),
      );
      replies.forEach((reply, i) => {
        assert.equal(reply.id, i);
        assert.equal(reply.questions?.[0].name, names[i]);
        assert.deepEqual(
          (reply.answers ?? []).map((rr) => (rr as { data: string }).data),
          ['192.0.2.1'],
        );
      });
      const opened = bad.tcpConnections - before;
      assert.ok(
        opened >= 2 && opened <= 3,
        `${opened} connections for 50 queries, 32 per connection`,
      );
    } finally {
      await r.close();
    }
  });

  it('answers TC when the reply exceeds the client EDNS size', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      type: 'A' as const,
      name: 'big.x.test',
      ttl: 30,
      data: `192.0.2.${i + 1}`,
    }));
    bad.setRecords('big.x.test', many);
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('force_tcp')]);
    try {
      const udp = await dig('big.x.test', 'A', {
        port: r.server.port,
        bufsize: 512,
        extra: ['+ignore'],
      });
      assert.ok(udp.flags.includes('tc'), udp.raw);
      assert.deepEqual(udp.answer, []);
      const tcp = await dig('big.x.test', 'A', { port: r.server.port, tcp: true });
      assert.equal(tcp.answer.length, 40);
    } finally {
      await r.close();
    }
  });

  it('max_concurrent answers REFUSED beyond the limit and counts it', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`], [directive('max_concurrent', ['1'])]);
    try {
      const [slow, rejected] = await Promise.all([
        dig('slow-400.x.test', 'A', { port: r.server.port }),
        new Promise((res) => setTimeout(res, 100)).then(() =>
          dig('fast.x.test', 'A', { port: r.server.port }),
        ),
      ]);
      assert.equal(slow.status, 'NOERROR');
      assert.equal(rejected.status, 'REFUSED');
      assert.equal(await r.context.metric('coredns_forward_max_concurrent_rejects_total'), 1);
    } finally {
      await r.close();
    }
  });

  it('except hands names below the listed zones to the next plugin', async () => {
    const r = await rig(
      ['.', `127.0.0.1:${bad.port}`],
      [directive('except', ['skip.test', 'Other.Test.'])],
    );
    try {
      assert.equal((await dig('a.skip.test', 'A', { port: r.server.port })).status, 'REFUSED');
      assert.equal((await dig('other.test', 'A', { port: r.server.port })).status, 'REFUSED');
      assert.equal((await dig('a.kept.test', 'A', { port: r.server.port })).status, 'NOERROR');
    } finally {
      await r.close();
    }
  });

  it('records coredns_proxy_request_duration_seconds by upstream and rcode', async () => {
    const r = await rig(['.', `127.0.0.1:${bad.port}`]);
    try {
      await dig('m.x.test', 'A', { port: r.server.port });
      await dig('nxdomain.x.test', 'A', { port: r.server.port });
      const to = `127.0.0.1:${bad.port}`;
      const text = await r.context.metrics.metrics();
      assert.match(
        text,
        new RegExp(
          `coredns_proxy_request_duration_seconds_count\\{proxy_name="forward",to="${to.replace('.', '\\.')}",rcode="NOERROR"\\} 1`,
        ),
      );
      assert.match(text, /rcode="NXDOMAIN"\} 1/);
    } finally {
      await r.close();
    }
  });
});

describe('forward policies and health checks', () => {
  let a: MisbehavingServer;
  let b: MisbehavingServer;
  before(async () => {
    a = await MisbehavingServer.start();
    b = await MisbehavingServer.start();
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const sent = (s: MisbehavingServer, prefix: string): number =>
    s.queries.filter((q) => q.name.startsWith(prefix)).length;

  it('sequential always asks the first upstream; round_robin alternates', async () => {
    const seq = await rig(
      ['.', `127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
      [directive('policy', ['sequential'])],
    );
    try {
      for (let i = 0; i < 6; i++) await dig(`seq${i}.x.test`, 'A', { port: seq.server.port });
      assert.equal(sent(a, 'seq'), 6);
      assert.equal(sent(b, 'seq'), 0);
    } finally {
      await seq.close();
    }
    const rr = await rig(
      ['.', `127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
      [directive('policy', ['round_robin'])],
    );
    try {
      for (let i = 0; i < 6; i++) await dig(`rr${i}.x.test`, 'A', { port: rr.server.port });
      assert.equal(sent(a, 'rr'), 3);
      assert.equal(sent(b, 'rr'), 3);
    } finally {
      await rr.close();
    }
  });

  it('random spreads queries over the upstreams', async () => {
    const r = await rig(['.', `127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]);
    try {
      for (let i = 0; i < 40; i++) await dig(`rnd${i}.x.test`, 'A', { port: r.server.port });
      assert.equal(sent(a, 'rnd') + sent(b, 'rnd'), 40);
      assert.ok(
        sent(a, 'rnd') >= 8 && sent(b, 'rnd') >= 8,
        `${sent(a, 'rnd')} / ${sent(b, 'rnd')}`,
      );
    } finally {
      await r.close();
    }
  });

  it('a failing upstream is probed, marked down after max_fails, skipped, and healed', async () => {
    const r = await rig(
      ['.', `127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`],
      [
        directive('policy', ['sequential']),
        directive('max_fails', ['2']),
        directive('health_check', ['100ms']),
        directive('read_timeout', ['200ms']),
      ],
    );
    try {
      a.down = true;
      const first = await dig('hc1.x.test', 'A', { port: r.server.port });
      assert.equal(
        first.status,
        'NOERROR',
        'the second upstream answers after the first times out',
      );
      await new Promise((res) => setTimeout(res, 700));
      const probes = a.queries.filter((q) => q.name === '.' && q.type === 'NS');
      assert.ok(probes.length >= 2, `health probes sent: ${probes.length}`);
      const failures = await r.context.metric('coredns_proxy_healthcheck_failures_total', {
        to: `127.0.0.1:${a.port}`,
      });
      assert.ok((failures ?? 0) >= 2);
      const before = sent(a, 'hc2');
      const skipped = await dig('hc2.x.test', 'A', { port: r.server.port });
      assert.deepEqual(skipped.answer, ['hc2.x.test. 300 IN A 192.0.2.1']);
      assert.equal(sent(a, 'hc2'), before, 'the down upstream is skipped');
      assert.equal(sent(b, 'hc2'), 1);
      a.down = false;
      await new Promise((res) => setTimeout(res, 300));
      await dig('hc3.x.test', 'A', { port: r.server.port });
      assert.equal(sent(a, 'hc3'), 1, 'healed: the first upstream is used again');
      const probesAfter = a.queries.filter((q) => q.name === '.').length;
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(
        a.queries.filter((q) => q.name === '.').length,
        probesAfter,
        'checks stop once healthy',
      );
    } finally {
      a.down = false;
      await r.close();
    }
  });

  it('when every upstream is down it tries one anyway and counts healthcheck_broken', async () => {
    const r = await rig(
      ['.', `127.0.0.1:${a.port}`],
      [
        directive('max_fails', ['1']),
        directive('health_check', ['10s']),
        directive('read_timeout', ['100ms']),
      ],
    );
    try {
      a.down = true;
      assert.equal((await dig('down1.x.test', 'A', { port: r.server.port })).status, 'SERVFAIL');
      // The first health probe (sent at once) fails too: the only upstream is now down.
      await new Promise((res) => setTimeout(res, 250));
      assert.equal(await r.context.metric('coredns_proxy_healthcheck_failures_total'), 1);
      a.down = false;
      const res = await dig('down2.x.test', 'A', { port: r.server.port });
      assert.equal(res.status, 'NOERROR');
      assert.deepEqual(res.answer, ['down2.x.test. 300 IN A 192.0.2.1']);
      assert.equal(await r.context.metric('coredns_forward_healthcheck_broken_total'), 1);
    } finally {
      a.down = false;
      await r.close();
    }
  });

  it('max_fails 0 turns health checks off', async () => {
    const r = await rig(
      ['.', `127.0.0.1:${a.port}`],
      [directive('max_fails', ['0']), directive('read_timeout', ['100ms'])],
    );
    try {
      a.down = true;
      const before = a.queries.filter((q) => q.name === '.').length;
      assert.equal((await dig('off.x.test', 'A', { port: r.server.port })).status, 'SERVFAIL');
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(a.queries.filter((q) => q.name === '.').length, before);
    } finally {
      a.down = false;
      await r.close();
    }
  });
});
