/**
 * The prometheus chain handler on its own: records sync replies, promised replies, throws and
 * dropped queries with exact label values and an injected clock; and its directive parsing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Handler, Reply } from '../../src/chain/handler.js';
import { DnsRequest } from '../../src/chain/request.js';
import { createRegistry, type Registry } from '../../src/metrics/registry.js';
import { dnsFamilies } from '../../src/plugins/prometheus/dns-families.js';
import { MetricsHandler } from '../../src/plugins/prometheus/metrics-handler.js';
import { QueryRecorder } from '../../src/plugins/prometheus/query-recorder.js';
import { setup as prometheusSetup } from '../../src/plugins/prometheus/setup.js';
import { encodeError } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import { buildQuery } from '../upstreams/query-udp.js';
import { parseDirectiveForTest } from './directive-text.js';
import { parseExposition, valueOf } from './exposition.js';

function request(
  zone: string,
  transport: 'udp' | 'tcp',
  address = '10.0.0.1',
  dnssecOk = false,
): DnsRequest {
  const wire = buildQuery('x.cluster.local', 'AAAA', {
    id: 1,
    ednsSize: dnssecOk ? 1232 : undefined,
    dnssecOk,
  });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  const req = new DnsRequest(parsed.query, wire, transport, address, 1, 1_000_000n);
  req.zone = zone;
  return req;
}

function answering(rcode: number, mode: 'sync' | 'async' | 'throw' | 'drop'): Handler {
  return {
    name: 'kubernetes',
    serve(req: DnsRequest): Reply | Promise<Reply> {
      req.answeredBy = 'kubernetes';
      if (mode === 'throw') throw new Error('boom');
      if (mode === 'drop') return null;
      const reply = encodeError(req.wire, req.query.questionEnd, rcode, null);
      return mode === 'async' ? Promise.resolve(reply) : reply;
    },
  };
}

async function scraped(registry: Registry) {
  return parseExposition(await registry.metrics());
}

describe('prometheus handler', () => {
  it('records sync and promised replies, throws and drops', async () => {
    const registry = createRegistry();
    const recorder = new QueryRecorder(
      dnsFamilies(registry),
      'dns://:53',
      () => 1_000_000n + 3_000_000n,
    );
    await new MetricsHandler(answering(0, 'sync'), recorder).serve(request('cluster.local', 'udp'));
    await new MetricsHandler(answering(3, 'async'), recorder).serve(
      request('cluster.local', 'tcp', 'fd00::1', true),
    );
    await assert.rejects(async () =>
      new MetricsHandler(answering(0, 'throw'), recorder).serve(request('', 'udp')),
    );
    await new MetricsHandler(answering(0, 'drop'), recorder).serve(request('', 'udp'));

    const m = await scraped(registry);
    const zone = { server: 'dns://:53', zone: 'cluster.local.', view: '' };
    const root = { server: 'dns://:53', zone: '.', view: '' };
    assert.equal(
      valueOf(m, 'coredns_dns_requests_total', {
        ...zone,
        proto: 'udp',
        family: '1',
        type: 'AAAA',
      }),
      1,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_requests_total', {
        ...zone,
        proto: 'tcp',
        family: '2',
        type: 'AAAA',
      }),
      1,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_requests_total', {
        ...root,
        proto: 'udp',
        family: '1',
        type: 'AAAA',
      }),
      2,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_responses_total', {
        ...zone,
        rcode: 'NOERROR',
        plugin: 'kubernetes',
      }),
      1,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_responses_total', {
        ...zone,
        rcode: 'NXDOMAIN',
        plugin: 'kubernetes',
      }),
      1,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_responses_total', {
        ...root,
        rcode: 'SERVFAIL',
        plugin: 'kubernetes',
      }),
      1,
    );
    assert.equal(
      m.get('coredns_dns_responses_total')!.samples.length,
      3,
      'a dropped query sends no response',
    );
    assert.equal(valueOf(m, 'coredns_dns_do_requests_total', zone), 1);
    assert.equal(
      valueOf(m, 'coredns_dns_request_duration_seconds_sum', { ...zone, type: 'AAAA' }),
      0.006,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_request_duration_seconds_bucket', {
        ...zone,
        type: 'AAAA',
        le: '0.002',
      }),
      0,
    );
    assert.equal(
      valueOf(m, 'coredns_dns_request_duration_seconds_bucket', {
        ...zone,
        type: 'AAAA',
        le: '0.004',
      }),
      2,
    );
    assert.equal(valueOf(m, 'coredns_dns_response_size_bytes_sum', { ...zone, proto: 'udp' }), 33);
  });

  it('records queries that entered no chain under zone "dropped"', async () => {
    const registry = createRegistry();
    const recorder = new QueryRecorder(dnsFamilies(registry), 'dns://:53', () => 1_000_000n);
    const req = request('', 'udp');
    recorder.recordDropped(req, encodeError(req.wire, req.query.questionEnd, 5, null));
    const m = await scraped(registry);
    const dropped = { server: 'dns://:53', zone: 'dropped', view: '' };
    const labels = { ...dropped, proto: 'udp', family: '1', type: 'AAAA' };
    assert.equal(valueOf(m, 'coredns_dns_requests_total', labels), 1);
    assert.equal(
      valueOf(m, 'coredns_dns_responses_total', { ...dropped, rcode: 'REFUSED', plugin: '' }),
      1,
    );
  });

  it('keeps one set of families per registry across reloads (get-or-create)', () => {
    const registry = createRegistry();
    const first = dnsFamilies(registry);
    const second = dnsFamilies(registry);
    assert.equal(first.requests, second.requests);
    assert.equal(first.duration, second.duration);
    assert.equal(first.panics, second.panics);
  });

  it('parses its address: default, :port, host:port, bare host, port 0', () => {
    const info = { zones: [''], port: 53, server: 'dns://:53' };
    const parse = (text: string) => prometheusSetup.parse(parseDirectiveForTest(text), info);
    assert.deepEqual(parse('prometheus'), { host: 'localhost', port: 9153 });
    assert.deepEqual(parse('prometheus :9153'), { host: '', port: 9153 });
    assert.deepEqual(parse('prometheus 0.0.0.0:9253'), { host: '0.0.0.0', port: 9253 });
    assert.deepEqual(parse('prometheus localhost'), { host: 'localhost', port: 9153 });
    assert.deepEqual(parse('prometheus 127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.throws(() => parse('prometheus :70000'), {
      message: 'Corefile:1: prometheus: 70000 is out of range 0..65535',
    });
    assert.throws(() => parse('prometheus a b'), {
      message: 'Corefile:1: prometheus: expected 0 to 1 argument(s), got 2',
    });
    assert.throws(() => parse('prometheus {\n  path /m\n}'), {
      message: 'Corefile:2: prometheus: takes no block options',
    });
  });
});
