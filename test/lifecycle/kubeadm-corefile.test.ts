/**
 * kubeadm's default Corefile, changed only where a test must (loopback addresses, port 0, a
 * state file instead of the API, dnsmasq on loopback instead of /etc/resolv.conf), assembled
 * with every plugin it names: cluster answers, forwarded answers, reverse lookups, the probes,
 * metrics, and a lameduck shutdown.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { metricValue, writeCorefile } from '../server/fixtures.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const STATE = [
  'apiVersion: v1',
  'kind: Namespace',
  'metadata: {name: shop}',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: web, namespace: shop}',
  'spec: {clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20], ports: [{name: http, port: 80}]}',
].join('\n');

function kubeadmCorefile(state: string, upstreamPort: number): string {
  return `.:53 {
    errors
    health 127.0.0.1:0 {
       lameduck 1s
    }
    ready 127.0.0.1:0
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       state ${state}
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus 127.0.0.1:0
    forward . 127.0.0.1:${upstreamPort} {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;
}

describe("kubeadm's Corefile", () => {
  let upstream: Dnsmasq;
  let proc: ClusterDnsProcess;
  let port: number;

  before(async () => {
    upstream = await Dnsmasq.start(['--address=/ext.test/192.0.2.7']);
    const dir = makeTempDir('clusterdns-kubeadm-');
    const state = path.join(dir, 'state.yaml');
    await fs.writeFile(state, STATE);
    const conf = await writeCorefile(kubeadmCorefile(state, upstream.port));
    proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    port = proc.port;
    await proc.waitFor((l) => l.msg === 'state loaded', 5000);
  });

  after(async () => {
    if (proc) await proc.stop();
    await upstream.stop();
  });

  it('answers a Service from the cluster zone with TTL 30 and AA', async () => {
    const result = await dig('web.shop.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(result.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.0.20']);
  });

  it('answers the reverse name of the ClusterIP', async () => {
    const result = await dig('20.0.96.10.in-addr.arpa', 'PTR', { port, tcp: true });
    assert.deepEqual(result.answer, [
      '20.0.96.10.in-addr.arpa. 30 IN PTR web.shop.svc.cluster.local.',
    ]);
  });

  it('forwards other names upstream', async () => {
    const result = await dig('www.ext.test', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    assert.equal(result.answer.length, 1);
    assert.match(result.answer[0], /^www\.ext\.test\. \d+ IN A 192\.0\.2\.7$/);
  });

  it('is alive and ready, and exports the DNS metrics', async () => {
    const health = await fetch(`http://127.0.0.1:${proc.httpPort('health')}/health`);
    assert.deepEqual([health.status, await health.text()], [200, 'OK']);
    const ready = await fetch(`http://127.0.0.1:${proc.httpPort('ready')}/ready`);
    assert.deepEqual([ready.status, await ready.text()], [200, 'OK']);
    const metrics = proc.httpPort('prometheus');
    const sample =
      'coredns_dns_requests_total{server="dns://:0",zone=".",view="",proto="udp",' +
      'family="1",type="A"}';
    const requests = (await metricValue(metrics, sample)) ?? 0;
    assert.ok(requests >= 2, `${requests} A queries over UDP counted`);
  });

  it('shuts down after the lameduck with exit code 0', async () => {
    const started = Date.now();
    assert.equal(await proc.stop(), 0);
    assert.ok(Date.now() - started >= 1000);
  });
});
