/**
 * The start-up rehearsal of the answer path (src/server/rehearsal.ts) against a running
 * clusterdns: it runs once the cluster state has loaded, before /ready answers 200, and leaves
 * no trace: no datagram reaches the upstream (even for the names that fall through to
 * `forward`), no query is counted in the DNS, cache or forward metrics, no query log line is
 * written, and the first real queries are answered and counted exactly as without it.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DnsRequest } from '../../src/chain/request.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { scrape, valueOf } from '../plugins-ops/exposition.js';
import { KubernetesHandler } from '../../src/plugins/kubernetes/handler.js';
import { parseKubernetesConfig } from '../../src/plugins/kubernetes/config.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { chainEnd } from '../../src/chain/assemble-terminal.js';
import { parseDirectiveForTest } from '../plugins-ops/directive-text.js';
import { rehearsalQueries } from '../../src/server/rehearsal.js';
import { parseQuery } from '../../src/wire/query.js';
import { RRType } from '../../src/wire/constants.js';

const EXAMPLE_STATE = path.resolve('examples/cluster-state.yaml');

/** A UDP socket standing in for the upstream's address: it only counts what arrives. */
async function countingSocket(): Promise<{
  socket: dgram.Socket;
  port: number;
  count: () => number;
}> {
  const socket = dgram.createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, count: () => received };
}

for (const udpIo of ['batch', 'dgram'] as const) {
  describe(`start-up rehearsal in a running clusterdns (--udp-io ${udpIo})`, () => {
    let dir: string;
    let server: ClusterDnsProcess;
    let upstream: Awaited<ReturnType<typeof countingSocket>>;

    before(async () => {
      dir = makeTempDir('rehearsal-');
      upstream = await countingSocket();
      const corefile = path.join(dir, 'Corefile');
      // Everything that could leave a trace: log, prometheus, a cache over every name, and
      // fallthrough from kubernetes to forward for names the cluster does not have.
      fs.writeFileSync(
        corefile,
        [
          '.:0 {',
          '  log',
          '  errors',
          '  prometheus 127.0.0.1:0',
          '  ready 127.0.0.1:0',
          '  cache 30',
          `  kubernetes cluster.local in-addr.arpa {`,
          `    state ${EXAMPLE_STATE}`,
          '    fallthrough',
          '  }',
          `  forward . 127.0.0.1:${upstream.port}`,
          '}',
          '',
        ].join('\n'),
      );
      server = await ClusterDnsProcess.serve(['--conf', corefile, '--udp-io', udpIo]);
      await server.waitFor((l) => l.msg === 'answer path rehearsed', 10_000);
    });

    after(async () => {
      await server?.stop();
      upstream?.socket.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('rehearses a bounded number of queries once, within its time budget', () => {
      const lines = server.lines.filter((l) => l.msg === 'answer path rehearsed');
      assert.equal(lines.length, 1);
      const { queries, ms } = lines[0] as unknown as { queries: number; ms: number };
      assert.ok(queries > 0 && queries <= 30_000, `queries ${queries}`);
      // 300 ms of budget, checked between batches of at most 64 queries.
      assert.ok(ms <= 400, `ms ${ms}`);
      const loaded = server.lines.findIndex((l) => l.msg === 'state loaded');
      const rehearsed = server.lines.findIndex((l) => l.msg === 'answer path rehearsed');
      assert.ok(loaded >= 0 && loaded < rehearsed, 'rehearsal runs after the state has loaded');
    });

    it('sends nothing upstream, logs no query and counts nothing', async () => {
      assert.equal(upstream.count(), 0);
      assert.equal(
        server.lines.filter((l) => typeof l.text === 'string' && l.text.startsWith('[INFO]'))
          .length,
        0,
      );
      const families = await scrape(server.httpPort('prometheus'));
      for (const name of [
        'coredns_dns_requests_total',
        'coredns_dns_responses_total',
        'coredns_cache_requests_total',
        'coredns_cache_misses_total',
        'coredns_forward_requests_total',
      ]) {
        const total = (families.get(name)?.samples ?? []).reduce((sum, s) => sum + s.value, 0);
        assert.equal(total, 0, name);
      }
      const entries = (families.get('coredns_cache_entries')?.samples ?? []).map((s) => s.value);
      assert.deepEqual(
        entries.filter((v) => v !== 0),
        [],
      );
    });

    it('is ready, and the first real query is answered, logged and counted once', async () => {
      const ready = await fetch(`http://127.0.0.1:${server.httpPort('ready')}/ready`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), 'OK');
      const result = await dig('redis-master.default.svc.cluster.local', 'A', {
        port: server.port,
      });
      assert.equal(result.status, 'NOERROR');
      assert.deepEqual(result.answer, [
        'redis-master.default.svc.cluster.local. 5 IN A 10.96.130.112',
      ]);
      await server.waitFor((l) => typeof l.text === 'string' && l.text.includes('redis-master'));
      const families = await scrape(server.httpPort('prometheus'));
      const requests = valueOf(families, 'coredns_dns_requests_total', { type: 'A', proto: 'udp' });
      assert.equal(requests, 1);
      assert.equal(upstream.count(), 0);
    });
  });
}

describe('start-up rehearsal and readiness before the state has loaded', () => {
  let dir: string;
  let server: ClusterDnsProcess;

  before(async () => {
    dir = makeTempDir('rehearsal-ready-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(
      corefile,
      [
        '.:0 {',
        '  ready 127.0.0.1:0',
        '  kubernetes cluster.local {',
        `    state ${path.join(dir, 'state.yaml')}`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    server = await ClusterDnsProcess.serve(['--conf', corefile]);
  });

  after(async () => {
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports rehearsal not ready until it has run, across a reload before the sync', async () => {
    const readyUrl = `http://127.0.0.1:${server.httpPort('ready')}/ready`;
    const get = async (): Promise<[number, string]> => {
      const response = await fetch(readyUrl);
      return [response.status, await response.text()];
    };
    // The ready plugin remembers a source once it was ready: rehearsal must not be, yet.
    assert.deepEqual(await get(), [503, 'kubernetes\nrehearsal\n']);
    assert.deepEqual(await get(), [503, 'kubernetes\nrehearsal\n']);
    // A reload replaces the generation that was waiting to rehearse; the new one takes it over.
    server.child.kill('SIGHUP');
    await server.waitFor((l) => l.msg === 'config reloaded', 5000);
    assert.deepEqual(await get(), [503, 'kubernetes\nrehearsal\n']);
    fs.copyFileSync(EXAMPLE_STATE, path.join(dir, 'state.yaml'));
    const rehearsed = await server.waitFor((l) => l.msg === 'answer path rehearsed', 10_000);
    assert.ok((rehearsed.queries as number) > 0);
    assert.deepEqual(await get(), [200, 'OK']);
    assert.equal(server.lines.filter((l) => l.msg === 'answer path rehearsed').length, 1);
  });
});

describe('rehearsal questions of the kubernetes plugin', () => {
  const index = new RecordIndex({ kinds: ['Service'] });
  index.replaceAll('Service', [
    service(
      'default',
      'web',
      'ClusterIP',
      ['10.96.0.20'],
      [{ name: 'http', port: 80, protocol: 'tcp' }],
    ),
    service('default', 'six', 'ClusterIP', ['fd00::20'], [{ name: '', port: 53, protocol: 'udp' }]),
    service('default', 'peers', 'Headless', [], [{ name: 'p', port: 7000, protocol: 'tcp' }]),
    service('default', 'ext', 'ExternalName', [], [], 'db.example.com'),
    service('shop', 'db', 'ClusterIP', ['10.96.1.5'], []),
  ]);
  index.markSynced('Service');

  function handlerFor(zones: string): KubernetesHandler {
    const config = parseKubernetesConfig(parseDirectiveForTest(`kubernetes ${zones}`), {
      zones: ['.'],
    } as never);
    return new KubernetesHandler(config, index, chainEnd, {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: [],
    });
  }

  it('asks for ClusterIP Services: address, PTR in served reverse zones, SRV, missing name', () => {
    const questions = handlerFor('cluster.local in-addr.arpa').rehearsalQuestions();
    // One missing name per namespace; no PTR for fd00::20, whose ip6.arpa zone is not served.
    assert.deepEqual(questions, [
      { name: 'web.default.svc.cluster.local', type: RRType.A },
      { name: '20.0.96.10.in-addr.arpa', type: RRType.PTR },
      { name: '_http._tcp.web.default.svc.cluster.local', type: RRType.SRV },
      { name: 'clusterdns-rehearsal-.default.svc.cluster.local', type: RRType.A },
      { name: 'six.default.svc.cluster.local', type: RRType.AAAA },
      { name: 'db.shop.svc.cluster.local', type: RRType.A },
      { name: '5.1.96.10.in-addr.arpa', type: RRType.PTR },
      { name: 'clusterdns-rehearsal-.shop.svc.cluster.local', type: RRType.A },
    ]);
  });

  it('leaves out reverse names of zones the block does not serve', () => {
    const names = handlerFor('cluster.local')
      .rehearsalQuestions()
      .map((q) => q.name);
    assert.equal(names.filter((n) => n.endsWith('.arpa')).length, 0);
  });

  it('encodes each question without and with EDNS, and answers them from the index', () => {
    const handler = handlerFor('cluster.local in-addr.arpa');
    const queries = rehearsalQueries(handler.rehearsalQuestions());
    // Per query: name, type, EDNS UDP size (0: none), then the reply's rcode and ANCOUNT
    // (3 is NXDOMAIN).
    const answered = queries.map((wire) => {
      const p = parseQuery(wire);
      assert.ok(p.ok);
      const request = new DnsRequest(p.query, wire, 'udp', '127.0.0.1', 40000, 0n, true);
      const reply = handler.serve(request) as Buffer;
      const { name, type, edns } = p.query;
      return [name, type, edns?.udpSize ?? 0, reply[3] & 0xf, reply.readUInt16BE(6)];
    });
    const both = (name: string, type: number, rcode: number, count: number) => [
      [name, type, 0, rcode, count],
      [name, type, 1232, rcode, count],
    ];
    assert.deepEqual(answered, [
      ...both('web.default.svc.cluster.local', RRType.A, 0, 1),
      ...both('20.0.96.10.in-addr.arpa', RRType.PTR, 0, 1),
      ...both('_http._tcp.web.default.svc.cluster.local', RRType.SRV, 0, 1),
      ...both('clusterdns-rehearsal-.default.svc.cluster.local', RRType.A, 3, 0),
      ...both('six.default.svc.cluster.local', RRType.AAAA, 0, 1),
      ...both('db.shop.svc.cluster.local', RRType.A, 0, 1),
      ...both('5.1.96.10.in-addr.arpa', RRType.PTR, 0, 1),
      ...both('clusterdns-rehearsal-.shop.svc.cluster.local', RRType.A, 3, 0),
    ]);
  });
});

function service(
  namespace: string,
  name: string,
  kind: 'ClusterIP' | 'Headless' | 'ExternalName',
  clusterIPs: string[],
  ports: { name: string; port: number; protocol: 'tcp' | 'udp' }[],
  externalName = '',
) {
  return {
    kind: 'Service' as const,
    value: { namespace, name, kind, clusterIPs, externalName, ports },
  };
}
