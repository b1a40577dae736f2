/**
 * Query classes against the real process: ANY is answered as IN from the cluster's data, and
 * no cluster name leaves for the upstream in any class (a tester saw class ANY questions for
 * cluster names forwarded to the node's resolver).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { MisbehavingServer } from '../upstreams/misbehaving-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from './in-process.js';

const STATE = path.join(FIXTURES, 'cluster.yaml');

describe('query classes', () => {
  let upstream: MisbehavingServer;
  let server: ClusterDnsProcess;
  let dir: string;

  before(async () => {
    upstream = await MisbehavingServer.start();
    dir = makeTempDir('clusterdns-class-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(
      corefile,
      [
        '.:0 {',
        '    bind 127.0.0.1',
        '    kubernetes cluster.local in-addr.arpa ip6.arpa {',
        `        state ${STATE}`,
        '    }',
        `    forward . 127.0.0.1:${upstream.port}`,
        '}',
        '',
      ].join('\n'),
    );
    server = await ClusterDnsProcess.serve(['--conf', corefile]);
    await server.waitFor((line) => line.msg === 'state loaded');
  });

  after(async () => {
    await server?.stop();
    await upstream?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('class ANY is answered from the cluster data, with AA, and not forwarded', async () => {
    const options = { port: server.port, extra: ['-c', 'ANY'] };
    const r = await dig('web.shop.svc.cluster.local', 'A', options);
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(r.answer, ['web.shop.svc.cluster.local. 5 IN A 10.96.0.20']);
    assert.deepEqual(upstream.queries, []);
  });

  it('other classes for cluster names are REFUSED and not forwarded', async () => {
    for (const cls of ['CH', 'HS', 'NONE']) {
      const options = { port: server.port, extra: ['-c', cls] };
      const r = await dig('web.shop.svc.cluster.local', 'A', options);
      assert.equal(r.status, 'REFUSED', cls);
      assert.deepEqual(r.answer, [], cls);
    }
    assert.deepEqual(upstream.queries, []);
  });

  it('names outside the cluster zones still go upstream in class IN', async () => {
    const r = await dig('example.test', 'A', { port: server.port });
    assert.deepEqual(r.answer, ['example.test. 300 IN A 192.0.2.1']);
    assert.deepEqual(
      upstream.queries.map((q) => `${q.name} ${q.type}`),
      ['example.test A'],
    );
  });
});
