/**
 * loadbalance round_robin in front of a cache and a real forward to knotd: every address of
 * an RRset comes first about equally often, CNAMEs stay first, TTLs stay with their records.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setup as cacheSetup } from '../../src/plugins/cache/setup.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { setup as loadbalanceSetup } from '../../src/plugins/loadbalance/setup.js';
import { ConfigError } from '../../src/errors.js';
import { dig } from '../helpers/dig.js';
import {
  build,
  ChainServer,
  directive,
  refuseAll,
  TestContext,
} from '../upstreams/chain-harness.js';
import { Knot } from '../upstreams/knot.js';
import { buildQuery, exchangeUdp } from '../upstreams/query-udp.js';
import dnsPacket from 'dns-packet';

describe('loadbalance', () => {
  let knot: Knot;
  let server: ChainServer;
  let context: TestContext;
  before(async () => {
    knot = await Knot.start([
      {
        name: 'lb.test',
        text: [
          '@ 3600 SOA ns.lb.test. admin.lb.test. 1 3600 600 86400 60',
          '@ 3600 NS ns',
          'ns 3600 A 192.0.2.100',
          'web 300 A 192.0.2.1',
          'web 300 A 192.0.2.2',
          'web 300 A 192.0.2.3',
          'web 300 AAAA 2001:db8::1',
          'web 300 AAAA 2001:db8::2',
          'alias 300 CNAME web',
        ].join('\n'),
      },
    ]);
    context = new TestContext();
    const forward = build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${knot.port}`]),
      refuseAll,
      context,
    );
    const cache = build(cacheSetup, directive('cache'), forward, context);
    const lb = build(loadbalanceSetup, directive('loadbalance', ['round_robin']), cache, context);
    server = await ChainServer.start(() => lb);
  });
  after(async () => {
    await server.close();
    await context.close();
    await knot.stop();
  });

  it('puts each of 3 addresses first about a third of the time over 3000 queries', async () => {
    const firsts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const reply = dnsPacket.decode(
        await exchangeUdp(buildQuery('web.lb.test', 'A', { id: i }), { port: server.port }),
      );
      const addresses = (reply.answers ?? []).map((rr) => String((rr as { data?: unknown }).data));
      assert.deepEqual([...addresses].sort(), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
      firsts.set(addresses[0], (firsts.get(addresses[0]) ?? 0) + 1);
    }
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) {
      const share = (firsts.get(address) ?? 0) / 3000;
      assert.ok(share > 0.28 && share < 0.38, `${address} first in ${(share * 100).toFixed(1)} %`);
    }
  });

  it('shuffles AAAA too and keeps the CNAME first', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await dig('alias.lb.test', 'A', { port: server.port });
      assert.equal(res.answer[0].replace(/ \d+ IN/, ' IN'), 'alias.lb.test. IN CNAME web.lb.test.');
      assert.equal(res.answer.length, 4);
      seen.add(res.answer[1].replace(/ \d+ IN/, ' IN'));
      const v6 = await dig('web.lb.test', 'AAAA', { port: server.port });
      assert.equal(v6.answer.length, 2);
      seen.add(v6.answer[0].replace(/ \d+ IN/, ' IN'));
    }
    assert.equal([...seen].filter((l) => l.includes(' A ')).length, 3);
    assert.equal([...seen].filter((l) => l.includes(' AAAA ')).length, 2);
  });

  it('rejects policies it does not have, naming file and line', () => {
    assert.throws(
      () =>
        loadbalanceSetup.parse(
          directive('loadbalance', ['weighted', 'file'], [], 4),
          context.block,
        ),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^test\.Corefile:4: loadbalance: expects 0 to 1/.test(err.message),
    );
    assert.throws(
      () => loadbalanceSetup.parse(directive('loadbalance', ['prefer'], [], 5), context.block),
      (err: unknown) =>
        err instanceof ConfigError &&
        /^test\.Corefile:5: loadbalance: policy 'prefer' is not supported/.test(err.message),
    );
  });
});
