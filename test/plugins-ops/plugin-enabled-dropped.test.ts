/**
 * Two CoreDNS metrics that only the server core can feed, scraped from a running clusterdns:
 * `coredns_plugin_enabled` lists the chain plugins of every block that exports metrics, and
 * queries that reach no chain (a name no block serves, a malformed but answered packet) are
 * counted under the zone `dropped`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { writeCorefile } from '../server/fixtures.js';
import { buildQuery, readHeader, udpExchange } from '../server/raw-dns.js';
import { scrape, type Family } from './exposition.js';

// Port 9 on loopback: nothing listens; no query here is forwarded anyway.
const COREFILE = `example.org:53 {
    prometheus 127.0.0.1:0
    errors
    health 127.0.0.1:0
    cache 30
    loadbalance
    forward . 127.0.0.1:9
}
other.test:53 sub.other.test:53 {
    prometheus 127.0.0.1:0
    log
    forward . 127.0.0.1:9
}
quiet.test:53 {
    errors
    forward . 127.0.0.1:9
}
`;

describe('coredns_plugin_enabled and the dropped zone', () => {
  let proc: ClusterDnsProcess;
  let families: Map<string, Family>;

  before(async () => {
    const conf = await writeCorefile(COREFILE);
    proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    const port = proc.port;
    assert.equal((await dig('www.nowhere.invalid', 'A', { port })).status, 'REFUSED');
    const tcp = await dig('www.nowhere.invalid', 'AAAA', { port, tcp: true });
    assert.equal(tcp.status, 'REFUSED');
    // Opcode STATUS (2): answered NOTIMP before any routing.
    const status = await udpExchange(port, buildQuery({ flags: 2 << 11, name: 'example.org' }));
    assert.ok(status);
    assert.equal(readHeader(status).rcode, 4);
    // A response (QR set) is dropped without an answer: nothing to count.
    assert.equal(await udpExchange(port, buildQuery({ flags: 0x8000 }), 300), null);
    families = await scrape(proc.httpPort('prometheus'));
  });

  after(async () => {
    if (proc) await proc.stop();
  });

  it('lists the chain plugins of each block that has prometheus', () => {
    const samples = families
      .get('coredns_plugin_enabled')!
      .samples.map((s) => {
        const { server, zone, view, name } = s.labels;
        return `${server} ${zone} "${view}" ${name} ${s.value}`;
      })
      .sort();
    // health is a process service with no link in the chain, as in CoreDNS; quiet.test exports
    // no metrics, so its plugins are not listed.
    assert.deepEqual(samples, [
      'dns://:0 example.org. "" cache 1',
      'dns://:0 example.org. "" errors 1',
      'dns://:0 example.org. "" forward 1',
      'dns://:0 example.org. "" loadbalance 1',
      'dns://:0 example.org. "" prometheus 1',
      'dns://:0 other.test. "" forward 1',
      'dns://:0 other.test. "" log 1',
      'dns://:0 other.test. "" prometheus 1',
      'dns://:0 sub.other.test. "" forward 1',
      'dns://:0 sub.other.test. "" log 1',
      'dns://:0 sub.other.test. "" prometheus 1',
    ]);
  });

  it('counts queries that reached no chain under zone "dropped"', () => {
    const dropped = (name: string): string[] =>
      (families.get(name.replace(/_count$/, ''))?.samples ?? [])
        .filter((s) => s.labels.zone === 'dropped' && s.name === name)
        .map((s) => {
          const { server, zone, view, ...rest } = s.labels;
          const labels = Object.entries(rest).map(([k, v]) => `${k}=${v}`);
          return `${server} ${zone} "${view}" ${labels.join(' ')} ${s.value}`;
        })
        .sort();
    assert.deepEqual(dropped('coredns_dns_requests_total'), [
      'dns://:0 dropped "" proto=tcp family=1 type=AAAA 1',
      'dns://:0 dropped "" proto=udp family=1 type=A 1',
      'dns://:0 dropped "" proto=udp family=1 type=other 1',
    ]);
    assert.deepEqual(dropped('coredns_dns_responses_total'), [
      'dns://:0 dropped "" rcode=NOTIMP plugin= 1',
      'dns://:0 dropped "" rcode=REFUSED plugin= 2',
    ]);
    assert.deepEqual(dropped('coredns_dns_request_duration_seconds_count'), [
      'dns://:0 dropped "" type=A 1',
      'dns://:0 dropped "" type=AAAA 1',
      'dns://:0 dropped "" type=other 1',
    ]);
    assert.deepEqual(dropped('coredns_dns_response_size_bytes_count'), [
      'dns://:0 dropped "" proto=tcp 1',
      'dns://:0 dropped "" proto=udp 2',
    ]);
  });

  it('counts nothing under the served zones for those queries', () => {
    const served = (families.get('coredns_dns_requests_total')?.samples ?? []).filter(
      (s) => s.labels.zone !== 'dropped',
    );
    assert.deepEqual(served, []);
  });
});
