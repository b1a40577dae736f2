/**
 * The Grafana dashboard and the Prometheus alerting rules in deploy/ only use metrics clusterdns
 * exports: every name is scraped from a running clusterdns (prometheus, cache and forward to a
 * real dnsmasq, after a few queries), or, for plugins that need a Kubernetes API, found defined
 * in the source file declared below. Both files are also checked for shape.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseDuration } from '../../src/config/duration.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { scrape } from '../plugins-ops/exposition.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { deployDir, repositoryRoot } from './deploy-dir.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Metrics of plugins this test does not run (they need a Kubernetes API server), with the
 * source file that registers each: the name must be defined there.
 */
const DECLARED: Record<string, string> = {
  clusterdns_kubernetes_synced: 'src/cluster/api/api-source.ts',
  clusterdns_kubernetes_api_outages_total: 'src/cluster/api/api-source.ts',
};

/** Series Prometheus itself makes. */
const PROMETHEUS_BUILTIN = new Set(['up']);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

interface Panel {
  id: number;
  title: string;
  datasource: { uid: string };
  targets: { refId: string; expr: string }[];
}

const rules = (): Rule[] =>
  (
    parse(fs.readFileSync(path.join(deployDir(), 'prometheus-rules.yaml'), 'utf8')) as {
      groups: { rules: Rule[] }[];
    }
  ).groups.flatMap((g) => g.rules);
const panels = (): Panel[] =>
  (
    JSON.parse(fs.readFileSync(path.join(deployDir(), 'grafana-dashboard.json'), 'utf8')) as {
      panels: Panel[];
    }
  ).panels;

/** Metric names in a PromQL expression (histogram series map to their family). */
function metricNames(expr: string): string[] {
  const names = [
    ...expr.matchAll(/\b((?:coredns|clusterdns|process|nodejs)_[a-z0-9_]+|up)\b(?=\s*[{[)=\s]|$)/g),
  ].map((m) => m[1]);
  return names.map((n) => n.replace(/_(bucket|sum|count)$/, ''));
}

function usedNames(): string[] {
  const exprs = [
    ...rules().map((r) => r.expr),
    ...panels().flatMap((p) => p.targets.map((t) => t.expr)),
  ];
  return [...new Set(exprs.flatMap(metricNames))].sort();
}

describe('dashboard and alerting rules', () => {
  let upstream: Dnsmasq;
  let server: ClusterDnsProcess;
  let dir: string;
  let exported: Set<string>;

  before(async () => {
    upstream = await Dnsmasq.start(['--address=/a.test/192.0.2.1']);
    dir = makeTempDir('observability-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(
      corefile,
      `.:0 {\n  errors\n  prometheus 127.0.0.1:0\n  cache 30\n  forward . 127.0.0.1:${upstream.port}\n}\n`,
    );
    server = await ClusterDnsProcess.serve(['--conf', corefile]);
    for (let i = 0; i < 3; i++)
      assert.equal((await dig('a.test', 'A', { port: server.port })).status, 'NOERROR');
    exported = new Set((await scrape(server.httpPort('prometheus'))).keys());
  });

  after(async () => {
    await server?.stop();
    await upstream?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('use the metric families named in the dashboard and the rules', () => {
    assert.deepEqual(usedNames(), [
      'clusterdns_kubernetes_api_outages_total',
      'clusterdns_kubernetes_synced',
      'coredns_cache_entries',
      'coredns_cache_hits_total',
      'coredns_cache_requests_total',
      'coredns_dns_request_duration_seconds',
      'coredns_dns_requests_total',
      'coredns_dns_responses_total',
      'coredns_forward_healthcheck_broken_total',
      'coredns_forward_max_concurrent_rejects_total',
      'coredns_panics_total',
      'coredns_proxy_healthcheck_failures_total',
      'coredns_proxy_request_duration_seconds',
      'coredns_reload_failed_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'up',
    ]);
  });

  it('every metric they use is exported by clusterdns', () => {
    const root = repositoryRoot();
    const missing = usedNames().filter((name) => {
      if (PROMETHEUS_BUILTIN.has(name) || exported.has(name)) return false;
      const source = DECLARED[name];
      return !source || !fs.readFileSync(path.join(root, source), 'utf8').includes(`'${name}'`);
    });
    assert.deepEqual(missing, []);
  });

  it('the declared list only holds names a running server does not show', () => {
    for (const name of Object.keys(DECLARED)) assert.equal(exported.has(name), false, name);
  });

  it('every rule has a unique name, a severity, a valid for, a summary and a description', () => {
    const all = rules();
    assert.equal(new Set(all.map((r) => r.alert)).size, all.length);
    for (const rule of all) {
      assert.match(rule.alert, /^ClusterDNS[A-Za-z]+$/);
      assert.ok(['warning', 'critical'].includes(rule.labels.severity), rule.alert);
      if (rule.for !== undefined) assert.notEqual(parseDuration(rule.for), null, rule.alert);
      assert.ok(
        rule.annotations.summary.length > 10 && rule.annotations.description.length > 10,
        rule.alert,
      );
      assert.equal(balanced(rule.expr), true, rule.alert);
    }
  });

  it('every panel has a unique id, a title and queries on the chosen data source', () => {
    const all = panels();
    assert.equal(new Set(all.map((p) => p.id)).size, all.length);
    for (const panel of all) {
      assert.ok(panel.title);
      assert.equal(panel.datasource.uid, '${datasource}');
      assert.ok(panel.targets.length > 0);
      for (const target of panel.targets)
        assert.equal(balanced(target.expr), true, `${panel.title}: ${target.expr}`);
    }
  });
});

function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of expr.replace(/"[^"]*"/g, '""')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (pairs[ch] && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}
