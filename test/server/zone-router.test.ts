/**
 * Routing a query to the server block whose zone is the longest suffix of the name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Handler } from '../../src/chain/handler.js';
import { DnsRequest } from '../../src/chain/request.js';
import { parseQuery } from '../../src/wire/query.js';
import { InFlight, ZoneRouter } from '../../src/server/zone-router.js';
import { buildQuery, readHeader } from './raw-dns.js';

const tag = (name: string): Handler => ({ name, serve: () => Buffer.from(name) });

function route(router: ZoneRouter, name: string): { handler: string; zone: string } {
  const parsed = parseQuery(buildQuery({ name }));
  assert.ok(parsed.ok);
  const request = new DnsRequest(parsed.query, buildQuery({ name }), 'udp', '127.0.0.1', 1, 0n);
  const reply = router.serve(request) as Buffer;
  const refused = reply.length >= 12 && readHeader(reply).qr && readHeader(reply).rcode === 5;
  return { handler: refused ? 'REFUSED' : reply.toString(), zone: request.zone };
}

describe('zone router', () => {
  const router = new ZoneRouter(
    [
      { zone: '', handler: tag('root') },
      { zone: 'cluster.local', handler: tag('cluster') },
      { zone: 'svc.cluster.local', handler: tag('svc') },
      { zone: 'in-addr.arpa', handler: tag('reverse') },
    ],
    new InFlight(),
  );
  const table: [string, string, string][] = [
    ['web.shop.svc.cluster.local', 'svc', 'svc.cluster.local'],
    ['svc.cluster.local', 'svc', 'svc.cluster.local'],
    ['pod.cluster.local', 'cluster', 'cluster.local'],
    ['cluster.local', 'cluster', 'cluster.local'],
    ['xcluster.local', 'root', ''],
    ['1.0.96.10.in-addr.arpa', 'reverse', 'in-addr.arpa'],
    ['example.com', 'root', ''],
  ];
  for (const [name, handler, zone] of table) {
    it(`${name} goes to ${handler}`, () => {
      assert.deepEqual(route(router, name), { handler, zone });
    });
  }

  it('refuses names outside every zone when there is no root block', () => {
    const narrow = new ZoneRouter(
      [{ zone: 'cluster.local', handler: tag('cluster') }],
      new InFlight(),
    );
    assert.equal(route(narrow, 'example.com').handler, 'REFUSED');
    assert.equal(route(narrow, 'local').handler, 'REFUSED');
  });
});
