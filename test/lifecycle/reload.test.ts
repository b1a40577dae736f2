/**
 * Reload: a changed Corefile (seen by the reload plugin, or on SIGHUP) is swapped in without
 * dropping a query; an invalid one is rejected with its file:line reason, the running
 * configuration keeps serving, and both outcomes are counted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { metricValue, writeCorefile } from '../server/fixtures.js';
import { buildQuery, readHeader, udpExchange } from '../server/raw-dns.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BASE = (extra: string): string =>
  `example.org:0 {\n  prometheus 127.0.0.1:0\n  reload 200ms 50ms\n}\n${extra}`;

/** Sends queries back to back until stopped; counts replies and missing replies. */
function steadyLoad(port: number): { stop: () => Promise<{ sent: number; answered: number }> } {
  let running = true;
  let sent = 0;
  let answered = 0;
  const loop = (async () => {
    while (running) {
      sent++;
      const reply = await udpExchange(
        port,
        buildQuery({ id: sent & 0xffff, name: 'a.example.org' }),
        1000,
      );
      if (reply && readHeader(reply).rcode === 2) answered++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { sent, answered };
    },
  };
}

describe('reload', () => {
  it('applies a good Corefile and rejects a bad one without dropping a query', async () => {
    const file = await writeCorefile(BASE(''));
    const proc = await ClusterDnsProcess.serve(['--conf', file, '--listen', '127.0.0.1:0']);
    const port = proc.port;
    const metrics = proc.httpPort('prometheus');
    const load = steadyLoad(port);
    assert.equal((await dig('www.other.test', 'A', { port })).status, 'REFUSED');

    await fs.writeFile(file, BASE('other.test:0 {\n}\n'));
    await proc.waitFor((l) => l.msg === 'config reloaded', 3000);
    assert.equal(
      (await dig('www.other.test', 'A', { port })).status,
      'SERVFAIL',
      'new block serves',
    );
    assert.equal(proc.httpPort('prometheus'), metrics, 'the metrics listener survived the reload');

    await fs.writeFile(file, BASE('other.test:0 {\n  no_such_plugin\n}\n'));
    const failed = await proc.waitFor(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('reload failed'),
      3000,
    );
    assert.equal(failed.file, file);
    assert.equal(failed.line, 6);
    assert.equal(failed.code, 'CONFIG_UNKNOWN_PLUGIN');
    assert.equal(
      (await dig('www.other.test', 'A', { port })).status,
      'SERVFAIL',
      'old config still serves',
    );
    assert.equal(await metricValue(metrics, 'coredns_reload_failed_total'), 1);

    const { sent, answered } = await load.stop();
    assert.ok(sent > 20, `only ${sent} queries sent`);
    assert.equal(answered, sent, 'every query during the reloads was answered');
    assert.equal(await proc.stop(), 0);
  });

  it('reloads on SIGHUP and exports the new digest', async () => {
    const corefile = 'example.org:0 {\n  prometheus 127.0.0.1:0\n}\n';
    const file = await writeCorefile(corefile);
    const proc = await ClusterDnsProcess.serve(['--conf', file, '--listen', '127.0.0.1:0']);
    const metrics = proc.httpPort('prometheus');
    const before = await versionDigest(metrics);
    assert.match(before, /^[0-9a-f]{128}$/);

    await fs.writeFile(file, corefile + 'other.test:0 {\n}\n');
    proc.child.kill('SIGHUP');
    await proc.waitFor((l) => l.msg === 'config reloaded', 3000);
    const after = await versionDigest(metrics);
    assert.match(after, /^[0-9a-f]{128}$/);
    assert.notEqual(after, before);
    assert.equal((await dig('other.test', 'A', { port: proc.port })).status, 'SERVFAIL');
    assert.equal(await proc.stop(), 0);
  });
});

describe('reload of imported files', () => {
  // Regression: only files that a block or directive came from were hashed, so an imported
  // file holding only snippet definitions (or only comments) was never watched.
  it('reloads when a snippet-only imported file changes', async () => {
    const dir = makeTempDir('clusterdns-reload-import-');
    const snippets = path.join(dir, 'snippets.conf');
    await fs.writeFile(snippets, '(extra) {\n}\n');
    const file = path.join(dir, 'Corefile');
    await fs.writeFile(
      file,
      'import snippets.conf\nexample.org:0 {\n  prometheus 127.0.0.1:0\n' +
        '  reload 200ms 50ms\n  import extra\n}\n',
    );
    const proc = await ClusterDnsProcess.serve(['--conf', file, '--listen', '127.0.0.1:0']);
    const metrics = proc.httpPort('prometheus');
    const before = await versionDigest(metrics);
    assert.match(before, /^[0-9a-f]{128}$/);
    assert.equal((await dig('www.example.org', 'A', { port: proc.port })).status, 'SERVFAIL');

    await fs.writeFile(snippets, '(extra) {\n  errors\n}\n');
    const reloaded = await proc.waitFor((l) => l.msg === 'config reloaded', 3000);
    assert.equal(reloaded.reason, 'corefile changed');
    const after = await versionDigest(metrics);
    assert.match(after, /^[0-9a-f]{128}$/);
    assert.notEqual(after, before);
    assert.equal(proc.lines.filter((l) => l.msg === 'config reloaded').length, 1);
    assert.equal(await proc.stop(), 0);
  });
});

describe('reload with cluster state', () => {
  it('keeps the one Kubernetes state source across a reload', async () => {
    const dir = makeTempDir('clusterdns-reload-');
    const state = path.join(dir, 'state.yaml');
    await fs.writeFile(state, STATE);
    const corefile = `cluster.local:0 {\n  kubernetes {\n    state ${state}\n  }\n}\n`;
    const file = await writeCorefile(corefile);
    const proc = await ClusterDnsProcess.serve(['--conf', file, '--listen', '127.0.0.1:0']);
    await proc.waitFor((l) => l.msg === 'state loaded', 5000);
    const port = proc.port;

    await fs.writeFile(file, corefile + 'other.test:0 {\n}\n');
    proc.child.kill('SIGHUP');
    await proc.waitFor((l) => l.msg === 'config reloaded', 3000);
    const answer = await dig('web.shop.svc.cluster.local', 'A', { port });
    assert.deepEqual(answer.answer, ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20']);
    assert.equal((await dig('other.test', 'A', { port })).status, 'SERVFAIL');
    assert.equal(proc.lines.filter((l) => l.msg === 'state loaded').length, 1, proc.output());
    assert.equal(await proc.stop(), 0);
  });
});

const STATE = [
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: web, namespace: shop}',
  'spec: {clusterIP: 10.96.0.20, ports: [{name: http, port: 80, protocol: TCP}]}',
  '---',
  'apiVersion: v1',
  'kind: Namespace',
  'metadata: {name: shop}',
].join('\n');

async function versionDigest(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = /^coredns_reload_version_info\{hash="sha512",value="([0-9a-f]+)"\} 1$/m.exec(text);
  return match?.[1] ?? '';
}
