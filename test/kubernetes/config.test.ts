/**
 * Parsing the `kubernetes` directive: defaults, every option, and the errors (each naming the
 * Corefile, the line and the problem).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseKubernetesConfig } from '../../src/plugins/kubernetes/config.js';
import { ConfigError } from '../../src/errors.js';
import { directive } from './in-process.js';

const BLOCK = { zones: ['cluster.local'], port: 53, server: 'dns://:53' };

function parse(zones: string[], options: string[]) {
  return parseKubernetesConfig(directive(zones, options), BLOCK);
}

function fails(zones: string[], options: string[], code: string, message: string): void {
  assert.throws(
    () => parse(zones, options),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('kubernetes directive', () => {
  it('takes the server block zones and CoreDNS defaults when given nothing', () => {
    const config = parse([], []);
    assert.deepEqual(config.zones, ['cluster.local']);
    assert.equal(config.primaryZone, 'cluster.local');
    assert.equal(config.pods, 'disabled');
    assert.equal(config.ttl, 5);
    assert.equal(config.fallthrough, null);
    assert.equal(config.startupTimeoutMs, 5000);
    assert.deepEqual(config.namespaces, []);
    assert.equal(config.state, '');
    assert.equal(config.endpointPodNames, false);
    assert.equal(config.noEndpoints, false);
    assert.equal(config.ignoreEmptyService, false);
    assert.ok(Object.isFrozen(config));
  });

  it('normalizes zones, turns CIDRs into reverse zones and picks the first forward zone', () => {
    const config = parse(['10.0.0.0/8', 'Cluster.Local.', 'fd00::/16', 'example.internal'], []);
    assert.deepEqual(config.zones, [
      '10.in-addr.arpa',
      'cluster.local',
      '0.0.d.f.ip6.arpa',
      'example.internal',
    ]);
    assert.equal(config.primaryZone, 'cluster.local');
  });

  it('reads every option', () => {
    const config = parse(
      ['cluster.local', 'in-addr.arpa'],
      [
        'pods verified',
        'fallthrough in-addr.arpa ip6.arpa',
        'ttl 30',
        'namespaces shop Store',
        'labels app=web,tier!=cache',
        'endpoint_pod_names',
        'kubeconfig /etc/kube/config dev',
        'endpoint https://10.0.0.1:6443',
        'state fixtures/cluster.yaml',
        'noendpoints',
        'startup_timeout 1m30s',
        'ignore empty_service',
      ],
    );
    assert.equal(config.pods, 'verified');
    assert.deepEqual(config.fallthrough, ['in-addr.arpa', 'ip6.arpa']);
    assert.equal(config.ttl, 30);
    assert.deepEqual(config.namespaces, ['shop', 'store']);
    assert.equal(config.labels, 'app=web,tier!=cache');
    assert.equal(config.endpointPodNames, true);
    assert.equal(config.kubeconfig, '/etc/kube/config');
    assert.equal(config.context, 'dev');
    assert.equal(config.endpoint, 'https://10.0.0.1:6443');
    assert.equal(config.state, path.resolve('fixtures/cluster.yaml'));
    assert.equal(config.noEndpoints, true);
    assert.equal(config.startupTimeoutMs, 90_000);
    assert.equal(config.ignoreEmptyService, true);
  });

  it('takes a bare fallthrough as all zones and namespace_labels alone', () => {
    const config = parse([], ['fallthrough', 'namespace_labels team in (a, b)', 'ttl 0']);
    assert.deepEqual(config.fallthrough, []);
    assert.equal(config.namespaceLabels, 'team in (a, b)');
    assert.equal(config.ttl, 0);
  });

  it('rejects bad values, naming file, line and problem', () => {
    fails(
      [],
      ['pods bogus'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: pods: "bogus" is not disabled, insecure or verified',
    );
    fails([], ['ttl 3601'], 'CONFIG_BAD_VALUE', 'Corefile:2: ttl: 3601 is out of range 0..3600');
    fails(
      [],
      ['ttl', 'ttl five'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: ttl: expected 1 argument(s), got 0',
    );
    fails(
      [],
      ['ttl 5', 'ttl five'],
      'CONFIG_BAD_VALUE',
      'Corefile:3: ttl: "five" is not an integer',
    );
    fails(
      [],
      ['startup_timeout soon'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: startup_timeout: "soon" is not a duration (e.g. 5s, 1m30s)',
    );
    fails(
      [],
      ['ignore everything'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: ignore: unknown value "everything"',
    );
    fails(
      [],
      ['endpoint_pod_names yes'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: endpoint_pod_names: expected 0 argument(s), got 1',
    );
    fails(
      [],
      ['namespaces'],
      'CONFIG_BAD_VALUE',
      'Corefile:2: namespaces: expected at least 1 argument(s), got 0',
    );
    fails(
      [],
      ['namespaces a', 'namespace_labels x=y'],
      'CONFIG_BAD_VALUE',
      'Corefile:1: kubernetes: namespaces and namespace_labels cannot both be set',
    );
    fails(
      ['in-addr.arpa', 'ip6.arpa'],
      [],
      'CONFIG_BAD_VALUE',
      'Corefile:1: kubernetes: non-reverse zone name must be used',
    );
    fails(
      ['10.0.0.0/7'],
      [],
      'CONFIG_BAD_VALUE',
      'Corefile:1: kubernetes: "10.0.0.0/7" is not a zone name',
    );
    assert.throws(
      () => parse([], ['labels app in (web']),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.code, 'CONFIG_BAD_VALUE');
        assert.match(err.message, /^Corefile:2: labels: label selector "app in \(web"/);
        return true;
      },
    );
  });

  it('rejects unknown and unsupported options', () => {
    fails(
      [],
      ['ttl 5', 'colour blue'],
      'CONFIG_UNKNOWN_OPTION',
      'Corefile:3: kubernetes: unknown property "colour"',
    );
    fails(
      [],
      ['tls a b c'],
      'CONFIG_UNKNOWN_OPTION',
      'Corefile:2: kubernetes: option "tls" is not supported by clusterdns',
    );
  });
});
