/**
 * Table tests for the kubelet's pod resolv.conf forming: each row is a pod manifest, kubelet
 * settings and a node file, and pins the exact file text and warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderResolvConf } from '../../src/resolv/dns-config.js';
import { parseHostResolvConf } from '../../src/resolv/host-resolv-conf.js';
import { parsePodDnsSpec } from '../../src/resolv/pod-dns-spec.js';
import { formPodResolvConf, PodDnsError } from '../../src/resolv/pod-resolv-conf.js';

/** A resolv.conf's text from its lines. */
const lines = (...text: string[]): string => text.map((line) => `${line}\n`).join('');

const NODE =
  'nameserver 192.0.2.53\nnameserver 192.0.2.54\nsearch corp.example.com\noptions ndots:1 rotate\n';

interface Row {
  readonly name: string;
  readonly pod: string;
  readonly host?: string | null;
  readonly clusterDns?: readonly string[];
  readonly clusterDomain?: string;
  readonly file: string;
  readonly warnings?: readonly string[];
}

const pod = (spec: string, namespace = 'default'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ${namespace}\nspec:\n${spec}`;

const rows: Row[] = [
  {
    name: 'dnsPolicy unset is ClusterFirst: cluster search, host search appended, ndots:5',
    pod: pod('  containers: []\n'),
    file: lines(
      'search default.svc.cluster.local svc.cluster.local cluster.local corp.example.com',
      'nameserver 10.96.0.10',
      'options ndots:5',
    ),
  },
  {
    name: 'namespace missing from metadata means default',
    pod: 'kind: Pod\nmetadata:\n  name: p\nspec:\n  dnsPolicy: ClusterFirst\n',
    host: '',
    file: lines(
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'options ndots:5',
    ),
  },
  {
    name: 'ClusterFirst with hostNetwork falls back to the node file',
    pod: pod('  hostNetwork: true\n  dnsPolicy: ClusterFirst\n'),
    file: lines(
      'search corp.example.com',
      'nameserver 192.0.2.53',
      'nameserver 192.0.2.54',
      'options ndots:1 rotate',
    ),
  },
  {
    name: 'ClusterFirstWithHostNet keeps cluster DNS for a hostNetwork pod',
    pod: pod('  hostNetwork: true\n  dnsPolicy: ClusterFirstWithHostNet\n', 'kube-system'),
    file: lines(
      'search kube-system.svc.cluster.local svc.cluster.local cluster.local corp.example.com',
      'nameserver 10.96.0.10',
      'options ndots:5',
    ),
  },
  {
    name: 'Default copies the node file',
    pod: pod('  dnsPolicy: Default\n'),
    file: lines(
      'search corp.example.com',
      'nameserver 192.0.2.53',
      'nameserver 192.0.2.54',
      'options ndots:1 rotate',
    ),
  },
  {
    name: 'Default with an empty --resolv-conf points at the local machine',
    pod: pod('  dnsPolicy: Default\n'),
    host: null,
    file: lines('search .', 'nameserver 127.0.0.1'),
  },
  {
    name: 'None takes everything from dnsConfig (the documentation example)',
    pod: pod(
      '  dnsPolicy: None\n  dnsConfig:\n    nameservers: [192.0.2.1]\n' +
        '    searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix]\n' +
        '    options:\n      - name: ndots\n        value: "2"\n      - name: edns0\n',
      'ns1',
    ),
    file: lines(
      'search ns1.svc.cluster-domain.example my.dns.search.suffix',
      'nameserver 192.0.2.1',
      'options ndots:2 edns0',
    ),
  },
  {
    name: 'dnsConfig merge: duplicates dropped, pod values win, bare options, order kept',
    pod: pod(
      '  dnsConfig:\n    nameservers: [10.96.0.10, 1.1.1.1]\n' +
        '    searches: [cluster.local, extra.example]\n' +
        '    options:\n      - name: single-request-reopen\n      - name: ndots\n        value: "2"\n',
      'shop',
    ),
    file: lines(
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example.com extra.example',
      'nameserver 10.96.0.10',
      'nameserver 1.1.1.1',
      'options ndots:2 single-request-reopen',
    ),
  },
  {
    name: 'an option with an empty value is written bare',
    pod: pod('  dnsConfig:\n    options:\n      - name: ndots\n        value: ""\n'),
    host: '',
    file: lines(
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'options ndots',
    ),
  },
  {
    name: 'Default with dnsConfig merges into the host options (duplicates by name collapse)',
    pod: pod(
      '  dnsPolicy: Default\n  dnsConfig:\n    options:\n      - name: ndots\n        value: "3"\n',
    ),
    host: 'nameserver 192.0.2.53\noptions ndots:1 timeout:2 ndots:4\n',
    file: lines('nameserver 192.0.2.53', 'options ndots:3 timeout:2'),
  },
  {
    name: 'more than 3 nameservers: the first 3 are kept, with a warning',
    pod: pod('  dnsConfig:\n    nameservers: [192.0.2.1, 192.0.2.2, 192.0.2.3]\n'),
    host: '',
    file: lines(
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'nameserver 192.0.2.1',
      'nameserver 192.0.2.2',
      'options ndots:5',
    ),
    warnings: [
      'Nameserver limits were exceeded (max 3), omitted: 192.0.2.3; the applied nameserver ' +
        'line is: 10.96.0.10 192.0.2.1 192.0.2.2',
    ],
  },
  {
    name: 'empty cluster domain adds no cluster search domains',
    pod: pod('  containers: []\n'),
    clusterDomain: '',
    file: lines('search corp.example.com', 'nameserver 10.96.0.10', 'options ndots:5'),
  },
  {
    name: 'no cluster DNS: ClusterFirst falls back to Default with a warning',
    pod: pod('  containers: []\n'),
    clusterDns: [],
    file: lines(
      'search corp.example.com',
      'nameserver 192.0.2.53',
      'nameserver 192.0.2.54',
      'options ndots:1 rotate',
    ),
    warnings: ['kubelet has no cluster DNS address (MissingClusterDNS): using policy Default'],
  },
  {
    name: 'an unknown dnsPolicy is treated as ClusterFirst with a warning',
    pod: pod('  dnsPolicy: Sometimes\n'),
    host: '',
    file: lines(
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 10.96.0.10',
      'options ndots:5',
    ),
    warnings: ['invalid dnsPolicy "Sometimes": using ClusterFirst'],
  },
];

for (const row of rows) {
  test(`resolv-conf: ${row.name}`, () => {
    const hostText = row.host === undefined ? NODE : row.host;
    const formed = formPodResolvConf(parsePodDnsSpec(row.pod, 'pod.yaml'), {
      clusterDns: row.clusterDns ?? ['10.96.0.10'],
      clusterDomain: row.clusterDomain ?? 'cluster.local',
      host: hostText === null ? null : parseHostResolvConf(hostText, 'node-resolv.conf'),
    });
    assert.equal(renderResolvConf(formed.config), row.file);
    assert.deepEqual(formed.warnings, row.warnings ?? []);
  });
}

test('resolv-conf: 32 search domains at most; the rest dropped with a warning', () => {
  const extra = Array.from({ length: 31 }, (_, i) => `d${i}.example`);
  const formed = formPodResolvConf(
    parsePodDnsSpec(pod(`  dnsConfig:\n    searches: [${extra.join(', ')}]\n`), 'p'),
    {
      clusterDns: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      host: null,
    },
  );
  const kept = [
    'default.svc.cluster.local',
    'svc.cluster.local',
    'cluster.local',
    ...extra.slice(0, 29),
  ];
  assert.deepEqual(formed.config.searches, kept);
  assert.deepEqual(formed.warnings, [
    `Search Line limits were exceeded, omitted: d29.example d30.example; the applied search line is: ${kept.join(' ')}`,
  ]);
});

test('resolv-conf: entries over 253 characters are dropped, then the line is cut to 2048', () => {
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`; // 255 chars
  const medium = Array.from(
    { length: 10 },
    (_, i) => `${String(i).repeat(63)}.${'x'.repeat(63)}.${'y'.repeat(63)}.z`,
  );
  const text = pod(
    `  dnsPolicy: None\n  dnsConfig:\n    nameservers: [192.0.2.1]\n    searches: [${[long, ...medium].join(', ')}]\n`,
  );
  const formed = formPodResolvConf(parsePodDnsSpec(text, 'p'), {
    clusterDns: [],
    clusterDomain: '',
    host: null,
  });
  // Each medium entry is 193 characters: 10 of them joined take 1939, so all 10 fit in 2048.
  assert.deepEqual(formed.config.searches, medium);
  const sixteen = Array.from(
    { length: 16 },
    (_, i) => `${String(i % 10).repeat(60)}${i}.${'q'.repeat(63)}.${'r'.repeat(63)}.z`,
  );
  const cut = formPodResolvConf(
    parsePodDnsSpec(
      pod(
        `  dnsPolicy: None\n  dnsConfig:\n    nameservers: [192.0.2.1]\n    searches: [${sixteen.join(', ')}]\n`,
      ),
      'p',
    ),
    { clusterDns: [], clusterDomain: '', host: null },
  );
  // 16 entries of 191 or 192 characters: the first 10 fit (1919 + 9 spaces), the 11th would not.
  assert.equal(cut.config.searches.length, 10);
  assert.ok(cut.config.searches.join(' ').length <= 2048);
  assert.ok([...cut.config.searches, sixteen[10]].join(' ').length > 2048);
  assert.deepEqual(cut.config.searches, sixteen.slice(0, 10));
  assert.match(cut.warnings[0], /^Search Line limits were exceeded, omitted: /);
  assert.ok(cut.warnings[0].includes(sixteen.slice(10).join(' ')));
});

test('resolv-conf: None without nameservers is an error', () => {
  const spec = parsePodDnsSpec(
    pod('  dnsPolicy: None\n  dnsConfig:\n    searches: [a.example]\n'),
    'p',
  );
  assert.throws(
    () =>
      formPodResolvConf(spec, {
        clusterDns: ['10.96.0.10'],
        clusterDomain: 'cluster.local',
        host: null,
      }),
    PodDnsError,
  );
});

test('host resolv.conf: # comments, last search and options lines win, trailing dots stripped', () => {
  const parsed = parseHostResolvConf(
    '# nameserver 192.0.2.99\nnameserver 192.0.2.1\n; not a comment for the kubelet\n' +
      'search old.example\nsearch a.example. b.example . c.example\ndomain ignored.example\n' +
      'options ndots:2\noptions timeout:1 attempts:3\n  nameserver 192.0.2.2  # trailing\n',
    'node',
  );
  assert.deepEqual(parsed, {
    nameservers: ['192.0.2.1', '192.0.2.2'],
    searches: ['a.example', 'b.example', 'c.example'],
    options: ['timeout:1', 'attempts:3'],
  });
});

test('host resolv.conf: a nameserver line without address names file and line', () => {
  assert.throws(() => parseHostResolvConf('search a\nnameserver\n', '/etc/resolv.conf'), {
    message: '/etc/resolv.conf:2: nameserver line without address',
  });
});

test('pod manifest: errors name the file and line', () => {
  assert.throws(() => parsePodDnsSpec('kind: Pod\nspec:\n  hostNetwork: "yes"\n', 'pod.yaml'), {
    message: 'pod.yaml:3: hostNetwork must be true or false',
  });
  assert.throws(
    () =>
      parsePodDnsSpec(
        'kind: Pod\nspec:\n  dnsConfig:\n    options:\n      - value: "1"\n',
        'pod.yaml',
      ),
    {
      message: 'pod.yaml:5: dnsConfig.options entry without a name',
    },
  );
  assert.throws(() => parsePodDnsSpec('kind: Service\n', 'svc.yaml'), {
    message: 'svc.yaml:1: kind is Service, expected Pod',
  });
  assert.throws(() => parsePodDnsSpec('spec: [a\n', 'bad.yaml'), /^StateFileError|bad\.yaml:\d+: /);
});
