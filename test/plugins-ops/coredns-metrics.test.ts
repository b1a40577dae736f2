/**
 * The prometheus plugin against a running clusterdns: after real queries (dig over UDP and TCP,
 * forwarded to a real dnsmasq on loopback), `/metrics` exports CoreDNS's families with the same
 * names, types, label names and buckets as CoreDNS's plugin/metrics README and vars list, with
 * exact counts, plus the Node.js process metrics.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { scrape, valueOf, type Family } from './exposition.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** CoreDNS's core families: name -> [type, label names] (plugin/metrics README, vars). */
const COREDNS_FAMILIES: Record<string, [string, string[]]> = {
  coredns_build_info: ['gauge', ['version', 'revision', 'goversion']],
  coredns_panics_total: ['counter', []],
  coredns_dns_requests_total: ['counter', ['server', 'zone', 'view', 'proto', 'family', 'type']],
  coredns_dns_request_duration_seconds: ['histogram', ['server', 'zone', 'view', 'type']],
  coredns_dns_request_size_bytes: ['histogram', ['server', 'zone', 'view', 'proto']],
  coredns_dns_do_requests_total: ['counter', ['server', 'view', 'zone']],
  coredns_dns_response_size_bytes: ['histogram', ['server', 'zone', 'view', 'proto']],
  coredns_dns_responses_total: ['counter', ['server', 'zone', 'view', 'rcode', 'plugin']],
  coredns_plugin_enabled: ['gauge', ['server', 'zone', 'view', 'name']],
};

/** CoreDNS `plugin.TimeBuckets`: exponential from 0.25 ms, factor 2, 16 buckets. */
const DURATION_BOUNDS = [
  '0.00025',
  '0.0005',
  '0.001',
  '0.002',
  '0.004',
  '0.008',
  '0.016',
  '0.032',
  '0.064',
  '0.128',
  '0.256',
  '0.512',
  '1.024',
  '2.048',
  '4.096',
  '8.192',
  '+Inf',
];
/** CoreDNS's request and response size buckets. */
const SIZE_BOUNDS = [
  '0',
  '100',
  '200',
  '300',
  '400',
  '511',
  '1023',
  '2047',
  '4095',
  '8291',
  '16000',
  '32000',
  '48000',
  '64000',
  '+Inf',
];

/** package.json, above the compiled tree (dist/test/plugins-ops) or beside it. */
function packageJson(): URL {
  const candidates = ['../../../package.json', '../../package.json'].map(
    (p) => new URL(p, import.meta.url),
  );
  return candidates.find((u) => fs.existsSync(u)) ?? candidates[0];
}

let upstream: Dnsmasq;
let server: ClusterDnsProcess;
let dir: string;
let families: Map<string, Family>;
let metricsPort: number;

describe('prometheus plugin: CoreDNS metric families', () => {
  before(async () => {
    upstream = await Dnsmasq.start(['--address=/a.test/192.0.2.1', '--address=/gone.test/']);
    dir = makeTempDir('metrics-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(
      corefile,
      `.:0 {\n  prometheus 127.0.0.1:0\n  forward . 127.0.0.1:${upstream.port}\n}\n`,
    );
    server = await ClusterDnsProcess.serve(['--conf', corefile]);
    metricsPort = server.httpPort('prometheus');
    const port = server.port;
    assert.equal((await dig('a.test', 'A', { port })).status, 'NOERROR');
    assert.equal((await dig('a.test', 'A', { port })).status, 'NOERROR');
    assert.equal((await dig('gone.test', 'TXT', { port, tcp: true })).status, 'NXDOMAIN');
    // dnsmasq has no NAPTR data and no upstream of its own: it refuses.
    assert.equal((await dig('a.test', 'NAPTR', { port, extra: ['+dnssec'] })).status, 'REFUSED');
    families = await scrape(metricsPort);
  });

  after(async () => {
    await server?.stop();
    await upstream?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports every core family with CoreDNS type and label names', () => {
    for (const [name, [type, labels]] of Object.entries(COREDNS_FAMILIES)) {
      const family = families.get(name);
      assert.ok(family, `${name} is exported`);
      assert.equal(family.type, type, `${name} type`);
      assert.ok(family.samples.length > 0, `${name} has samples`);
      for (const sample of family.samples) {
        const names = Object.keys(sample.labels)
          .filter((l) => l !== 'le')
          .sort();
        assert.deepEqual(names, [...labels].sort(), `${sample.name} labels`);
      }
    }
  });

  it('uses CoreDNS bucket bounds', () => {
    const bounds = (name: string) =>
      families
        .get(name)!
        .samples.filter((s) => s.name === `${name}_bucket` && s.labels.type === 'A')
        .map((s) => s.labels.le);
    assert.deepEqual(bounds('coredns_dns_request_duration_seconds'), DURATION_BOUNDS);
    for (const name of ['coredns_dns_request_size_bytes', 'coredns_dns_response_size_bytes']) {
      const les = families
        .get(name)!
        .samples.filter((s) => s.name === `${name}_bucket` && s.labels.proto === 'udp')
        .map((s) => s.labels.le);
      assert.deepEqual(les, SIZE_BOUNDS, name);
    }
  });

  it('counts requests per proto, family and type, other types as "other"', () => {
    const base = { server: 'dns://:0', zone: '.', view: '', family: '1' };
    assert.equal(
      valueOf(families, 'coredns_dns_requests_total', { ...base, proto: 'udp', type: 'A' }),
      2,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_requests_total', { ...base, proto: 'tcp', type: 'TXT' }),
      1,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_requests_total', { ...base, proto: 'udp', type: 'other' }),
      1,
    );
    const total = families
      .get('coredns_dns_requests_total')!
      .samples.reduce((n, s) => n + s.value, 0);
    assert.equal(total, 4);
  });

  it('counts responses by rcode and the plugin that wrote them', () => {
    const base = { server: 'dns://:0', zone: '.', view: '', plugin: 'forward' };
    assert.equal(
      valueOf(families, 'coredns_dns_responses_total', { ...base, rcode: 'NOERROR' }),
      2,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_responses_total', { ...base, rcode: 'NXDOMAIN' }),
      1,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_responses_total', { ...base, rcode: 'REFUSED' }),
      1,
    );
  });

  it('counts DO queries, durations and sizes', () => {
    const zone = { server: 'dns://:0', zone: '.', view: '' };
    assert.equal(valueOf(families, 'coredns_dns_do_requests_total', zone), 1);
    assert.equal(
      valueOf(families, 'coredns_dns_request_duration_seconds_count', { ...zone, type: 'A' }),
      2,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_request_size_bytes_count', { ...zone, proto: 'udp' }),
      3,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_request_size_bytes_count', { ...zone, proto: 'tcp' }),
      1,
    );
    assert.equal(
      valueOf(families, 'coredns_dns_response_size_bytes_count', { ...zone, proto: 'tcp' }),
      1,
    );
    // dig's A query for a.test with its default OPT (cookie off) is 47 bytes, under the 100 bound.
    assert.equal(
      valueOf(families, 'coredns_dns_request_size_bytes_bucket', {
        ...zone,
        proto: 'udp',
        le: '100',
      }),
      3,
    );
  });

  it('marks the prometheus plugin enabled and reports the build', () => {
    const enabled = { server: 'dns://:0', zone: '.', view: '', name: 'prometheus' };
    assert.equal(valueOf(families, 'coredns_plugin_enabled', enabled), 1);
    const [build] = families.get('coredns_build_info')!.samples;
    const pkg = JSON.parse(fs.readFileSync(packageJson(), 'utf8')) as { version: string };
    assert.deepEqual(build.labels, {
      version: pkg.version,
      revision: 'unknown',
      goversion: process.version,
    });
    assert.equal(build.value, 1);
    assert.equal(valueOf(families, 'coredns_panics_total', {}), 0);
  });

  it('exports Node.js process metrics', () => {
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.ok(families.has(name), name);
    }
  });

  it('serves only /metrics', async () => {
    const other = await fetch(`http://127.0.0.1:${metricsPort}/`);
    assert.equal(other.status, 404);
    await other.arrayBuffer();
  });
});

describe('prometheus plugin: one listener for several blocks', () => {
  let shared: ClusterDnsProcess;
  let sharedUpstream: Dnsmasq;
  let sharedDir: string;

  before(async () => {
    sharedUpstream = await Dnsmasq.start([
      '--address=/a.test/192.0.2.1',
      '--address=/b.test/192.0.2.2',
    ]);
    sharedDir = makeTempDir('metrics-');
    const corefile = path.join(sharedDir, 'Corefile');
    const block = (zone: string) =>
      `${zone}:0 {\n  prometheus 127.0.0.1:0\n  forward . 127.0.0.1:${sharedUpstream.port}\n}\n`;
    fs.writeFileSync(corefile, block('a.test') + block('b.test'));
    shared = await ClusterDnsProcess.serve(['--conf', corefile]);
  });

  after(async () => {
    await shared?.stop();
    await sharedUpstream?.stop();
    if (sharedDir) fs.rmSync(sharedDir, { recursive: true, force: true });
  });

  it('binds /metrics once and records each block under its own zone', async () => {
    const listening = shared.lines.filter(
      (l) => l.msg === 'http listening' && l.plugin === 'prometheus',
    );
    assert.equal(listening.length, 1);
    assert.equal(
      (await dig('www.a.test', 'A', { port: shared.port })).answer[0],
      'www.a.test. 0 IN A 192.0.2.1',
    );
    assert.equal((await dig('b.test', 'A', { port: shared.port })).status, 'NOERROR');
    const scraped = await scrape(shared.httpPort('prometheus'));
    const labels = { server: 'dns://:0', view: '', proto: 'udp', family: '1', type: 'A' };
    assert.equal(valueOf(scraped, 'coredns_dns_requests_total', { ...labels, zone: 'a.test.' }), 1);
    assert.equal(valueOf(scraped, 'coredns_dns_requests_total', { ...labels, zone: 'b.test.' }), 1);
  });
});
