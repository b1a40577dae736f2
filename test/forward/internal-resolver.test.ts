/**
 * The internal resolver through the server's real zone router: a name in a stub domain is
 * answered by that block's forward (to dnsmasq), other names by the root block, and nesting
 * stops at the depth limit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler, Reply } from '../../src/chain/handler.js';
import { DnsRequest } from '../../src/chain/request.js';
import { answerRecords } from '../../src/wire/answer-records.js';
import {
  InternalResolver,
  MAX_INTERNAL_DEPTH,
} from '../../src/server/internal-resolver.js';
import { setup as forwardSetup } from '../../src/plugins/forward/setup.js';
import { InFlight, ZoneRouter } from '../../src/server/zone-router.js';
import { parseQuery } from '../../src/wire/query.js';
import { build, directive, refuseAll, TestContext } from '../upstreams/chain-harness.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { buildQuery } from '../upstreams/query-udp.js';

function origin(name: string): DnsRequest {
  const wire = buildQuery(name, 'A', { ednsSize: 1232 });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  return new DnsRequest(parsed.query, wire, 'udp', '10.244.0.9', 5353, process.hrtime.bigint());
}

describe('InternalResolver', () => {
  let dnsmasq: Dnsmasq;
  const context = new TestContext();
  before(async () => {
    dnsmasq = await Dnsmasq.start([
      '--host-record=web.consul.local,10.150.0.7',
      '--local-ttl=30',
      '--local=/consul.local/',
    ]);
  });
  after(async () => {
    await context.close();
    await dnsmasq.stop();
  });

  it('answers a stub-domain name through that block and others through the root block', async () => {
    const stub = build(
      forwardSetup,
      directive('forward', ['.', `127.0.0.1:${dnsmasq.port}`]),
      refuseAll,
      context,
    );
    const resolver = new InternalResolver();
    assert.equal(
      await resolver.resolve('web.consul.local', 1, origin('x.cluster.local')),
      null,
      'unbound',
    );
    resolver.bind(
      new ZoneRouter(
        [
          { zone: 'consul.local', handler: stub },
          { zone: '', handler: refuseAll },
        ],
        new InFlight(),
      ),
    );
    const reply = await resolver.resolve(
      'web.consul.local',
      1,
      origin('api.front.svc.cluster.local'),
    );
    assert.deepEqual(answerRecords(reply as Buffer), {
      rcode: 0,
      records: [{ name: 'web.consul.local', type: 1, ttl: 30, address: '10.150.0.7' }],
      soa: [],
    });
    const other = await resolver.resolve('web.example.test', 1, origin('x.cluster.local'));
    assert.equal(
      answerRecords(other as Buffer)?.rcode,
      5,
      'the root block (here REFUSED) answers the rest',
    );
  });

  it('stops nested internal queries at the depth limit', async () => {
    const resolver = new InternalResolver();
    let calls = 0;
    const recursive: Handler = {
      name: 'recursive',
      async serve(request: DnsRequest): Promise<Reply> {
        calls++;
        const inner = await resolver.resolve(`n${calls}.loop.test`, 1, request);
        return inner ?? refuseAll.serve(request);
      },
    };
    resolver.bind(recursive);
    const reply = await resolver.resolve('start.loop.test', 1, origin('x.cluster.local'));
    assert.equal(calls, MAX_INTERNAL_DEPTH);
    assert.equal(answerRecords(reply as Buffer)?.rcode, 5);
  });

  // Regression: each chain has its own resolver, and the depth was counted per resolver, so
  // two blocks bouncing a name between them recursed until the stack overflowed.
  it('counts the depth across the resolvers of several chains', async () => {
    const first = new InternalResolver();
    const second = new InternalResolver();
    let calls = 0;
    const bounce = (resolver: InternalResolver): Handler => ({
      name: 'bounce',
      async serve(request: DnsRequest): Promise<Reply> {
        calls++;
        const inner = await resolver.resolve(`n${calls}.loop.test`, 1, request);
        return inner ?? refuseAll.serve(request);
      },
    });
    first.bind(bounce(second));
    second.bind(bounce(first));
    const reply = await first.resolve('start.loop.test', 1, origin('x.cluster.local'));
    assert.equal(calls, MAX_INTERNAL_DEPTH);
    assert.equal(answerRecords(reply as Buffer)?.rcode, 5);
  });
});
