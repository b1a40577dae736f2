/**
 * The answer table against the real `clusterdns serve` process, queried with the real `dig`
 * over UDP and TCP, and with Node's c-ares resolver for a subset; plus `pods verified` and a
 * state-file change seen in answers within one second.
 */
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { copyFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { maskSerial, TABLE } from './answer-table.js';
import { FIXTURES } from './in-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FIXTURE = path.join(FIXTURES, 'cluster.yaml');

function serveArgs(state: string, pods: string): string[] {
  // The upstream is a closed loopback port: nothing here may leave the cluster zones.
  return ['--state', state, '--listen', '127.0.0.1:0', '--pods', pods, '--upstream', '127.0.0.1:9'];
}

describe('clusterdns serve answers the table (dig, UDP and TCP)', () => {
  let server: ClusterDnsProcess;
  let startedAt = 0;
  before(async () => {
    startedAt = Math.floor(Date.now() / 1000);
    server = await ClusterDnsProcess.serve(serveArgs(FIXTURE, 'insecure'));
  });
  after(() => server.stop());

  for (const tcp of [false, true]) {
    for (const row of TABLE) {
      it(`${tcp ? 'tcp' : 'udp'}: ${row.name} ${row.type} -> ${row.rcode}`, async () => {
        const got = await dig(row.name, row.type, { port: server.port, tcp });
        const serial = (value: number): boolean =>
          value >= startedAt - 1 && value <= Date.now() / 1000 + 1;
        assert.equal(got.status, row.rcode, got.raw);
        assert.deepEqual(got.flags, ['qr', 'aa', 'rd']);
        assert.deepEqual(maskSerial(got.answer, serial), row.answer ?? []);
        assert.deepEqual(maskSerial(got.authority, serial), row.authority ?? []);
        assert.deepEqual(got.additional, row.additional ?? []);
      });
    }
  }

  it('answers Node.js c-ares lookups', async () => {
    const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await resolver.resolve4('web.shop.svc.cluster.local', { ttl: true }), [
      { address: '10.96.0.20', ttl: 5 },
    ]);
    assert.deepEqual(await resolver.resolve6('both-stacks.dual.svc.cluster.local'), [
      'fd00:10:96::40',
    ]);
    assert.deepEqual(await resolver.resolveSrv('_http._tcp.web.shop.svc.cluster.local'), [
      { name: 'web.shop.svc.cluster.local', port: 80, priority: 0, weight: 100 },
    ]);
    assert.deepEqual(await resolver.resolveTxt('dns-version.cluster.local'), [['1.1.0']]);
    assert.deepEqual(await resolver.resolveCname('api-alias.front.svc.cluster.local'), [
      'api.store.svc.cluster.local',
    ]);
    assert.deepEqual(await resolver.resolve4('api-alias.front.svc.cluster.local'), ['10.96.0.30']);
    assert.deepEqual(await resolver.reverse('10.96.0.20'), ['web.shop.svc.cluster.local']);
    assert.deepEqual((await resolver.resolve4('cache.shop.svc.cluster.local')).sort(), [
      '10.244.2.1',
      '10.244.2.2',
    ]);
    await assert.rejects(resolver.resolve6('web.shop.svc.cluster.local'), { code: 'ENODATA' });
    await assert.rejects(resolver.resolve4('nosuch.shop.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('db.shop.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('ip-alias.front.svc.cluster.local'), {
      code: 'ENOTFOUND',
    });
  });
});

describe('clusterdns serve --pods verified', () => {
  let server: ClusterDnsProcess;
  before(async () => {
    server = await ClusterDnsProcess.serve(serveArgs(FIXTURE, 'verified'));
  });
  after(() => server.stop());

  it('answers a pod name only when that pod exists in that namespace', async () => {
    const ok = await dig('10-244-1-7.shop.pod.cluster.local', 'A', { port: server.port });
    assert.equal(ok.status, 'NOERROR');
    assert.deepEqual(ok.answer, ['10-244-1-7.shop.pod.cluster.local. 5 IN A 10.244.1.7']);
    for (const name of [
      '10-244-1-7.store.pod.cluster.local',
      '10-244-1-99.shop.pod.cluster.local',
    ]) {
      const missing = await dig(name, 'A', { port: server.port, tcp: true });
      assert.equal(missing.status, 'NXDOMAIN');
      assert.equal(missing.authority.length, 1);
    }
  });
});

describe('clusterdns serve follows the state file', () => {
  let dir: string;
  let server: ClusterDnsProcess;
  before(async () => {
    dir = makeTempDir('clusterdns-k8s-');
    await copyFile(FIXTURE, path.join(dir, 'cluster.yaml'));
    server = await ClusterDnsProcess.serve(serveArgs(path.join(dir, 'cluster.yaml'), 'disabled'));
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a Service added to the file within one second, with a fresh answer', async () => {
    const name = 'late.shop.svc.cluster.local';
    const before = await dig(name, 'A', { port: server.port });
    assert.equal(before.status, 'NXDOMAIN');
    const file = path.join(dir, 'cluster.yaml');
    const added = [
      '- apiVersion: v1',
      '  kind: Service',
      '  metadata: {name: late, namespace: shop}',
      '  spec: {clusterIP: 10.96.0.77, clusterIPs: [10.96.0.77]}',
      '',
    ].join('\n');
    const changedAt = Date.now();
    await writeFile(file, (await readFile(file, 'utf8')) + added);
    let answer: string[] = [];
    while (Date.now() - changedAt < 1000) {
      answer = (await dig(name, 'A', { port: server.port })).answer as string[];
      if (answer.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(answer, [`${name}. 5 IN A 10.96.0.77`]);
    assert.ok(Date.now() - changedAt < 1000);
  });
});
