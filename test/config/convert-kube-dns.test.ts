/**
 * `clusterdns convert kube-dns FILE`: the exact Corefile for a kube-dns ConfigMap, which itself
 * parses; clear errors naming file, line and key for bad JSON and bad values; exit codes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseCorefile } from '../../src/config/corefile.js';
import { convertKubeDnsConfigMap } from '../../src/config/kube-dns-convert.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { KUBEADM_COREFILE } from './kubeadm-corefiles.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-dns
  namespace: kube-system
data:
  stubDomains: |
    {"acme.local": ["1.2.3.4"], "Corp.Example.": ["10.0.0.53:5353", "[fd00::53]:53"]}
  upstreamNameservers: |
    ["8.8.8.8", "8.8.4.4:53"]
`;

const EXPECTED = `${KUBEADM_COREFILE.replace('forward . /etc/resolv.conf', 'forward . 8.8.8.8 8.8.4.4:53')}acme.local:53 {
    errors
    cache 30
    loop
    forward . 1.2.3.4
}
corp.example:53 {
    errors
    cache 30
    loop
    forward . 10.0.0.53:5353 [fd00::53]:53
}
`;

const convert = (text: string, domain = 'cluster.local') =>
  convertKubeDnsConfigMap(text, 'kube-dns.yaml', { clusterDomain: domain });

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('valid JSON');
}

describe('convert kube-dns', () => {
  it('writes the kubeadm root block with the upstreams and a block per stub domain', () => {
    const corefile = convert(CONFIGMAP);
    assert.equal(corefile, EXPECTED);
    assert.deepEqual(
      parseCorefile(corefile, 'converted').map((b) => b.keys.join(' ')),
      ['.:53', 'acme.local:53', 'corp.example:53'],
    );
  });

  it('keeps /etc/resolv.conf and the given cluster domain when the ConfigMap has no data', () => {
    const corefile = convert(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-dns\n',
      'k8s.example',
    );
    assert.equal(corefile, KUBEADM_COREFILE.replaceAll('cluster.local', 'k8s.example'));
  });

  const bad: [string, string, string][] = [
    [
      'bad JSON in stubDomains',
      'kind: ConfigMap\ndata:\n  upstreamNameservers: \'["8.8.8.8"]\'\n  stubDomains: \'{"acme.local": [1.2.3.4]}\'\n',
      `kube-dns.yaml:4: data.stubDomains: not valid JSON (${jsonError('{"acme.local": [1.2.3.4]}')})`,
    ],
    [
      'bad JSON in upstreamNameservers',
      'kind: ConfigMap\ndata:\n  upstreamNameservers: "[8.8.8.8"\n',
      `kube-dns.yaml:3: data.upstreamNameservers: not valid JSON (${jsonError('[8.8.8.8')})`,
    ],
    [
      'more than three upstreams',
      'kind: ConfigMap\ndata:\n  upstreamNameservers: \'["1.1.1.1","1.0.0.1","8.8.8.8","8.8.4.4"]\'\n',
      'kube-dns.yaml:3: data.upstreamNameservers: at most 3 nameservers, got 4',
    ],
    [
      'an upstream that is not an address',
      'kind: ConfigMap\ndata:\n  upstreamNameservers: \'["dns.google"]\'\n',
      'kube-dns.yaml:3: data.upstreamNameservers: nameserver "dns.google" is not IP or IP:PORT',
    ],
    [
      'upstreams not an array',
      'kind: ConfigMap\ndata:\n  upstreamNameservers: \'{"a": 1}\'\n',
      'kube-dns.yaml:3: data.upstreamNameservers: expected a JSON array of nameservers',
    ],
    [
      'stub domains not an object',
      'kind: ConfigMap\ndata:\n  stubDomains: \'["1.2.3.4"]\'\n',
      'kube-dns.yaml:3: data.stubDomains: expected a JSON object of domain: [nameservers]',
    ],
    [
      'a stub domain without nameservers',
      'kind: ConfigMap\ndata:\n  stubDomains: \'{"acme.local": []}\'\n',
      'kube-dns.yaml:3: data.stubDomains: "acme.local": expected a non-empty array of nameservers',
    ],
    [
      'two keys naming one stub domain (case and trailing dot ignored)',
      'kind: ConfigMap\ndata:\n  stubDomains: \'{"acme.local": ["1.2.3.4"], "ACME.local.": ["5.6.7.8"]}\'\n',
      'kube-dns.yaml:3: data.stubDomains: "ACME.local." names the same domain as "acme.local"',
    ],
    [
      'a stub domain equal to the cluster domain',
      'kind: ConfigMap\ndata:\n  stubDomains: \'{"Cluster.Local.": ["1.2.3.4"]}\'\n',
      'kube-dns.yaml:3: data.stubDomains: "Cluster.Local." is the cluster domain cluster.local, ' +
        'which kubernetes serves',
    ],
    [
      'a stub domain under the cluster domain',
      'kind: ConfigMap\ndata:\n  stubDomains: \'{"acme.local": ["1.2.3.4"], "svc.cluster.local": ["1.2.3.4"]}\'\n',
      'kube-dns.yaml:3: data.stubDomains: "svc.cluster.local" is under the cluster domain ' +
        'cluster.local, which kubernetes serves',
    ],
    ['not a ConfigMap', 'kind: Secret\n', 'kube-dns.yaml:1: not a ConfigMap (kind: ConfigMap)'],
    ['broken YAML', 'kind: ConfigMap\ndata: [\n', 'kube-dns.yaml:3: not valid YAML: '],
  ];
  it('checks stub domains against the given cluster domain, on label boundaries', () => {
    const text = (stubs: string) => `kind: ConfigMap\ndata:\n  stubDomains: '${stubs}'\n`;
    const corefile = convert(text('{"cluster.local": ["1.2.3.4"], "xk8s.example": ["1.2.3.5"]}'),
      'k8s.example');
    assert.deepEqual(
      parseCorefile(corefile, 'converted').map((b) => b.keys.join(' ')),
      ['.:53', 'cluster.local:53', 'xk8s.example:53'],
    );
    assert.throws(() => convert(text('{"db.k8s.example": ["1.2.3.4"]}'), 'k8s.example'), {
      message: 'kube-dns.yaml:3: data.stubDomains: "db.k8s.example" is under the cluster domain ' +
        'k8s.example, which kubernetes serves',
    });
  });

  it('warns that federations are not supported and converts the rest', () => {
    const warnings: string[] = [];
    const corefile = convertKubeDnsConfigMap(
      `${CONFIGMAP}  federations: |\n    {"myfed": "example.com"}\n`,
      'kube-dns.yaml',
      { clusterDomain: 'cluster.local', warn: (message) => warnings.push(message) },
    );
    assert.equal(corefile, EXPECTED);
    assert.deepEqual(warnings, [
      'kube-dns.yaml:11: data.federations: not supported (CoreDNS has no equivalent); ignored',
    ]);
  });

  for (const [name, text, message] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => convert(text),
        (err: Error) => {
          if (message.endsWith(': ')) assert.ok(err.message.startsWith(message), err.message);
          else assert.equal(err.message, message);
          return true;
        },
      );
    });
  }
});

describe('clusterdns convert (the executable)', () => {
  let dir: string;
  before(() => {
    dir = makeTempDir('convert-');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[]) {
    const proc = ClusterDnsProcess.spawn(['convert', ...args]);
    const code = await proc.wait();
    return {
      code,
      stdout: proc.lines.map((l) => String(l.text ?? JSON.stringify(l))).join('\n'),
      stderr: proc.stderr.join(''),
    };
  }

  it('prints the Corefile and exits 0', async () => {
    const file = path.join(dir, 'kube-dns.yaml');
    fs.writeFileSync(file, CONFIGMAP);
    const result = await run(['kube-dns', file]);
    assert.deepEqual([result.code, `${result.stdout}\n`, result.stderr], [0, EXPECTED, '']);
  });

  it('exits 1 naming the key and the JSON error', async () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'kind: ConfigMap\ndata:\n  stubDomains: "{oops"\n');
    const result = await run(['kube-dns', file]);
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [1, '', `${file}:3: data.stubDomains: not valid JSON (${jsonError('{oops')})\n`],
    );
  });

  it('exits 1 naming both keys of a duplicated stub domain, printing no Corefile', async () => {
    const file = path.join(dir, 'dup.yaml');
    fs.writeFileSync(
      file,
      'kind: ConfigMap\ndata:\n  stubDomains: \'{"acme.local":["1.2.3.4"],"ACME.local.":["1.2.3.5"]}\'\n',
    );
    const result = await run(['kube-dns', file]);
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [1, '', `${file}:3: data.stubDomains: "ACME.local." names the same domain as "acme.local"\n`],
    );
  });

  it('exits 1 for a stub domain under --cluster-domain', async () => {
    const file = path.join(dir, 'under.yaml');
    fs.writeFileSync(file, 'kind: ConfigMap\ndata:\n  stubDomains: \'{"a.k8s.example":["1.2.3.4"]}\'\n');
    const result = await run(['kube-dns', file, '--cluster-domain', 'K8S.example.']);
    assert.deepEqual(
      [result.code, result.stdout, result.stderr],
      [1, '', `${file}:3: data.stubDomains: "a.k8s.example" is under the cluster domain ` +
        'k8s.example, which kubernetes serves\n'],
    );
  });

  it('prints the Corefile, warns about federations on stderr and exits 0', async () => {
    const file = path.join(dir, 'federations.yaml');
    fs.writeFileSync(file, `${CONFIGMAP}  federations: '{"myfed": "example.com"}'\n`);
    const result = await run(['kube-dns', file]);
    assert.deepEqual([result.code, `${result.stdout}\n`, result.stderr], [
      0,
      EXPECTED,
      `warning: ${file}:11: data.federations: not supported (CoreDNS has no equivalent); ignored\n`,
    ]);
  });

  it('exits 1 for an unknown source', async () => {
    const result = await run(['bind9', 'x']);
    assert.deepEqual(
      [result.code, result.stderr],
      [1, 'clusterdns convert: unknown source "bind9" (supported: kube-dns)\n'],
    );
  });
});
