/**
 * The health and ready probes, and shutdown: `/health` is 200 OK while alive; `/ready` is 200
 * OK when nothing is unready; on SIGTERM with `lameduck D` readiness fails at once, DNS keeps
 * answering for D, then the process exits 0; without lameduck it exits promptly with 0.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { metricValue, writeCorefile } from '../server/fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const LAMEDUCK_MS = 1500;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: dead
  cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: not-a-secret}
contexts:
- name: c
  context: {cluster: dead, user: u}
current-context: c
`;

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

async function start(corefile: string): Promise<ClusterDnsProcess> {
  return ClusterDnsProcess.serve([
    '--conf',
    await writeCorefile(corefile),
    '--listen',
    '127.0.0.1:0',
  ]);
}

describe('probes and shutdown', () => {
  it('serves /health and /ready with 200 OK, other paths 404', async () => {
    const proc = await start(
      'example.org:0 {\n  health 127.0.0.1:0\n  ready 127.0.0.1:0\n  prometheus 127.0.0.1:0\n}\n',
    );
    const health = proc.httpPort('health');
    const ready = proc.httpPort('ready');
    assert.deepEqual(await get(health, '/health'), { status: 200, body: 'OK' });
    assert.deepEqual(await get(ready, '/ready'), { status: 200, body: 'OK' });
    assert.equal((await get(health, '/nope')).status, 404);
    assert.equal((await get(ready, '/health')).status, 404);
    // The health plugin checks itself once a second and exports CoreDNS's health metrics.
    await new Promise((r) => setTimeout(r, 1300));
    const metrics = proc.httpPort('prometheus');
    const count = await metricValue(metrics, 'coredns_health_request_duration_seconds_count');
    assert.ok((count ?? 0) >= 1, `self-checks: ${count}`);
    assert.equal(await metricValue(metrics, 'coredns_health_request_failures_total'), 0);
    const started = Date.now();
    assert.equal(await proc.stop(), 0);
    assert.ok(Date.now() - started < 2000, 'without lameduck the exit is prompt');
  });

  it('is not ready (kubernetes, rehearsal) while the Kubernetes API is unreachable', async () => {
    const dir = makeTempDir('clusterdns-probes-');
    const kubeconfig = path.join(dir, 'kubeconfig');
    // Port 1 on loopback: connections are refused, so the first sync never completes.
    await fs.writeFile(kubeconfig, KUBECONFIG);
    const corefile = [
      'cluster.local:0 {',
      '  ready 127.0.0.1:0',
      `  kubernetes {\n    kubeconfig ${kubeconfig}\n  }`,
      '}',
    ].join('\n');
    const proc = await start(corefile);
    assert.deepEqual(await get(proc.httpPort('ready'), '/ready'), {
      status: 503,
      body: 'kubernetes\nrehearsal\n',
    });
    assert.equal(await proc.stop(), 0);
  });

  it('fails readiness at once on SIGTERM, answers DNS during lameduck, then exits 0', async () => {
    const corefile = [
      'example.org:0 {',
      '  health 127.0.0.1:0 {',
      `    lameduck ${LAMEDUCK_MS}ms`,
      '  }',
      '  ready 127.0.0.1:0',
      '}',
    ].join('\n');
    const proc = await start(corefile);
    const ready = proc.httpPort('ready');
    const health = proc.httpPort('health');
    const port = proc.port;
    assert.equal((await get(ready, '/ready')).status, 200);

    const started = Date.now();
    proc.child.kill('SIGTERM');
    await proc.waitFor((l) => l.msg === 'shutting down', 1000);
    const during = await get(ready, '/ready');
    assert.equal(during.status, 503);
    assert.equal((await get(health, '/health')).status, 200, 'liveness holds during lameduck');
    await new Promise((r) => setTimeout(r, LAMEDUCK_MS / 2));
    const answer = await dig('www.example.org', 'A', { port });
    assert.equal(answer.status, 'SERVFAIL', 'DNS still answers in lameduck');
    assert.equal((await dig('other.test', 'A', { port, tcp: true })).status, 'REFUSED');

    assert.equal(await proc.wait(), 0);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= LAMEDUCK_MS && elapsed < LAMEDUCK_MS + 3000, `exited after ${elapsed} ms`);
  });
});
