/**
 * Table tests for the autopath handler: a client pod (found by source IP in the real record
 * index) asks the first search-list expansion of a name; each row pins the answer the client
 * gets (rcode, answer and authority records) and how many queries the chain behind saw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import dnsPacket from 'dns-packet';
import { pino } from 'pino';
import type { Handler } from '../../src/chain/handler.js';
import type { BlockInfo, PluginContext } from '../../src/chain/plugin.js';
import { DnsRequest } from '../../src/chain/request.js';
import type { PodInfo } from '../../src/cluster/model.js';
import { createRegistry, type Registry } from '../../src/metrics/registry.js';
import { setup } from '../../src/plugins/autopath/setup.js';
import { registerKubernetes } from '../../src/plugins/kubernetes/block-registry.js';
import { parseKubernetesConfig } from '../../src/plugins/kubernetes/config.js';
import { KubernetesHandler } from '../../src/plugins/kubernetes/handler.js';
import { RecordIndex } from '../../src/records/record-index.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { encodeAnswer } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SOA: ResourceRecord = {
  name: 'cluster.local',
  type: RRType.SOA,
  ttl: 5,
  soa: {
    mname: 'ns.dns.cluster.local',
    rname: 'hostmaster.cluster.local',
    serial: 1,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: 5,
  },
};
const EXAMPLE_SOA: ResourceRecord = {
  name: 'example.com',
  type: RRType.SOA,
  ttl: 60,
  soa: {
    mname: 'ns.example.com',
    rname: 'admin.example.com',
    serial: 7,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 30,
  },
};

/** The names behind autopath: name -> records by type; a name absent here is NXDOMAIN. */
const ZONE: Record<string, ResourceRecord[]> = {
  'redis-master.default.svc.cluster.local': [
    {
      name: 'redis-master.default.svc.cluster.local',
      type: RRType.A,
      ttl: 5,
      address: '10.96.130.112',
    },
  ],
  'cache.default.svc.cluster.local': [
    {
      name: 'cache.default.svc.cluster.local',
      type: RRType.CNAME,
      ttl: 5,
      target: 'redis-master.default.svc.cluster.local',
    },
    {
      name: 'redis-master.default.svc.cluster.local',
      type: RRType.A,
      ttl: 5,
      address: '10.96.130.112',
    },
  ],
  'example.com': [{ name: 'example.com', type: RRType.A, ttl: 300, address: '192.0.2.10' }],
};

/** A terminal handler answering from ZONE, counting the queries it sees. */
class ZoneHandler implements Handler {
  readonly name = 'zone';
  readonly seen: string[] = [];

  serve(request: DnsRequest): Buffer {
    const { name, type } = request.query;
    this.seen.push(`${name} ${type}`);
    const records = ZONE[name];
    const soa = name.endsWith('cluster.local') ? SOA : EXAMPLE_SOA;
    const answer = records?.filter((r) => r.type === type || r.type === RRType.CNAME) ?? [];
    const negative = answer.length === 0;
    return encodeAnswer(
      request.query,
      request.wire,
      {
        rcode: records ? Rcode.NOERROR : Rcode.NXDOMAIN,
        authoritative: true,
        answer,
        authority: negative ? [soa] : [],
        additional: [],
      },
      request.maxSize,
      true,
    ).wire;
  }
}

const pod = (namespace: string, name: string, ip: string, hostNetwork = false): PodInfo => ({
  namespace,
  name,
  ips: [ip],
  hostNetwork,
});

interface Built {
  readonly handler: Handler;
  readonly zone: ZoneHandler;
  readonly index: RecordIndex;
  readonly metrics: Registry;
}

function build(podsVerified = true): Built {
  const index = new RecordIndex({ kinds: ['Pod'] });
  index.upsert({ kind: 'Pod', value: pod('default', 'app', '10.244.0.6') });
  index.upsert({ kind: 'Pod', value: pod('shop', 'web', '10.244.1.9') });
  index.upsert({ kind: 'Pod', value: pod('kube-system', 'etcd', '192.168.49.2', true) });
  const block: BlockInfo = { zones: [''], port: 53, server: 'dns://:53' };
  // The real kubernetes plugin of the block, registered as its setup does; autopath's `next`
  // is the table zone below, so each row controls which names exist.
  const kubernetesDirective = {
    name: 'kubernetes',
    args: ['cluster.local'],
    block: [
      {
        name: 'pods',
        args: [podsVerified ? 'verified' : 'insecure'],
        block: [],
        file: 'Corefile',
        line: 2,
      },
    ],
    file: 'Corefile',
    line: 1,
  };
  const kubernetesConfig = parseKubernetesConfig(kubernetesDirective, block);
  registerKubernetes(
    block,
    new KubernetesHandler(kubernetesConfig, index, new ZoneHandler(), {
      synced: () => true,
      startupDeadline: 0,
      localAddresses: [],
    }),
  );
  const metrics = createRegistry();
  const context: PluginContext = {
    logger: pino({ level: 'silent' }),
    metrics,
    block,
    shared: { acquire: (_key, create) => create() },
    addReadiness: () => {},
    addClosable: () => {},
  };
  const directive = {
    name: 'autopath',
    args: ['@kubernetes'],
    block: [],
    file: 'Corefile',
    line: 3,
  };
  const zone = new ZoneHandler();
  const handler = setup.create(setup.parse(directive, block), zone, context);
  return { handler, zone, index, metrics };
}

async function ask(
  handler: Handler,
  name: string,
  type: 'A' | 'AAAA',
  client: string,
): Promise<string[]> {
  const wire = dnsPacket.encode({
    type: 'query',
    id: 7,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
  });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  const reply = await handler.serve(new DnsRequest(parsed.query, wire, 'udp', client, 40000, 0n));
  assert.ok(reply);
  const packet = dnsPacket.decode(reply);
  assert.equal(packet.questions?.[0].name, name, "the question is the client's own");
  const show = (r: dnsPacket.Answer): string =>
    `${r.name} ${'ttl' in r ? r.ttl : ''} ${r.type} ${typeof (r as { data: unknown }).data === 'string' ? (r as { data: string }).data : 'SOA'}`;
  return [
    (packet as unknown as { rcode: string }).rcode,
    ...(packet.answers ?? []).map(show),
    ...(packet.authorities ?? []).map((r) => `authority ${show(r)}`),
  ];
}

interface Row {
  readonly name: string;
  readonly query: string;
  readonly type?: 'A' | 'AAAA';
  readonly client: string;
  readonly reply: readonly string[];
  readonly chainQueries: number;
  readonly success: number;
}

const rows: Row[] = [
  {
    name: 'a service in the client namespace: first try answers, no CNAME',
    query: 'redis-master.default.svc.cluster.local',
    client: '10.244.0.6',
    reply: ['NOERROR', 'redis-master.default.svc.cluster.local 5 A 10.96.130.112'],
    chainQueries: 1,
    success: 1,
  },
  {
    name: 'an external name: walked to the bare name, CNAME to it',
    query: 'example.com.default.svc.cluster.local',
    client: '10.244.0.6',
    reply: [
      'NOERROR',
      'example.com.default.svc.cluster.local 300 CNAME example.com',
      'example.com 300 A 192.0.2.10',
    ],
    chainQueries: 4,
    success: 1,
  },
  {
    name: 'the same name as AAAA: NODATA at the same target, with the CNAME',
    query: 'example.com.default.svc.cluster.local',
    type: 'AAAA',
    client: '10.244.0.6',
    reply: [
      'NOERROR',
      'example.com.default.svc.cluster.local 30 CNAME example.com',
      'authority example.com 60 SOA SOA',
    ],
    chainQueries: 4,
    success: 1,
  },
  {
    name: 'another namespace reaching redis-master.default',
    query: 'redis-master.default.shop.svc.cluster.local',
    client: '10.244.1.9',
    reply: [
      'NOERROR',
      'redis-master.default.shop.svc.cluster.local 5 CNAME redis-master.default.svc.cluster.local',
      'redis-master.default.svc.cluster.local 5 A 10.96.130.112',
    ],
    chainQueries: 2,
    success: 1,
  },
  {
    name: 'an ExternalName target: the CNAME points at the service name, its chain follows',
    query: 'cache.default.shop.svc.cluster.local',
    client: '10.244.1.9',
    reply: [
      'NOERROR',
      'cache.default.shop.svc.cluster.local 5 CNAME cache.default.svc.cluster.local',
      'cache.default.svc.cluster.local 5 CNAME redis-master.default.svc.cluster.local',
      'redis-master.default.svc.cluster.local 5 A 10.96.130.112',
    ],
    chainQueries: 2,
    success: 1,
  },
  {
    name: 'nothing exists: the first NXDOMAIN is returned',
    query: 'nope.default.svc.cluster.local',
    client: '10.244.0.6',
    reply: ['NXDOMAIN', 'authority cluster.local 5 SOA SOA'],
    chainQueries: 4,
    success: 0,
  },
  {
    name: 'not the first search domain of this client: passed through',
    query: 'example.com.svc.cluster.local',
    client: '10.244.0.6',
    reply: ['NXDOMAIN', 'authority cluster.local 5 SOA SOA'],
    chainQueries: 1,
    success: 0,
  },
  {
    name: 'the first domain of another namespace: passed through',
    query: 'example.com.default.svc.cluster.local',
    client: '10.244.1.9',
    reply: ['NXDOMAIN', 'authority cluster.local 5 SOA SOA'],
    chainQueries: 1,
    success: 0,
  },
  {
    name: 'a host-network client (node IP): no expansion',
    query: 'example.com.kube-system.svc.cluster.local',
    client: '192.168.49.2',
    reply: ['NXDOMAIN', 'authority cluster.local 5 SOA SOA'],
    chainQueries: 1,
    success: 0,
  },
  {
    name: 'an unknown client: no expansion',
    query: 'example.com.default.svc.cluster.local',
    client: '10.244.9.9',
    reply: ['NXDOMAIN', 'authority cluster.local 5 SOA SOA'],
    chainQueries: 1,
    success: 0,
  },
  {
    name: 'an IPv4 client on a dual-stack socket is still found',
    query: 'example.com.default.svc.cluster.local',
    client: '::ffff:10.244.0.6',
    reply: [
      'NOERROR',
      'example.com.default.svc.cluster.local 300 CNAME example.com',
      'example.com 300 A 192.0.2.10',
    ],
    chainQueries: 4,
    success: 1,
  },
];

for (const row of rows) {
  test(`autopath: ${row.name}`, async () => {
    const { handler, zone, metrics } = build();
    assert.deepEqual(await ask(handler, row.query, row.type ?? 'A', row.client), row.reply);
    assert.equal(zone.seen.length, row.chainQueries, zone.seen.join(', '));
    const success =
      (await metrics.getSingleMetric('coredns_autopath_success_total')?.get())?.values ?? [];
    assert.deepEqual(
      success.map((v) => [v.labels.server, v.value]),
      row.success ? [['dns://:53', row.success]] : [],
    );
  });
}

test('autopath: a pod IP reused by a new pod in another namespace follows the new pod', async () => {
  const { handler, index, zone } = build();
  index.remove('Pod', 'default/app');
  index.upsert({ kind: 'Pod', value: pod('shop', 'new', '10.244.0.6') });
  assert.deepEqual(await ask(handler, 'example.com.default.svc.cluster.local', 'A', '10.244.0.6'), [
    'NXDOMAIN',
    'authority cluster.local 5 SOA SOA',
  ]);
  assert.deepEqual(await ask(handler, 'example.com.shop.svc.cluster.local', 'A', '10.244.0.6'), [
    'NOERROR',
    'example.com.shop.svc.cluster.local 300 CNAME example.com',
    'example.com 300 A 192.0.2.10',
  ]);
  assert.equal(zone.seen.length, 5);
});

test('autopath: pods loaded while the first answer was held (startup) are used', async () => {
  const { handler, index, zone } = build();
  index.remove('Pod', 'default/app');
  // The chain behind holds the first query until the state is loaded, as the kubernetes plugin
  // does during startup; the client pod appears only then.
  const serve = zone.serve.bind(zone);
  zone.serve = (request) => {
    index.upsert({ kind: 'Pod', value: pod('default', 'app', '10.244.0.6') });
    return serve(request);
  };
  assert.deepEqual(await ask(handler, 'example.com.default.svc.cluster.local', 'A', '10.244.0.6'), [
    'NOERROR',
    'example.com.default.svc.cluster.local 300 CNAME example.com',
    'example.com 300 A 192.0.2.10',
  ]);
});

test('autopath: a reused IP whose old pod is not deleted yet follows the newest pod', async () => {
  const { handler, index } = build();
  index.upsert({ kind: 'Pod', value: pod('shop', 'new', '10.244.0.6') });
  assert.deepEqual(await ask(handler, 'example.com.shop.svc.cluster.local', 'A', '10.244.0.6'), [
    'NOERROR',
    'example.com.shop.svc.cluster.local 300 CNAME example.com',
    'example.com 300 A 192.0.2.10',
  ]);
  index.remove('Pod', 'shop/new');
  assert.deepEqual(await ask(handler, 'example.com.shop.svc.cluster.local', 'A', '10.244.0.6'), [
    'NXDOMAIN',
    'authority cluster.local 5 SOA SOA',
  ]);
});

test('autopath: the query case of the client is echoed in the CNAME owner', async () => {
  const { handler } = build();
  const wire = dnsPacket.encode({
    type: 'query',
    id: 9,
    questions: [{ name: 'Example.COM.Default.svc.cluster.local', type: 'A', class: 'IN' }],
  });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  const reply = await handler.serve(new DnsRequest(parsed.query, wire, 'udp', '10.244.0.6', 1, 0n));
  const answers = dnsPacket.decode(reply as Buffer).answers ?? [];
  assert.deepEqual(
    answers.map((a) => a.name),
    ['Example.COM.Default.svc.cluster.local', 'example.com'],
  );
});

test('autopath: without pods verified nothing is expanded', async () => {
  const { handler, zone } = build(false);
  assert.deepEqual(await ask(handler, 'example.com.default.svc.cluster.local', 'A', '10.244.0.6'), [
    'NXDOMAIN',
    'authority cluster.local 5 SOA SOA',
  ]);
  assert.equal(zone.seen.length, 1);
});

test('autopath: @kubernetes without the kubernetes plugin in the block is a config error', () => {
  const block: BlockInfo = { zones: [''], port: 53, server: 'dns://:53' };
  const directive = {
    name: 'autopath',
    args: ['@kubernetes'],
    block: [],
    file: 'Corefile',
    line: 4,
  };
  const context = {
    logger: pino({ level: 'silent' }),
    metrics: createRegistry(),
    block,
  } as unknown as PluginContext;
  assert.throws(() => setup.create(setup.parse(directive, block), new ZoneHandler(), context), {
    message:
      'Corefile:4: autopath: @kubernetes: no such plugin providing search paths in this server block',
  });
  assert.throws(
    () => setup.parse({ ...directive, args: [] }, block),
    /Corefile:4: autopath: expected at least 1 argument/,
  );
});

test('autopath FILE: the search line of a resolv.conf is the path of every client', async () => {
  const dir = makeTempDir('autopath-');
  try {
    fs.writeFileSync(
      path.join(dir, 'search.conf'),
      '# fixed\nsearch default.svc.cluster.local svc.cluster.local.\n',
    );
    const block: BlockInfo = {
      zones: ['cluster.local', 'example.com'],
      port: 53,
      server: 'dns://:53',
    };
    const directive = {
      name: 'autopath',
      args: ['search.conf'],
      block: [],
      file: path.join(dir, 'Corefile'),
      line: 2,
    };
    const config = setup.parse(directive, block);
    assert.deepEqual(config.source, {
      kind: 'static',
      search: ['default.svc.cluster.local', 'svc.cluster.local', ''],
    });
    const context = {
      logger: pino({ level: 'silent' }),
      metrics: createRegistry(),
      block,
    } as unknown as PluginContext;
    const zone = new ZoneHandler();
    const handler = setup.create(config, zone, context);
    assert.deepEqual(
      await ask(handler, 'example.com.default.svc.cluster.local', 'A', '192.0.2.99'),
      [
        'NOERROR',
        'example.com.default.svc.cluster.local 300 CNAME example.com',
        'example.com 300 A 192.0.2.10',
      ],
    );
    assert.deepEqual(zone.seen, [
      'example.com.default.svc.cluster.local 1',
      'example.com.svc.cluster.local 1',
      'example.com 1',
    ]);
    assert.throws(
      () => setup.parse({ ...directive, args: ['missing.conf'] }, block),
      /Corefile:2: autopath: cannot read/,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('autopath: a reply it cannot carry over (an MX record, TC set) leaves the walk to the client', async () => {
  for (const variant of ['mx', 'truncated'] as const) {
    const { index } = build();
    const block: BlockInfo = { zones: [''], port: 53, server: 'dns://:53' };
    const kubernetesConfig = parseKubernetesConfig(
      {
        name: 'kubernetes',
        args: ['cluster.local'],
        block: [{ name: 'pods', args: ['verified'], block: [], file: 'Corefile', line: 2 }],
        file: 'Corefile',
        line: 1,
      },
      block,
    );
    const options = { synced: () => true, startupDeadline: 0, localAddresses: [] };
    registerKubernetes(
      block,
      new KubernetesHandler(kubernetesConfig, index, new ZoneHandler(), options),
    );
    const seen: string[] = [];
    const next: Handler = {
      name: 'raw',
      serve(request) {
        seen.push(request.query.name);
        const exists = request.query.name === 'mail.example.com';
        return dnsPacket.encode({
          type: 'response',
          id: request.query.id,
          flags: (exists ? 0 : 3) | (variant === 'truncated' ? dnsPacket.TRUNCATED_RESPONSE : 0),
          questions: [{ name: request.query.name, type: 'MX', class: 'IN' }],
          answers: exists
            ? [
                {
                  name: 'mail.example.com',
                  type: 'MX',
                  ttl: 60,
                  data: { preference: 10, exchange: 'mx.example.com' },
                },
              ]
            : [],
        });
      },
    };
    const context = {
      logger: pino({ level: 'silent' }),
      metrics: createRegistry(),
      block,
    } as unknown as PluginContext;
    const directive = {
      name: 'autopath',
      args: ['@kubernetes'],
      block: [],
      file: 'Corefile',
      line: 3,
    };
    const handler = setup.create(setup.parse(directive, block), next, context);
    const wire = dnsPacket.encode({
      type: 'query',
      id: 3,
      questions: [{ name: 'mail.example.com.default.svc.cluster.local', type: 'MX', class: 'IN' }],
    });
    const parsed = parseQuery(wire);
    assert.ok(parsed.ok);
    const reply = await handler.serve(
      new DnsRequest(parsed.query, wire, 'udp', '10.244.0.6', 1, 0n),
    );
    assert.equal((reply as Buffer).readUInt16BE(2) & 0xf, Rcode.NXDOMAIN, variant);
    assert.deepEqual(seen, [
      'mail.example.com.default.svc.cluster.local',
      'mail.example.com.svc.cluster.local',
      'mail.example.com.cluster.local',
      'mail.example.com',
    ]);
  }
});
