/**
 * Beyond CoreDNS: with `cache 30` in front of the kubernetes plugin (no `disable` lines), a
 * change to a Service is visible as soon as the index has it, never 30 s later: the cache
 * does not keep answers the kubernetes plugin wrote. Real plugin, real state file, real dig.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Handler } from '../../src/chain/handler.js';
import { setup as cacheSetup } from '../../src/plugins/cache/setup.js';
import { setup as kubernetesSetup } from '../../src/plugins/kubernetes/setup.js';
import { dig } from '../helpers/dig.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function state(services: { name: string; ip: string }[]): string {
  const items = [
    '- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: shop',
    ...services.map(
      (s) =>
        `- apiVersion: v1\n  kind: Service\n  metadata:\n    name: ${s.name}\n    namespace: shop\n` +
        `  spec:\n    type: ClusterIP\n    clusterIP: ${s.ip}\n    clusterIPs: [${s.ip}]\n` +
        '    ports:\n    - name: http\n      port: 80\n      protocol: TCP',
    ),
  ];
  return `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`;
}

/** Queries until the answer differs from `old`; returns the new answer and how long it took. */
async function until(
  port: number,
  name: string,
  old: string,
  limitMs: number,
): Promise<{ answer: string; ms: number }> {
  const started = Date.now();
  for (;;) {
    const res = await dig(name, 'A', { port });
    const answer = res.answer.join(' | ') || res.status;
    if (answer !== old) return { answer, ms: Date.now() - started };
    if (Date.now() - started > limitMs) return { answer, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('cache in front of kubernetes', () => {
  let dir: string;
  let file: string;
  let server: ChainServer;
  let context: TestContext;
  let chain: Handler;
  before(async () => {
    dir = makeTempDir('fresh-');
    file = path.join(dir, 'state.yaml');
    fs.writeFileSync(file, state([{ name: 'web', ip: '10.96.0.20' }]));
    context = new TestContext({ zones: ['cluster.local'], port: 53, server: 'dns://:53' });
    const kubernetes = build(
      kubernetesSetup,
      directive('kubernetes', ['cluster.local'], [directive('state', [file])]),
      refuseAll,
      context,
    );
    chain = build(cacheSetup, directive('cache', ['30']), kubernetes, context);
    server = await ChainServer.start(() => chain);
    const ready = await until(server.port, 'web.shop.svc.cluster.local', 'SERVFAIL', 5000);
    assert.equal(ready.answer, 'web.shop.svc.cluster.local. 5 IN A 10.96.0.20');
  });
  after(async () => {
    await server.close();
    await context.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a changed ClusterIP and a new Service on the next queries, not after 30 s', async () => {
    const name = 'web.shop.svc.cluster.local';
    const before = await dig(name, 'A', { port: server.port });
    assert.deepEqual(before.answer, [`${name}. 5 IN A 10.96.0.20`]);
    const missing = await dig('db.shop.svc.cluster.local', 'A', { port: server.port });
    assert.equal(missing.status, 'NXDOMAIN');

    fs.writeFileSync(
      file,
      state([
        { name: 'web', ip: '10.96.0.21' },
        { name: 'db', ip: '10.96.0.30' },
      ]),
    );
    const changed = await until(server.port, name, `${name}. 5 IN A 10.96.0.20`, 3000);
    assert.equal(changed.answer, `${name}. 5 IN A 10.96.0.21`);
    assert.ok(changed.ms < 2000, `seen after ${changed.ms} ms`);
    const added = await dig('db.shop.svc.cluster.local', 'A', { port: server.port });
    assert.deepEqual(
      added.answer,
      ['db.shop.svc.cluster.local. 5 IN A 10.96.0.30'],
      'the NXDOMAIN was not kept',
    );
    assert.ok(
      ((await context.metric('coredns_cache_requests_total')) ?? 0) >= 4,
      'the cache saw the queries',
    );
    assert.equal((await context.metric('coredns_cache_hits_total', { type: 'success' })) ?? 0, 0);
    assert.equal((await context.metric('coredns_cache_hits_total', { type: 'denial' })) ?? 0, 0);
  });
});
