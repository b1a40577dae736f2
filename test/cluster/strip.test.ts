import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectKey, stripObject, stripObjects } from '../../src/cluster/strip.js';
import { InvalidObjectError } from '../../src/errors.js';

function service(spec: object, metadata: object = { name: 'web', namespace: 'shop' }): object {
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

function slice(fields: object, labels: object = { 'kubernetes.io/service-name': 'web' }): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'shop', labels },
    addressType: 'IPv4',
    ...fields,
  };
}

function pod(status: object, extra: { spec?: object; metadata?: object } = {}): object {
  const metadata = { name: 'web-0', namespace: 'shop', ...extra.metadata };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: extra.spec ?? {}, status };
}

/** Asserts that stripping throws InvalidObjectError with this field and message. */
function assertInvalid(raw: object, field: (string | number)[], message: string): void {
  assert.throws(
    () => stripObjects(raw),
    (error: unknown) => {
      assert.ok(error instanceof InvalidObjectError);
      assert.equal(error.code, 'STATE_INVALID');
      assert.deepEqual(error.field, field);
      assert.equal(error.message, message);
      return true;
    },
  );
}

describe('strip Service', () => {
  it('keeps dual-stack clusterIPs in order and lower-cases protocols', () => {
    const raw = service({
      type: 'ClusterIP',
      clusterIP: '10.96.0.20',
      clusterIPs: ['10.96.0.20', 'fd00:10:96::20'],
      ipFamilies: ['IPv4', 'IPv6'],
      sessionAffinity: 'None',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'sig', port: 3868, protocol: 'SCTP' },
        { port: 9000 },
      ],
    });
    assert.deepEqual(stripObjects(raw), [
      {
        kind: 'Service',
        value: {
          namespace: 'shop',
          name: 'web',
          kind: 'ClusterIP',
          clusterIPs: ['10.96.0.20', 'fd00:10:96::20'],
          externalName: '',
          ports: [
            { name: 'http', port: 80, protocol: 'tcp' },
            { name: 'dns', port: 53, protocol: 'udp' },
            { name: 'sig', port: 3868, protocol: 'sctp' },
            { name: '', port: 9000, protocol: 'tcp' },
          ],
        },
      },
    ]);
  });

  it('falls back to spec.clusterIP and treats NodePort like ClusterIP', () => {
    const raw = service({ type: 'NodePort', clusterIP: '10.96.7.7', ports: [] });
    const value = stripObject(raw)?.value;
    assert.deepEqual(value, {
      namespace: 'shop',
      name: 'web',
      kind: 'ClusterIP',
      clusterIPs: ['10.96.7.7'],
      externalName: '',
      ports: [],
    });
  });

  it('reads clusterIP None as Headless with no cluster IPs', () => {
    const ports = [{ name: 'pg', port: 5432 }];
    const raw = service({ clusterIP: 'None', clusterIPs: ['None'], ports });
    assert.deepEqual(stripObject(raw)?.value, {
      namespace: 'shop',
      name: 'web',
      kind: 'Headless',
      clusterIPs: [],
      externalName: '',
      ports: [{ name: 'pg', port: 5432, protocol: 'tcp' }],
    });
  });

  it('lower-cases ExternalName and strips its trailing dot', () => {
    const raw = service({ type: 'ExternalName', externalName: 'API.Example.COM.' });
    assert.deepEqual(stripObject(raw)?.value, {
      namespace: 'shop',
      name: 'web',
      kind: 'ExternalName',
      clusterIPs: [],
      externalName: 'api.example.com',
      ports: [],
    });
  });

  it('puts an object without namespace in default, as kubectl does', () => {
    const raw = service({ clusterIP: '10.96.0.1' }, { name: 'kubernetes' });
    assert.equal(objectKey(stripObject(raw)!), 'default/kubernetes');
  });

  it('ignores a custom resource named Service in another API group', () => {
    const knative = { ...service({}), apiVersion: 'serving.knative.dev/v1' };
    assert.deepEqual(stripObjects(knative), []);
    assert.equal(stripObject(knative), null);
  });

  it('rejects malformed Services naming the field', () => {
    assertInvalid(service({ clusterIP: '10.96.0.1' }, { namespace: 'shop' }), ['metadata', 'name'],
      'Service (unnamed): metadata.name is missing');
    assertInvalid(service({ clusterIP: '10.96.0.1' }, { name: 'Web', namespace: 'shop' }),
      ['metadata', 'name'], 'Service Web: metadata.name "Web" is not a DNS label');
    assertInvalid(service({ clusterIP: '10.96.0.1', ports: [{ port: 70000 }] }),
      ['spec', 'ports', 0, 'port'],
      'Service shop/web: spec.ports[0].port must be an integer from 1 to 65535, got 70000');
    assertInvalid(service({ clusterIP: '10.96.0.1', ports: [{ port: '80' }] }),
      ['spec', 'ports', 0, 'port'],
      'Service shop/web: spec.ports[0].port must be an integer from 1 to 65535, got "80"');
    assertInvalid(service({ clusterIP: '10.96.0.1', ports: [{ port: 80, protocol: 'HTTP' }] }),
      ['spec', 'ports', 0, 'protocol'],
      'Service shop/web: spec.ports[0].protocol must be TCP, UDP or SCTP, got "HTTP"');
    assertInvalid(service({ clusterIPs: ['10.96.0.1', '10.96.0.300'] }), ['spec', 'clusterIPs', 1],
      'Service shop/web: spec.clusterIPs[1] "10.96.0.300" is not an IP address');
    assertInvalid(service({ type: 'ClusterIP' }), ['spec', 'clusterIP'],
      'Service shop/web: spec.clusterIP is missing for a Service with a cluster IP');
    assertInvalid(service({ type: 'ExternalName' }), ['spec', 'externalName'],
      'Service shop/web: spec.externalName is missing');
    assertInvalid(service({ clusterIP: '10.96.0.1', ports: 'http' }), ['spec', 'ports'],
      'Service shop/web: spec.ports must be a list, got "http"');
  });
});

describe('strip EndpointSlice', () => {
  it('reads endpoints, readiness, hostnames, pod names and ports', () => {
    const raw = slice({
      endpoints: [
        {
          addresses: ['10.244.1.5'],
          conditions: { ready: true, serving: true, terminating: false },
          hostname: 'db-0',
          nodeName: 'node-1',
          targetRef: { kind: 'Pod', name: 'db-0', namespace: 'shop' },
        },
        { addresses: ['10.244.1.6'], conditions: { ready: false, serving: true } },
        { addresses: ['10.244.1.7'], conditions: {} },
        { addresses: ['10.244.1.8'], targetRef: { kind: 'Node', name: 'node-1' } },
      ],
      ports: [
        { name: 'pg', port: 5432, protocol: 'TCP' },
        { port: 9187 },
        { name: 'nothing', port: null },
        { name: 'unset' },
      ],
    });
    assert.deepEqual(stripObjects(raw), [
      {
        kind: 'EndpointSlice',
        value: {
          namespace: 'shop',
          name: 'web-abc12',
          serviceName: 'web',
          addressType: 'IPv4',
          endpoints: [
            { addresses: ['10.244.1.5'], hostname: 'db-0', ready: true, podName: 'db-0' },
            { addresses: ['10.244.1.6'], hostname: '', ready: false, podName: '' },
            { addresses: ['10.244.1.7'], hostname: '', ready: true, podName: '' },
            { addresses: ['10.244.1.8'], hostname: '', ready: true, podName: '' },
          ],
          ports: [
            { name: 'pg', port: 5432, protocol: 'tcp' },
            { name: '', port: 9187, protocol: 'tcp' },
          ],
          fromEndpoints: false,
        },
      },
    ]);
  });

  it('reads an IPv6 slice and an empty one', () => {
    const v6 = slice({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::5'] }] });
    assert.deepEqual(stripObject(v6)?.value, {
      namespace: 'shop',
      name: 'web-abc12',
      serviceName: 'web',
      addressType: 'IPv6',
      endpoints: [{ addresses: ['fd00::5'], hostname: '', ready: true, podName: '' }],
      ports: [],
      fromEndpoints: false,
    });
    const empty = slice({ endpoints: null, ports: null });
    assert.deepEqual(stripObject(empty)?.value, {
      namespace: 'shop',
      name: 'web-abc12',
      serviceName: 'web',
      addressType: 'IPv4',
      endpoints: [],
      ports: [],
      fromEndpoints: false,
    });
  });

  it('skips slices without a Service label and FQDN slices', () => {
    assert.deepEqual(stripObjects(slice({ endpoints: [] }, { app: 'web' })), []);
    assert.deepEqual(stripObjects(slice({ endpoints: [] }, {})), []);
    assert.deepEqual(stripObjects(slice({ addressType: 'FQDN', endpoints: [] })), []);
  });

  it('accepts discovery.k8s.io/v1beta1 and ignores other groups', () => {
    const beta = { ...slice({ endpoints: [] }), apiVersion: 'discovery.k8s.io/v1beta1' };
    assert.equal(stripObjects(beta).length, 1);
    const other = { ...slice({ endpoints: [] }), apiVersion: 'example.com/v1' };
    assert.deepEqual(stripObjects(other), []);
  });

  it('rejects malformed slices naming the field', () => {
    assertInvalid(slice({ addressType: 'IPv5' }), ['addressType'],
      'EndpointSlice shop/web-abc12: addressType must be IPv4, IPv6 or FQDN, got "IPv5"');
    assertInvalid(slice({ endpoints: [{ addresses: ['fd00::1'] }] }),
      ['endpoints', 0, 'addresses', 0],
      'EndpointSlice shop/web-abc12: endpoints[0].addresses[0] "fd00::1" is not an IPv4 address');
    assertInvalid(slice({ endpoints: [{ addresses: ['10.1.1.1'], conditions: { ready: 'yes' } }] }),
      ['endpoints', 0, 'conditions', 'ready'],
      'EndpointSlice shop/web-abc12: endpoints[0].conditions.ready must be true or false, ' +
        'got "yes"');
    assertInvalid(slice({ endpoints: [{ addresses: ['10.1.1.1'], hostname: 'DB_0' }] }),
      ['endpoints', 0, 'hostname'],
      'EndpointSlice shop/web-abc12: endpoints[0].hostname "DB_0" is not a DNS label');
    assertInvalid(slice({ endpoints: [], ports: [{ port: 0 }] }), ['ports', 0, 'port'],
      'EndpointSlice shop/web-abc12: ports[0].port must be an integer from 1 to 65535, got 0');
  });
});

describe('strip v1 Endpoints', () => {
  const endpoints = (subsets: unknown): object => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: 'shop' },
    subsets,
  });

  it('converts addresses to ready and notReadyAddresses to not ready', () => {
    const raw = endpoints([
      {
        addresses: [
          { ip: '10.244.1.5', hostname: 'web-0', targetRef: { kind: 'Pod', name: 'web-0' } },
        ],
        notReadyAddresses: [{ ip: '10.244.1.6', nodeName: 'node-1' }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(stripObjects(raw), [
      {
        kind: 'EndpointSlice',
        value: {
          namespace: 'shop',
          name: 'endpoints/web',
          serviceName: 'web',
          addressType: 'IPv4',
          endpoints: [
            { addresses: ['10.244.1.5'], hostname: 'web-0', ready: true, podName: 'web-0' },
            { addresses: ['10.244.1.6'], hostname: '', ready: false, podName: '' },
          ],
          ports: [{ name: 'http', port: 8080, protocol: 'tcp' }],
          fromEndpoints: true,
        },
      },
    ]);
  });

  it('gives one slice per subset and address family', () => {
    const raw = endpoints([
      { addresses: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }], ports: [{ port: 80 }] },
      { addresses: [{ ip: '10.244.2.9' }], ports: [{ port: 81 }] },
    ]);
    const slices = stripObjects(raw).map((object) => object.value);
    assert.deepEqual(
      slices.map(
        (value) =>
          'addressType' in value && [
            value.name,
            value.addressType,
            value.endpoints[0].addresses[0],
            value.ports[0].port,
          ],
      ),
      [
        ['endpoints/web/0-ipv4', 'IPv4', '10.244.1.5', 80],
        ['endpoints/web/0-ipv6', 'IPv6', 'fd00::5', 80],
        ['endpoints/web/1-ipv4', 'IPv4', '10.244.2.9', 81],
      ],
    );
  });

  it('gives one empty slice for an Endpoints object without subsets', () => {
    assert.deepEqual(stripObjects(endpoints(undefined)), [
      {
        kind: 'EndpointSlice',
        value: {
          namespace: 'shop',
          name: 'endpoints/web',
          serviceName: 'web',
          addressType: 'IPv4',
          endpoints: [],
          ports: [],
          fromEndpoints: true,
        },
      },
    ]);
  });

  it('rejects a bad address naming the field', () => {
    assertInvalid(endpoints([{ addresses: [{ ip: 'ten' }] }]), ['subsets', 0, 'addresses', 0, 'ip'],
      'Endpoints shop/web: subsets[0].addresses[0].ip "ten" is not an IP address');
    assertInvalid(endpoints([{ notReadyAddresses: [{}] }]),
      ['subsets', 0, 'notReadyAddresses', 0, 'ip'],
      'Endpoints shop/web: subsets[0].notReadyAddresses[0].ip is missing');
  });
});

describe('strip Pod and Namespace', () => {
  it('reads podIPs, hostNetwork and falls back to podIP', () => {
    const dual = pod(
      { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00::5' }] },
      { spec: { hostNetwork: false } },
    );
    assert.deepEqual(stripObjects(dual), [
      {
        kind: 'Pod',
        value: {
          namespace: 'shop',
          name: 'web-0',
          ips: ['10.244.0.5', 'fd00::5'],
          hostNetwork: false,
        },
      },
    ]);
    const host = pod({ phase: 'Running', podIP: '192.168.49.2' }, { spec: { hostNetwork: true } });
    assert.deepEqual(stripObject(host)?.value, {
      namespace: 'shop',
      name: 'web-0',
      ips: ['192.168.49.2'],
      hostNetwork: true,
    });
    const pending = pod({ phase: 'Pending' });
    assert.deepEqual(stripObject(pending)?.value,
      { namespace: 'shop', name: 'web-0', ips: [], hostNetwork: false });
  });

  it('skips pods being deleted and pods that finished', () => {
    const running = { phase: 'Running', podIP: '10.244.0.5' };
    const deleting = pod(running, { metadata: { deletionTimestamp: '2026-12-01T10:00:00Z' } });
    assert.deepEqual(stripObjects(deleting), []);
    assert.deepEqual(stripObjects(pod({ ...running, phase: 'Succeeded' })), []);
    assert.deepEqual(stripObjects(pod({ ...running, phase: 'Failed' })), []);
    assert.equal(stripObjects(pod({ ...running, phase: 'Unknown' })).length, 1);
  });

  it('rejects a bad pod IP naming the field', () => {
    assertInvalid(pod({ podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00::zz' }] }),
      ['status', 'podIPs', 1, 'ip'],
      'Pod shop/web-0: status.podIPs[1].ip "fd00::zz" is not an IP address');
    assertInvalid(pod({ podIP: 'x' }), ['status', 'podIP'],
      'Pod shop/web-0: status.podIP "x" is not an IP address');
  });

  it('reads a Namespace by name', () => {
    const metadata = { name: 'shop', labels: { team: 'a' } };
    const raw = { apiVersion: 'v1', kind: 'Namespace', metadata, status: { phase: 'Active' } };
    const object = stripObject(raw);
    assert.deepEqual(object, { kind: 'Namespace', value: { name: 'shop' } });
    assert.equal(objectKey(object!), 'shop');
    assertInvalid({ kind: 'Namespace', metadata: { name: 'Shop' } }, ['metadata', 'name'],
      'Namespace Shop: metadata.name "Shop" is not a DNS label');
  });
});

describe('strip other input', () => {
  it('ignores other kinds and non-objects', () => {
    for (const raw of [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } },
      { metadata: { name: 'x' } },
      null,
      'Service',
      [],
    ]) {
      assert.deepEqual(stripObjects(raw), []);
      assert.equal(stripObject(raw), null);
    }
  });
});
