/**
 * Plugin options and chain behaviour, in-process on fixtures/cluster.yaml: ttl, namespaces,
 * pods modes, endpoint_pod_names, ignore empty_service, noendpoints, fallthrough, zone
 * transfers, names outside the zones, other classes, and several forward zones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import type { Handler } from '../../src/chain/handler.js';
import { DnsRequest } from '../../src/chain/request.js';
import { parseQuery } from '../../src/wire/query.js';
import { InProcessKubernetes, queryPacket } from './in-process.js';

async function withPlugin(
  options: string[],
  body: (k8s: InProcessKubernetes) => Promise<void>,
  zones?: string[],
): Promise<void> {
  const k8s = await InProcessKubernetes.start('cluster.yaml', options, { zones });
  try {
    await body(k8s);
  } finally {
    await k8s.close();
  }
}

describe('kubernetes options', () => {
  it('ttl sets every TTL and the SOA minimum, but not the dns-version TTL', () =>
    withPlugin(['ttl 30'], async (k8s) => {
      assert.deepEqual((await k8s.ask('web.shop.svc.cluster.local', 'A')).answer, [
        'web.shop.svc.cluster.local. 30 IN A 10.96.0.20',
      ]);
      assert.deepEqual((await k8s.ask('nosuch.shop.svc.cluster.local', 'A')).authority, [
        `cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${k8s.serial} 7200 1800 86400 30`,
      ]);
      assert.deepEqual((await k8s.ask('dns-version.cluster.local', 'TXT')).answer, [
        'dns-version.cluster.local. 28800 IN TXT "1.1.0"',
      ]);
    }));

  it('namespaces hides every other namespace, in forward and reverse names', () =>
    withPlugin(['namespaces shop'], async (k8s) => {
      assert.equal((await k8s.ask('web.shop.svc.cluster.local', 'A')).rcode, 'NOERROR');
      assert.equal((await k8s.ask('api.store.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('store.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('30.0.96.10.in-addr.arpa', 'PTR')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('20.0.96.10.in-addr.arpa', 'PTR')).rcode, 'NOERROR');
    }));

  it('pods verified answers only for a pod with that IP in that namespace (issue 2, case 7)', () =>
    withPlugin(['pods verified'], async (k8s) => {
      assert.deepEqual((await k8s.ask('10-244-1-7.shop.pod.cluster.local', 'A')).answer, [
        '10-244-1-7.shop.pod.cluster.local. 5 IN A 10.244.1.7',
      ]);
      assert.deepEqual((await k8s.ask('fd00--1-8.shop.pod.cluster.local', 'AAAA')).answer, [
        'fd00--1-8.shop.pod.cluster.local. 5 IN AAAA fd00::1:8',
      ]);
      assert.equal((await k8s.ask('10-244-1-7.store.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('10-244-1-99.shop.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.deepEqual(k8s.handler.podByIp('10.244.1.7'), {
        namespace: 'shop',
        name: 'web-1',
        ips: ['10.244.1.7'],
        hostNetwork: false,
      });
      assert.deepEqual(k8s.handler.searchPath('10.244.1.7'), [
        'shop.svc.cluster.local',
        'svc.cluster.local',
        'cluster.local',
      ]);
      assert.equal(k8s.handler.searchPath('192.168.1.10'), null, 'host-network pod');
      assert.equal(k8s.handler.searchPath('10.9.9.9'), null, 'unknown client');
    }));

  it('pods disabled (the default) answers NXDOMAIN for pod names', () =>
    withPlugin([], async (k8s) => {
      assert.equal((await k8s.ask('10-244-1-7.shop.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('shop.pod.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('pod.cluster.local', 'A')).rcode, 'NOERROR');
    }));

  it('endpoint_pod_names names endpoints without hostname by their pod', () =>
    withPlugin(['endpoint_pod_names'], async (k8s) => {
      const cache = 'cache.shop.svc.cluster.local.';
      assert.deepEqual((await k8s.ask('_redis._tcp.cache.shop.svc.cluster.local', 'SRV')).answer, [
        `_redis._tcp.${cache} 5 IN SRV 0 33 6379 cache-0.${cache}`,
        `_redis._tcp.${cache} 5 IN SRV 0 33 6379 cache-worker-x7.${cache}`,
        `_redis._tcp.${cache} 5 IN SRV 0 33 6379 cache-worker-z9.${cache}`,
      ]);
      assert.deepEqual(
        (await k8s.ask('cache-worker-x7.cache.shop.svc.cluster.local', 'A')).answer,
        [`cache-worker-x7.${cache} 5 IN A 10.244.2.2`],
      );
      assert.equal(
        (await k8s.ask('10-244-2-2.cache.shop.svc.cluster.local', 'A')).rcode,
        'NXDOMAIN',
      );
      assert.deepEqual((await k8s.ask('2.2.244.10.in-addr.arpa', 'PTR')).answer, [
        `2.2.244.10.in-addr.arpa. 5 IN PTR cache-worker-x7.${cache}`,
      ]);
    }));

  it('ignore empty_service hides ClusterIP Services without ready endpoints', () =>
    withPlugin(['ignore empty_service'], async (k8s) => {
      assert.equal((await k8s.ask('idle.shop.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('web.shop.svc.cluster.local', 'A')).rcode, 'NOERROR');
    }));

  it('noendpoints answers NXDOMAIN for headless Services and endpoint names', () =>
    withPlugin(['noendpoints'], async (k8s) => {
      assert.equal((await k8s.ask('cache.shop.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.equal((await k8s.ask('10-244-1-7.web.shop.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
      assert.deepEqual((await k8s.ask('web.shop.svc.cluster.local', 'A')).answer, [
        'web.shop.svc.cluster.local. 5 IN A 10.96.0.20',
      ]);
    }));

  it('fallthrough passes NXDOMAIN in its zones to the next plugin, and nothing else', () =>
    withPlugin(['fallthrough in-addr.arpa ip6.arpa'], async (k8s) => {
      const passed = await k8s.raw('99.99.99.10.in-addr.arpa', 'PTR');
      assert.equal(passed.request.answeredBy, 'next');
      const own = await k8s.raw('20.0.96.10.in-addr.arpa', 'PTR');
      assert.equal(own.request.answeredBy, 'kubernetes');
      const forward = await k8s.raw('nosuch.shop.svc.cluster.local', 'A');
      assert.equal(forward.request.answeredBy, 'kubernetes');
      assert.equal((await k8s.ask('nosuch.shop.svc.cluster.local', 'A')).rcode, 'NXDOMAIN');
    }));

  it('a bare fallthrough covers every zone but keeps CNAME answers', () =>
    withPlugin(['fallthrough'], async (k8s) => {
      assert.equal(
        (await k8s.raw('nosuch.shop.svc.cluster.local', 'A')).request.answeredBy,
        'next',
      );
      const ghost = await k8s.raw('ghost-alias.front.svc.cluster.local', 'A');
      assert.equal(ghost.request.answeredBy, 'kubernetes');
    }));

  it('refuses zone transfers and other classes in its zones, passes other names on', () =>
    withPlugin([], async (k8s) => {
      assert.equal((await k8s.ask('cluster.local', 'AXFR', { transport: 'tcp' })).rcode, 'REFUSED');
      assert.equal((await k8s.ask('cluster.local', 'IXFR')).rcode, 'REFUSED');
      const outside = await k8s.raw('example.com', 'A');
      assert.equal(outside.request.answeredBy, 'next');
      const wire = dnsPacket.encode({
        type: 'query',
        id: 7,
        questions: [{ type: 'TXT', name: 'web.shop.svc.cluster.local', class: 'CH' }],
      });
      const parsed = parseQuery(wire);
      assert.ok(parsed.ok);
      const request = new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1, 0n);
      const reply = (await k8s.handler.serve(request)) as Buffer;
      assert.equal(request.answeredBy, 'kubernetes');
      assert.equal(reply[3] & 0x0f, 5, 'REFUSED: a cluster name is never passed on in class CH');
    }));

  it('without reverse zones, PTR questions go to the next plugin', () =>
    withPlugin(
      [],
      async (k8s) => {
        assert.equal((await k8s.raw('20.0.96.10.in-addr.arpa', 'PTR')).request.answeredBy, 'next');
      },
      ['cluster.local'],
    ));

  it('serves every forward zone, with PTR targets in the first one', () =>
    withPlugin(
      [],
      async (k8s) => {
        assert.deepEqual((await k8s.ask('web.shop.svc.example.internal', 'A')).answer, [
          'web.shop.svc.example.internal. 5 IN A 10.96.0.20',
        ]);
        assert.deepEqual((await k8s.ask('20.0.96.10.in-addr.arpa', 'PTR')).answer, [
          '20.0.96.10.in-addr.arpa. 5 IN PTR web.shop.svc.cluster.local.',
        ]);
        assert.deepEqual((await k8s.ask('api-alias.front.svc.example.internal', 'A')).answer, [
          'api-alias.front.svc.example.internal. 5 IN CNAME api.store.svc.cluster.local.',
          'api.store.svc.cluster.local. 5 IN A 10.96.0.30',
        ]);
      },
      ['cluster.local', 'example.internal', 'in-addr.arpa'],
    ));

  it('echoes the question exactly, including EDNS with the DO bit', () =>
    withPlugin([], async (k8s) => {
      const { reply } = await k8s.raw('WEB.shop.svc.cluster.local', 'A', {
        udpSize: 4096,
        dnssecOk: true,
      });
      const decoded = dnsPacket.decode(reply);
      assert.equal(decoded.questions?.[0].name, 'WEB.shop.svc.cluster.local');
      const opt = decoded.additionals?.find((rr) => rr.type === 'OPT') as unknown as {
        udpPayloadSize: number;
        flags: number;
      };
      assert.equal(opt.udpPayloadSize, 1232);
      assert.equal(opt.flags & dnsPacket.DNSSEC_OK, dnsPacket.DNSSEC_OK);
    }));
});

describe('before the cluster state has synced', () => {
  it('answers SERVFAIL instead of NXDOMAIN, checks fallthrough first, and holds early queries', async () => {
    const k8s = await InProcessKubernetes.start('cluster.yaml', ['fallthrough in-addr.arpa']);
    try {
      const { KubernetesHandler } = await import('../../src/plugins/kubernetes/handler.js');
      const { NEXT } = await import('./in-process.js');
      let synced = false;
      const handler = new KubernetesHandler(k8s.config, k8s.index, NEXT, {
        synced: () => synced,
        startupDeadline: 0,
        localAddresses: [],
      });
      const ask = async (name: string, type: string) => {
        const wire = queryPacket(name, type, {});
        const parsed = parseQuery(wire);
        assert.ok(parsed.ok);
        const request = new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1, 0n);
        const reply = await handler.serve(request);
        assert.ok(reply);
        return {
          rcode: dnsPacket.decode(reply) as unknown as { rcode: string },
          by: request.answeredBy,
        };
      };
      assert.equal((await ask('nosuch.shop.svc.cluster.local', 'A')).rcode.rcode, 'SERVFAIL');
      assert.equal((await ask('web.shop.svc.cluster.local', 'A')).rcode.rcode, 'NOERROR');
      assert.equal((await ask('99.99.99.10.in-addr.arpa', 'PTR')).by, 'next');
      synced = true;
      assert.equal((await ask('nosuch.shop.svc.cluster.local', 'A')).rcode.rcode, 'NXDOMAIN');

      let late = false;
      const held = new KubernetesHandler(k8s.config, k8s.index, NEXT, {
        synced: () => late,
        startupDeadline: Date.now() + 5000,
        localAddresses: [],
      });
      const wire = queryPacket('nosuch.shop.svc.cluster.local', 'A', {});
      const parsed = parseQuery(wire);
      assert.ok(parsed.ok);
      const started = Date.now();
      setTimeout(() => (late = true), 150);
      const reply = await held.serve(new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1, 0n));
      assert.ok(reply);
      assert.ok(Date.now() - started >= 140, 'the query waited for the sync');
      assert.equal((dnsPacket.decode(reply) as unknown as { rcode: string }).rcode, 'NXDOMAIN');
    } finally {
      await k8s.close();
    }
  });
});

describe('ExternalName chains', () => {
  /** A handler over an empty cluster plus the given ExternalName Services of `default`. */
  async function aliases(targets: Record<string, string>) {
    const { RecordIndex } = await import('../../src/records/record-index.js');
    const { KubernetesHandler } = await import('../../src/plugins/kubernetes/handler.js');
    const { parseKubernetesConfig } = await import('../../src/plugins/kubernetes/config.js');
    const { NEXT, directive } = await import('./in-process.js');
    const index = new RecordIndex({ kinds: [] });
    for (const [name, externalName] of Object.entries(targets)) {
      index.upsert({
        kind: 'Service',
        value: {
          namespace: 'default',
          name,
          kind: 'ExternalName',
          clusterIPs: [],
          externalName,
          ports: [],
        },
      });
    }
    const config = parseKubernetesConfig(directive(['cluster.local'], []), {
      zones: [''],
      port: 53,
      server: 'dns://:53',
    });
    return new KubernetesHandler(config, index, NEXT, {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: [],
    });
  }

  async function ask(handler: Handler, name: string, type: string) {
    const { render } = await import('./in-process.js');
    const wire = queryPacket(name, type, { udpSize: 1232 });
    const parsed = parseQuery(wire);
    assert.ok(parsed.ok);
    const reply = await handler.serve(new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1, 0n));
    assert.ok(reply);
    return render(reply);
  }

  const self = 'self.default.svc.cluster.local';
  const loopa = 'loopa.default.svc.cluster.local';
  const loopb = 'loopb.default.svc.cluster.local';

  it('answers a self-loop with its one CNAME, NOERROR and nothing else', async () => {
    const handler = await aliases({ self });
    for (const type of ['A', 'AAAA', 'TXT']) {
      const got = await ask(handler, self, type);
      assert.equal(got.rcode, 'NOERROR', type);
      assert.deepEqual(got.flags, ['qr', 'aa', 'rd'], type);
      assert.deepEqual(got.answer, [`${self}. 5 IN CNAME ${self}.`], type);
      assert.deepEqual(got.authority, [], type);
      assert.deepEqual(got.additional, [], type);
    }
  });

  it('answers a two-name loop with each CNAME once, from either end', async () => {
    const handler = await aliases({ loopa: loopb, loopb: loopa });
    const fromA = await ask(handler, loopa, 'A');
    assert.equal(fromA.rcode, 'NOERROR');
    assert.deepEqual(fromA.answer, [
      `${loopa}. 5 IN CNAME ${loopb}.`,
      `${loopb}. 5 IN CNAME ${loopa}.`,
    ]);
    assert.deepEqual(fromA.authority, []);
    const fromB = await ask(handler, loopb, 'AAAA');
    assert.equal(fromB.rcode, 'NOERROR');
    assert.deepEqual(fromB.answer, [
      `${loopb}. 5 IN CNAME ${loopa}.`,
      `${loopa}. 5 IN CNAME ${loopb}.`,
    ]);
    assert.deepEqual(fromB.authority, []);
  });

  it('stops a loop that starts further down the chain at its first repeat', async () => {
    const c = (n: string) => `${n}.default.svc.cluster.local`;
    const handler = await aliases({ entry: c('x1'), x1: c('x2'), x2: c('x1') });
    const got = await ask(handler, c('entry'), 'A');
    assert.equal(got.rcode, 'NOERROR');
    assert.deepEqual(got.answer, [
      `${c('entry')}. 5 IN CNAME ${c('x1')}.`,
      `${c('x1')}. 5 IN CNAME ${c('x2')}.`,
      `${c('x2')}. 5 IN CNAME ${c('x1')}.`,
    ]);
  });

  it('follows a long loop-free chain for 8 steps, then answers the 9th CNAME alone', async () => {
    const c = (i: number) => `c${i}.default.svc.cluster.local`;
    const targets: Record<string, string> = {};
    for (let i = 0; i < 12; i++) targets[`c${i}`] = c(i + 1);
    const handler = await aliases(targets);
    const got = await ask(handler, c(0), 'A');
    assert.equal(got.rcode, 'NOERROR');
    assert.deepEqual(
      got.answer,
      Array.from({ length: 9 }, (_, i) => `${c(i)}. 5 IN CNAME ${c(i + 1)}.`),
    );
  });

  it('skips unwritable targets', async () => {
    const handler = await aliases({ long: `${'x'.repeat(64)}.example.com` });
    const got = await ask(handler, 'long.default.svc.cluster.local', 'A');
    assert.equal(got.rcode, 'NXDOMAIN', 'an unwritable target is not answered');
  });
});
