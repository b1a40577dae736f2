/**
 * answerRecords: a reply from a real server (knotd, through forward) turned into model
 * records that the message writer encodes again, as the ExternalName chase will do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { answerRecords } from '../../src/wire/answer-records.js';
import { encodeAnswer } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import { Knot } from '../upstreams/knot.js';
import { buildQuery, exchangeUdp } from '../upstreams/query-udp.js';

describe('answerRecords', () => {
  let knot: Knot;
  before(async () => {
    knot = await Knot.start([
      {
        name: 'stub.test',
        text: [
          '@ 3600 SOA ns admin 1 3600 600 86400 60',
          '@ 3600 NS ns',
          'ns 3600 A 192.0.2.100',
          'web 120 A 192.0.2.7',
          'web 120 AAAA 2001:db8::7',
          'alias 60 CNAME web',
          'web 120 TXT "hello" "world"',
          '_http._tcp.web 120 SRV 10 20 80 web',
        ].join('\n'),
      },
    ]);
  });
  after(async () => {
    await knot.stop();
  });

  it('keeps CNAME chains, addresses, TXT and SRV with their TTLs', async () => {
    const cname = answerRecords(
      await exchangeUdp(buildQuery('Alias.Stub.Test', 'A'), { port: knot.port }),
    );
    assert.deepEqual(cname, {
      rcode: 0,
      records: [
        { name: 'alias.stub.test', type: 5, ttl: 60, target: 'web.stub.test' },
        { name: 'web.stub.test', type: 1, ttl: 120, address: '192.0.2.7' },
      ],
      soa: [],
    });
    const txt = answerRecords(
      await exchangeUdp(buildQuery('web.stub.test', 'TXT'), { port: knot.port }),
    );
    assert.deepEqual(txt?.records, [
      { name: 'web.stub.test', type: 16, ttl: 120, text: ['hello', 'world'] },
    ]);
    const srv = answerRecords(
      await exchangeUdp(buildQuery('_http._tcp.web.stub.test', 'SRV'), { port: knot.port }),
    );
    assert.deepEqual(srv?.records, [
      {
        name: '_http._tcp.web.stub.test',
        type: 33,
        ttl: 120,
        srv: { priority: 10, weight: 20, port: 80, target: 'web.stub.test' },
      },
    ]);
    const nx = answerRecords(
      await exchangeUdp(buildQuery('nope.stub.test', 'A'), { port: knot.port }),
    );
    // The negative answer keeps the zone's SOA (RFC 2308 §3), TTL capped at its MINIMUM.
    assert.deepEqual(nx, {
      rcode: 3,
      records: [],
      soa: [
        {
          name: 'stub.test',
          type: 6,
          ttl: 60,
          soa: {
            mname: 'ns.stub.test',
            rname: 'admin.stub.test',
            serial: 1,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: 60,
          },
        },
      ],
    });
    assert.equal(answerRecords(Buffer.from([1, 2, 3])), null);
  });

  it('round-trips through the message writer behind a CNAME of our own', async () => {
    const chased = answerRecords(
      await exchangeUdp(buildQuery('web.stub.test', 'AAAA'), { port: knot.port }),
    );
    const wire = buildQuery('ext.front.svc.cluster.local', 'AAAA');
    const parsed = parseQuery(wire);
    assert.ok(parsed.ok);
    const answer = {
      rcode: 0,
      authoritative: true,
      answer: [
        { name: 'ext.front.svc.cluster.local', type: 5 as const, ttl: 5, target: 'web.stub.test' },
        ...(chased?.records ?? []),
      ],
      authority: [],
      additional: [],
    };
    const out = dnsPacket.decode(encodeAnswer(parsed.query, wire, answer, 1232, false).wire);
    assert.deepEqual(
      (out.answers ?? []).map(
        (rr) =>
          `${rr.name} ${(rr as { ttl: number }).ttl} ${rr.type} ${(rr as { data: unknown }).data}`,
      ),
      ['ext.front.svc.cluster.local 5 CNAME web.stub.test', 'web.stub.test 120 AAAA 2001:db8::7'],
    );
  });
});
