/**
 * The record index on its own: merging slices, v1 Endpoints fallback, the reverse map, pods by
 * IP, namespaces, sync state, generations and change listeners.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EndpointInfo, EndpointSliceInfo, ServiceInfo } from '../../src/cluster/model.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { dashedIp, ipFromDashed, ipFromReverse, reverseName } from '../../src/records/ip-names.js';

function service(namespace: string, name: string, clusterIPs: string[] = []): ServiceInfo {
  return {
    namespace,
    name,
    kind: clusterIPs.length > 0 ? 'ClusterIP' : 'Headless',
    clusterIPs,
    externalName: '',
    ports: [{ name: 'http', port: 80, protocol: 'tcp' }],
  };
}

function endpoint(address: string, hostname = '', ready = true): EndpointInfo {
  return { addresses: [address], hostname, ready, podName: '' };
}

function slice(
  namespace: string,
  name: string,
  serviceName: string,
  endpoints: EndpointInfo[],
  fromEndpoints = false,
): EndpointSliceInfo {
  return {
    namespace,
    name,
    serviceName,
    addressType: endpoints[0]?.addresses[0].includes(':') ? 'IPv6' : 'IPv4',
    endpoints,
    ports: [{ name: 'http', port: 8080, protocol: 'tcp' }],
    fromEndpoints,
  };
}

const addressesOf = (index: RecordIndex, ns: string, name: string): string[] =>
  index.service(ns, name)?.endpoints.ready.map((e) => e.addresses[0]) ?? [];

describe('record index', () => {
  it('merges the ready endpoints of all slices of a Service, once each', () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({ kind: 'Service', value: service('a', 'db') });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'db-2', 'db', [endpoint('10.0.0.2'), endpoint('10.0.0.9', '', false)]),
    });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'db-1', 'db', [endpoint('10.0.0.1'), endpoint('10.0.0.2')]),
    });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'db-6', 'db', [endpoint('2001:DB8:0::1')]),
    });
    assert.deepEqual(addressesOf(index, 'a', 'db'), ['10.0.0.1', '10.0.0.2', '2001:db8::1']);
    index.remove('EndpointSlice', 'a/db-1');
    assert.deepEqual(addressesOf(index, 'a', 'db'), ['10.0.0.2', '2001:db8::1']);
  });

  it('uses slices converted from v1 Endpoints only while no real slice exists', () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({ kind: 'Service', value: service('a', 'old') });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'endpoints/old', 'old', [endpoint('10.0.0.5')], true),
    });
    assert.deepEqual(addressesOf(index, 'a', 'old'), ['10.0.0.5']);
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'old-x', 'old', [endpoint('10.0.0.6')]),
    });
    assert.deepEqual(addressesOf(index, 'a', 'old'), ['10.0.0.6']);
    index.remove('EndpointSlice', 'a/old-x');
    assert.deepEqual(addressesOf(index, 'a', 'old'), ['10.0.0.5']);
  });

  it('keeps the reverse map in step: ClusterIPs first, one target per Service', () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({ kind: 'Service', value: service('a', 'web', ['10.96.0.5']) });
    index.upsert({ kind: 'Service', value: service('a', 'hl') });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'web-1', 'web', [endpoint('10.1.0.1')]),
    });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'hl-1', 'hl', [endpoint('10.1.0.1', 'p0')]),
    });
    index.upsert({
      kind: 'EndpointSlice',
      value: slice('a', 'hl-2', 'hl', [endpoint('10.1.0.1', 'p0')]),
    });
    const targets = index
      .reverseTargets('10.1.0.1')
      .map((t) => `${t.service.name}/${t.endpoint?.hostname}`);
    assert.deepEqual(targets.sort(), ['hl/p0', 'web/']);
    assert.deepEqual(
      index.reverseTargets('10.96.0.5').map((t) => t.service.name),
      ['web'],
    );
    index.upsert({ kind: 'Service', value: service('a', 'web', ['10.96.0.6']) });
    assert.deepEqual(index.reverseTargets('10.96.0.5'), []);
    assert.equal(index.reverseTargets('10.96.0.6').length, 1);
    index.remove('Service', 'a/hl');
    assert.deepEqual(
      index.reverseTargets('10.1.0.1').map((t) => t.service.name),
      ['web'],
    );
    assert.equal(index.service('a', 'hl'), undefined);
    index.replaceAll('EndpointSlice', []);
    assert.deepEqual(index.reverseTargets('10.1.0.1'), []);
  });

  it('moves a slice whose service-name label changed', () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({ kind: 'Service', value: service('a', 'one') });
    index.upsert({ kind: 'Service', value: service('a', 'two') });
    index.upsert({ kind: 'EndpointSlice', value: slice('a', 's', 'one', [endpoint('10.0.0.1')]) });
    index.upsert({ kind: 'EndpointSlice', value: slice('a', 's', 'two', [endpoint('10.0.0.1')]) });
    assert.deepEqual(addressesOf(index, 'a', 'one'), []);
    assert.deepEqual(addressesOf(index, 'a', 'two'), ['10.0.0.1']);
  });

  it('finds pods by IP, preferring a pod network pod and the newest one', () => {
    const index = new RecordIndex({ kinds: [] });
    const pod = (ns: string, name: string, ip: string, hostNetwork = false) =>
      ({ kind: 'Pod', value: { namespace: ns, name, ips: [ip], hostNetwork } }) as const;
    index.upsert(pod('kube-system', 'agent', '192.168.1.10', true));
    assert.equal(index.podByIp('192.168.1.10')?.hostNetwork, true);
    index.upsert(pod('a', 'old', '10.0.0.7'));
    index.upsert(pod('b', 'new', '10.0.0.7'));
    assert.equal(index.podByIp('10.0.0.7')?.name, 'new');
    assert.ok(index.podExists('a', '10.0.0.7'));
    index.remove('Pod', 'b/new');
    assert.equal(index.podByIp('10.0.0.7')?.name, 'old');
    assert.equal(index.podExists('b', '10.0.0.7'), false);
    index.upsert(pod('c', 'six', 'FD00::0:7'));
    assert.equal(index.podByIp('fd00::7')?.name, 'six');
    index.replaceAll('Pod', []);
    assert.equal(index.podByIp('10.0.0.7'), undefined);
    assert.equal(index.stats().pods, 0);
  });

  it('counts Services and Namespaces per namespace', () => {
    const index = new RecordIndex({ kinds: [] });
    index.upsert({ kind: 'Namespace', value: { name: 'a' } });
    index.upsert({ kind: 'Service', value: service('b', 'x') });
    assert.ok(index.hasNamespace('a'));
    assert.equal(index.hasNamespace('b'), false);
    assert.equal(index.serviceCount('b'), 1);
    index.upsert({ kind: 'Service', value: service('b', 'x', ['10.0.0.1']) });
    assert.equal(index.serviceCount('b'), 1);
    index.remove('Service', 'b/x');
    index.remove('Namespace', 'a');
    assert.equal(index.serviceCount('b'), 0);
    assert.equal(index.hasNamespace('a'), false);
  });

  it('bumps the generation, the change time and calls listeners on every change', () => {
    let now = 1_000_000;
    const index = new RecordIndex({ kinds: ['Service', 'EndpointSlice'], clock: () => now });
    let calls = 0;
    const stop = index.onChange(() => calls++);
    assert.equal(index.generation, 0);
    now = 2_000_000;
    index.upsert({ kind: 'Service', value: service('a', 'x') });
    assert.equal(index.generation, 1);
    assert.equal(index.lastChange, 2_000_000);
    index.markSynced('Service');
    assert.equal(index.synced(), false);
    index.markSynced('EndpointSlice');
    index.markSynced('EndpointSlice');
    assert.equal(index.synced(), true);
    assert.equal(index.generation, 3);
    index.remove('Service', 'a/nothing');
    assert.equal(calls, 4);
    stop();
    index.replaceAll('Service', []);
    assert.equal(calls, 4);
    assert.equal(index.generation, 5);
  });
});

describe('IP names', () => {
  it('writes and reads dashed labels as CoreDNS does', () => {
    assert.equal(dashedIp('10.3.0.1'), '10-3-0-1');
    assert.equal(dashedIp('2001:db8::'), '2001-db8--0');
    assert.equal(dashedIp('5678:ABCD::1'), '5678-abcd--1');
    assert.equal(ipFromDashed('10-3-0-1'), '10.3.0.1');
    assert.equal(ipFromDashed('2001-db8--1'), '2001:db8::1');
    assert.equal(ipFromDashed('2001-db8--0'), '2001:db8::');
    assert.equal(ipFromDashed('10-3-0-256'), null);
    assert.equal(ipFromDashed('10-3--1'), '10:3::1');
    assert.equal(ipFromDashed('zz-1'), null);
    assert.equal(ipFromDashed('web'), null);
  });

  it('reads reverse names only when they spell a whole address', () => {
    assert.equal(ipFromReverse(['1', '0', '3', '10'], false), '10.3.0.1');
    assert.equal(ipFromReverse(['0', '3', '10'], false), null);
    assert.equal(
      ipFromReverse(reverseName('2001:db8::1').split('.').slice(0, 32), true),
      '2001:db8::1',
    );
    assert.equal(ipFromReverse(['x', ...Array(31).fill('0')], true), null);
  });
});
