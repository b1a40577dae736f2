/**
 * The cache plugin with a real forward to the test upstream, queried with dig: what is
 * stored, for how long, with which TTLs, and what reaches the upstream.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Rcode } from '../../src/wire/constants.js';
import { dig } from '../helpers/dig.js';
import { directive } from '../upstreams/chain-harness.js';
import { MisbehavingServer } from '../upstreams/misbehaving-server.js';
import { cacheRig, settle } from './cache-rig.js';

describe('cache', () => {
  let up: MisbehavingServer;
  before(async () => {
    up = await MisbehavingServer.start();
  });
  after(async () => {
    await up.close();
  });

  it('answers repeats from the cache with decremented TTLs, capped by the TTL argument', async () => {
    const r = await cacheRig([], [], up.port);
    try {
      const first = await dig('pos.x.test', 'A', { port: r.port });
      assert.deepEqual(first.answer, ['pos.x.test. 300 IN A 192.0.2.1']);
      r.clock.advance(10);
      const second = await dig('pos.x.test', 'A', { port: r.port });
      assert.deepEqual(second.answer, ['pos.x.test. 290 IN A 192.0.2.1']);
      assert.equal(second.status, 'NOERROR');
      assert.deepEqual(second.flags, first.flags);
      assert.equal(up.count('pos.x.test'), 1);
      r.clock.advance(291);
      const third = await dig('pos.x.test', 'A', { port: r.port });
      assert.deepEqual(third.answer, ['pos.x.test. 300 IN A 192.0.2.1']);
      assert.equal(up.count('pos.x.test'), 2, 'expired entries are fetched again');
    } finally {
      await r.close();
    }
    const capped = await cacheRig(['30'], [], up.port);
    try {
      const first = await dig('cap.x.test', 'A', { port: capped.port });
      assert.deepEqual(
        first.answer,
        ['cap.x.test. 30 IN A 192.0.2.1'],
        'the first answer carries the cap too',
      );
      capped.clock.advance(7);
      assert.deepEqual((await dig('cap.x.test', 'A', { port: capped.port })).answer, [
        'cap.x.test. 23 IN A 192.0.2.1',
      ]);
      assert.equal(up.count('cap.x.test'), 1);
    } finally {
      await capped.close();
    }
  });

  it('keys on the name without case, echoing each asker case, and keepttl keeps TTLs', async () => {
    const r = await cacheRig([], [directive('keepttl')], up.port);
    try {
      await dig('MiXed.x.test', 'A', { port: r.port });
      r.clock.advance(100);
      const other = await dig('mixed.X.TEST', 'A', { port: r.port });
      // The test upstream writes owner names in full (dns-packet does not compress), so only
      // the question carries the second asker's case here; see the knot test for pointers.
      assert.deepEqual(
        other.answer.map((rr) => rr.toLowerCase()),
        ['mixed.x.test. 300 in a 192.0.2.1'],
      );
      assert.match(other.raw, /;mixed\.X\.TEST\.\s+IN\s+A/);
      assert.equal(up.count('mixed.x.test'), 1);
    } finally {
      await r.close();
    }
  });

  it('does not replay one asker DNS cookie to another', async () => {
    const r = await cacheRig([], [], up.port);
    try {
      await dig('cookie.x.test', 'A', { port: r.port, extra: ['+cookie=0102030405060708'] });
      const other = await dig('cookie.x.test', 'A', {
        port: r.port,
        extra: ['+cookie=1111111111111111'],
      });
      assert.deepEqual(other.answer, ['cookie.x.test. 300 IN A 192.0.2.1']);
      assert.doesNotMatch(other.raw, /COOKIE: 0102030405060708/);
      assert.equal(up.count('cookie.x.test'), 1);
    } finally {
      await r.close();
    }
  });

  it('keeps DO, CD and no-EDNS variants apart', async () => {
    const r = await cacheRig([], [], up.port);
    try {
      await dig('do.x.test', 'A', { port: r.port });
      await dig('do.x.test', 'A', { port: r.port, extra: ['+dnssec'] });
      await dig('do.x.test', 'A', { port: r.port, extra: ['+cd'] });
      const plain = await dig('do.x.test', 'A', { port: r.port, noEdns: true });
      assert.doesNotMatch(plain.raw, /OPT PSEUDOSECTION/, 'no OPT to a client that sent none');
      assert.equal(up.count('do.x.test'), 4);
      await dig('do.x.test', 'A', { port: r.port, extra: ['+dnssec'] });
      await dig('do.x.test', 'A', { port: r.port, noEdns: true });
      assert.equal(up.count('do.x.test'), 4);
    } finally {
      await r.close();
    }
  });

  it('caches NXDOMAIN and NODATA for min(SOA TTL, MINIMUM), capped by denial TTL', async () => {
    const r = await cacheRig([], [], up.port);
    try {
      const nx = await dig('nxdomain.neg.test', 'A', { port: r.port });
      assert.equal(nx.status, 'NXDOMAIN');
      assert.deepEqual(nx.authority, [
        'neg.test. 60 IN SOA ns.neg.test. admin.neg.test. 1 3600 600 86400 60',
      ]);
      r.clock.advance(15);
      const again = await dig('nxdomain.neg.test', 'A', { port: r.port });
      assert.equal(again.status, 'NXDOMAIN');
      assert.deepEqual(again.authority, [
        'neg.test. 45 IN SOA ns.neg.test. admin.neg.test. 1 3600 600 86400 60',
      ]);
      assert.equal(up.count('nxdomain.neg.test'), 1);
      const nodata = await dig('nodata.neg.test', 'AAAA', { port: r.port });
      assert.equal(nodata.status, 'NOERROR');
      assert.deepEqual(nodata.answer, []);
      await dig('nodata.neg.test', 'AAAA', { port: r.port });
      assert.equal(up.count('nodata.neg.test'), 1);
      assert.equal(r.cache.size('denial'), 2);
      assert.equal(r.cache.size('success'), 0);
    } finally {
      await r.close();
    }
    const capped = await cacheRig([], [directive('denial', ['100', '20'])], up.port);
    try {
      const nx = await dig('nxdomain.neg2.test', 'A', { port: capped.port });
      assert.deepEqual(nx.authority, [
        'neg2.test. 20 IN SOA ns.neg2.test. admin.neg2.test. 1 3600 600 86400 60',
      ]);
    } finally {
      await capped.close();
    }
  });

  it('applies the minimum TTL (5 s by default, MINTTL when given)', async () => {
    up.setRecords('short.x.test', [{ type: 'A', name: 'short.x.test', ttl: 1, data: '192.0.2.9' }]);
    const r = await cacheRig([], [], up.port);
    try {
      assert.deepEqual((await dig('short.x.test', 'A', { port: r.port })).answer, [
        'short.x.test. 5 IN A 192.0.2.9',
      ]);
      r.clock.advance(3);
      assert.deepEqual((await dig('short.x.test', 'A', { port: r.port })).answer, [
        'short.x.test. 2 IN A 192.0.2.9',
      ]);
      assert.equal(up.count('short.x.test'), 1);
    } finally {
      await r.close();
    }
    const min = await cacheRig([], [directive('success', ['100', '3600', '20'])], up.port);
    try {
      assert.deepEqual((await dig('short.x.test', 'A', { port: min.port })).answer, [
        'short.x.test. 20 IN A 192.0.2.9',
      ]);
    } finally {
      await min.close();
    }
  });

  it('never stores REFUSED; keeps SERVFAIL only for the servfail duration', async () => {
    const r = await cacheRig([], [directive('servfail', ['2s'])], up.port);
    try {
      await dig('refused.x.test', 'A', { port: r.port });
      await dig('refused.x.test', 'A', { port: r.port });
      assert.equal(up.count('refused.x.test'), 2);
      assert.equal((await dig('servfail.x.test', 'A', { port: r.port })).status, 'SERVFAIL');
      assert.equal((await dig('servfail.x.test', 'A', { port: r.port })).status, 'SERVFAIL');
      assert.equal(up.count('servfail.x.test'), 1);
      r.clock.advance(2.1);
      await dig('servfail.x.test', 'A', { port: r.port });
      assert.equal(up.count('servfail.x.test'), 2);
    } finally {
      await r.close();
    }
    const off = await cacheRig([], [directive('servfail', ['0'])], up.port);
    try {
      await dig('servfail.off.test', 'A', { port: off.port });
      await dig('servfail.off.test', 'A', { port: off.port });
      assert.equal(up.count('servfail.off.test'), 2);
    } finally {
      await off.close();
    }
  });

  it('evicts least recently used entries beyond the capacity and counts it', async () => {
    const r = await cacheRig([], [directive('success', ['2'])], up.port);
    try {
      await dig('e1.x.test', 'A', { port: r.port });
      await dig('e2.x.test', 'A', { port: r.port });
      await dig('e1.x.test', 'A', { port: r.port });
      await dig('e3.x.test', 'A', { port: r.port });
      assert.equal(r.cache.size('success'), 2);
      await dig('e1.x.test', 'A', { port: r.port });
      await dig('e2.x.test', 'A', { port: r.port });
      assert.equal(up.count('e1.x.test'), 1, 'e1 was used recently and stayed');
      assert.equal(up.count('e2.x.test'), 2, 'e2 was evicted');
      assert.equal(await r.context.metric('coredns_cache_evictions_total', { type: 'success' }), 2);
      assert.equal(await r.context.metric('coredns_cache_entries', { type: 'success' }), 2);
      assert.equal(await r.context.metric('coredns_cache_hits_total', { type: 'success' }), 2);
      assert.equal(await r.context.metric('coredns_cache_requests_total'), 6);
      assert.equal(await r.context.metric('coredns_cache_misses_total'), 4);
    } finally {
      await r.close();
    }
  });

  it('disable success|denial ZONES leaves those answers uncached', async () => {
    const r = await cacheRig(
      [],
      [
        directive('disable', ['success', 'off.test']),
        directive('disable', ['denial', 'neg.off.test']),
      ],
      up.port,
    );
    try {
      await dig('a.off.test', 'A', { port: r.port });
      await dig('a.off.test', 'A', { port: r.port });
      assert.equal(up.count('a.off.test'), 2);
      await dig('nxdomain.neg.off.test', 'A', { port: r.port });
      await dig('nxdomain.neg.off.test', 'A', { port: r.port });
      assert.equal(up.count('nxdomain.neg.off.test'), 2);
      await dig('nxdomain.on.test', 'A', { port: r.port });
      await dig('nxdomain.on.test', 'A', { port: r.port });
      assert.equal(up.count('nxdomain.on.test'), 1);
    } finally {
      await r.close();
    }
  });

  it('answers TC when a cached answer exceeds the asker UDP size', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      type: 'A' as const,
      name: 'big.c.test',
      ttl: 300,
      data: `192.0.2.${i + 1}`,
    }));
    up.setRecords('big.c.test', many);
    const r = await cacheRig([], [], up.port, undefined, [directive('force_tcp')]);
    try {
      assert.equal((await dig('big.c.test', 'A', { port: r.port, tcp: true })).answer.length, 40);
      const small = await dig('big.c.test', 'A', {
        port: r.port,
        bufsize: 512,
        extra: ['+ignore'],
      });
      assert.ok(small.flags.includes('tc'));
      assert.deepEqual(small.answer, []);
      assert.equal(up.count('big.c.test'), 1);
    } finally {
      await r.close();
    }
  });

  it('prefetches a popular entry once near expiry, with a single fetch in flight', async () => {
    up.setRecords('slow-150.p.test', [
      { type: 'A', name: 'slow-150.p.test', ttl: 100, data: '192.0.2.44' },
    ]);
    const r = await cacheRig([], [directive('prefetch', ['2', '1m', '20%'])], up.port);
    try {
      await dig('slow-150.p.test', 'A', { port: r.port });
      r.clock.advance(10);
      await dig('slow-150.p.test', 'A', { port: r.port });
      assert.equal(up.count('slow-150.p.test'), 1, 'not yet near expiry');
      r.clock.advance(75);
      const hit = await dig('slow-150.p.test', 'A', { port: r.port });
      assert.deepEqual(
        hit.answer,
        ['slow-150.p.test. 15 IN A 192.0.2.44'],
        'the hit is answered at once',
      );
      await dig('slow-150.p.test', 'A', { port: r.port });
      await dig('slow-150.p.test', 'A', { port: r.port });
      await settle(500);
      assert.equal(up.count('slow-150.p.test'), 2, 'one prefetch for three hits');
      assert.equal(await r.context.metric('coredns_cache_prefetch_total'), 1);
      const refreshed = await dig('slow-150.p.test', 'A', { port: r.port });
      assert.deepEqual(refreshed.answer, ['slow-150.p.test. 100 IN A 192.0.2.44']);
    } finally {
      await r.close();
    }
  });

  it('prefetch counts hits only within its window', async () => {
    up.setRecords('gap.p.test', [{ type: 'A', name: 'gap.p.test', ttl: 100, data: '192.0.2.45' }]);
    const r = await cacheRig([], [directive('prefetch', ['2', '30s', '20%'])], up.port);
    try {
      await dig('gap.p.test', 'A', { port: r.port });
      r.clock.advance(40);
      await dig('gap.p.test', 'A', { port: r.port });
      r.clock.advance(45);
      // Two hits, but 45 s apart: over the 30 s window, so the count restarted at 1.
      assert.deepEqual((await dig('gap.p.test', 'A', { port: r.port })).answer, [
        'gap.p.test. 15 IN A 192.0.2.45',
      ]);
      await settle(200);
      assert.equal(up.count('gap.p.test'), 1);
      assert.equal(await r.context.metric('coredns_cache_prefetch_total'), 0);
    } finally {
      await r.close();
    }
  });

  it('keeps the denial capacity apart from the success capacity', async () => {
    const r = await cacheRig([], [directive('denial', ['1'])], up.port);
    try {
      await dig('nxdomain.d1.test', 'A', { port: r.port });
      await dig('nxdomain.d2.test', 'A', { port: r.port });
      await dig('ok1.d.test', 'A', { port: r.port });
      await dig('ok2.d.test', 'A', { port: r.port });
      assert.equal(r.cache.size('denial'), 1);
      assert.equal(r.cache.size('success'), 2);
      await dig('nxdomain.d1.test', 'A', { port: r.port });
      assert.equal(up.count('nxdomain.d1.test'), 2, 'evicted by the second denial');
      assert.equal(await r.context.metric('coredns_cache_evictions_total', { type: 'denial' }), 2);
    } finally {
      await r.close();
    }
  });

  it('serve_stale answers expired entries with TTL 0 when the upstream fails', async () => {
    const r = await cacheRig([], [directive('serve_stale', ['1h'])], up.port);
    try {
      await dig('stale.x.test', 'A', { port: r.port });
      up.down = true;
      r.clock.advance(400);
      const stale = await dig('stale.x.test', 'A', { port: r.port });
      assert.equal(stale.status, 'NOERROR');
      assert.deepEqual(stale.answer, ['stale.x.test. 0 IN A 192.0.2.1']);
      assert.equal(await r.context.metric('coredns_cache_served_stale_total'), 1);
      await settle(400);
      up.down = false;
      up.forceRcode = Rcode.SERVFAIL;
      await dig('stale.x.test', 'A', { port: r.port });
      await settle(100);
      const stillStale = await dig('stale.x.test', 'A', { port: r.port });
      assert.deepEqual(
        stillStale.answer,
        ['stale.x.test. 0 IN A 192.0.2.1'],
        'a SERVFAIL never hides the stale positive',
      );
      up.forceRcode = null;
      await settle(100);
      r.clock.advance(3600);
      up.down = true;
      const gone = await dig('stale.x.test', 'A', { port: r.port });
      assert.equal(gone.status, 'SERVFAIL', 'past the serve_stale window nothing stale is served');
    } finally {
      up.down = false;
      up.forceRcode = null;
      await r.close();
    }
  });

  it('serve_stale verify asks upstream first and falls back to the stale entry', async () => {
    up.setRecords('verify.x.test', [
      { type: 'A', name: 'verify.x.test', ttl: 60, data: '192.0.2.60' },
    ]);
    const r = await cacheRig([], [directive('serve_stale', ['10m', 'verify'])], up.port);
    try {
      await dig('verify.x.test', 'A', { port: r.port });
      r.clock.advance(100);
      up.setRecords('verify.x.test', [
        { type: 'A', name: 'verify.x.test', ttl: 60, data: '192.0.2.61' },
      ]);
      assert.deepEqual((await dig('verify.x.test', 'A', { port: r.port })).answer, [
        'verify.x.test. 60 IN A 192.0.2.61',
      ]);
      r.clock.advance(100);
      up.forceRcode = Rcode.REFUSED;
      assert.deepEqual((await dig('verify.x.test', 'A', { port: r.port })).answer, [
        'verify.x.test. 0 IN A 192.0.2.61',
      ]);
    } finally {
      up.forceRcode = null;
      await r.close();
    }
  });
});
