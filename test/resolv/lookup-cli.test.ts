/**
 * `clusterdns lookup` and `clusterdns resolv-conf` against a real dnsmasq on loopback: the
 * printed walk, the result, the query count, and the TCP retry of a truncated answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { parseServer, register as registerLookup, runLookup } from '../../src/cli/lookup.js';
import { register as registerResolvConf, runResolvConf } from '../../src/cli/resolv-conf.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let dnsmasq: Dnsmasq;
let dir: string;

const BIG = Array.from({ length: 40 }, (_, i) => `--address=/big.example/192.0.2.${i + 1}`);

before(async () => {
  dnsmasq = await Dnsmasq.start([
    '--address=/#/',
    '--host-record=redis-master.default.svc.cluster.local,10.96.130.112',
    '--host-record=example.com,192.0.2.10',
    ...BIG,
  ]);
  dir = makeTempDir('h6-lookup-');
  fs.writeFileSync(
    path.join(dir, 'pod.yaml'),
    'kind: Pod\nmetadata:\n  name: app\n  namespace: default\nspec: {}\n',
  );
  fs.writeFileSync(
    path.join(dir, 'resolv.conf'),
    'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
});

after(async () => {
  await dnsmasq?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

class Capture {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

const flags = (extra: Record<string, unknown>) => ({
  type: 'ADDR',
  resolver: 'glibc',
  server: `127.0.0.1:${dnsmasq.port}`,
  clusterDns: '10.96.0.10',
  clusterDomain: 'cluster.local',
  hostResolv: '',
  timeout: '2000',
  resolvConf: path.join(dir, 'resolv.conf'),
  ...extra,
});

test('lookup: an external name from a default pod costs 8 queries with glibc (exact trace)', async () => {
  const out = new Capture();
  const err = new Capture();
  assert.equal(await runLookup('example.com', flags({}), out, err), 0);
  const via = `via 127.0.0.1:${dnsmasq.port}/udp`;
  assert.equal(
    out.text,
    [
      '; glibc lookup of example.com: ndots 5, search default.svc.cluster.local svc.cluster.local cluster.local',
      `query 1: example.com.default.svc.cluster.local. A -> NXDOMAIN ${via}`,
      `query 2: example.com.default.svc.cluster.local. AAAA -> NXDOMAIN ${via}`,
      `query 3: example.com.svc.cluster.local. A -> NXDOMAIN ${via}`,
      `query 4: example.com.svc.cluster.local. AAAA -> NXDOMAIN ${via}`,
      `query 5: example.com.cluster.local. A -> NXDOMAIN ${via}`,
      `query 6: example.com.cluster.local. AAAA -> NXDOMAIN ${via}`,
      `query 7: example.com. A -> NOERROR ${via}`,
      '    example.com. 0 IN A 192.0.2.10',
      `query 8: example.com. AAAA -> NOERROR (no records: NODATA) ${via}`,
      'result: example.com 192.0.2.10',
      'queries: 8',
      '',
    ].join('\n'),
  );
  assert.equal(err.text, '');
});

test('lookup: a short service name from the pod manifest resolves on the first try', async () => {
  const out = new Capture();
  const code = await runLookup(
    'redis-master',
    flags({ resolvConf: undefined, pod: path.join(dir, 'pod.yaml'), json: true }),
    out,
    new Capture(),
  );
  assert.equal(code, 0);
  const result = JSON.parse(out.text);
  assert.equal(result.answeredName, 'redis-master.default.svc.cluster.local');
  assert.deepEqual(result.addresses, ['10.96.130.112']);
  assert.deepEqual(
    result.queries.map((q: { name: string; type: string }) => `${q.name} ${q.type}`),
    ['redis-master.default.svc.cluster.local A', 'redis-master.default.svc.cluster.local AAAA'],
  );
});

test('lookup: musl, dots >= ndots: one absolute name only, NXDOMAIN is EAI_NONAME (exit 2)', async () => {
  const out = new Capture();
  const code = await runLookup(
    'a.b.c.d.e.example',
    flags({ resolver: 'musl', json: true }),
    out,
    new Capture(),
  );
  assert.equal(code, 2);
  const result = JSON.parse(out.text);
  assert.equal(result.error, 'EAI_NONAME');
  assert.equal(result.queries.length, 2);
});

test('lookup: a truncated UDP answer is asked again over TCP', async () => {
  const out = new Capture();
  assert.equal(
    await runLookup('big.example.', flags({ type: 'A', json: true }), out, new Capture()),
    0,
  );
  const result = JSON.parse(out.text);
  assert.equal(result.addresses.length, 40);
  assert.deepEqual(result.addresses.slice().sort(), BIG.map((f) => f.split('/')[2]).sort());
  assert.equal(result.queries[0].outcome.via, `127.0.0.1:${dnsmasq.port}/tcp`);
  assert.equal(result.queries[0].outcome.packets, 2, 'one UDP query, then one over TCP');
});

test('lookup: a closed port (connection refused) stops the walk with TRY_AGAIN', async () => {
  const out = new Capture();
  // A port nobody listens on: ICMP port unreachable; glibc gives up at once with TRY_AGAIN.
  const silent = `127.0.0.1:${dnsmasq.port === 65535 ? 65534 : dnsmasq.port + 1}`;
  const code = await runLookup(
    'redis-master',
    flags({ server: silent, json: true, timeout: '300' }),
    out,
    new Capture(),
  );
  assert.equal(code, 2);
  const result = JSON.parse(out.text);
  assert.equal(result.error, 'TRY_AGAIN');
  assert.equal(result.queries.length, 2);
  assert.equal(result.queries[0].outcome.failure, 'refused');
  assert.equal(result.queries[0].outcome.packets, 2, 'attempts:2 (the default) rounds');
});

test('lookup: bad flags are reported with exit 1', async () => {
  const err = new Capture();
  assert.equal(await runLookup('x', flags({ resolver: 'uclibc' }), new Capture(), err), 1);
  assert.equal(err.text, 'clusterdns lookup: --resolver must be glibc or musl, not "uclibc"\n');
  const long = new Capture();
  assert.equal(await runLookup(`${'a'.repeat(64)}.example`, flags({}), new Capture(), long), 1);
  assert.match(long.text, /^clusterdns lookup: not a host name: "a{64}\.example"\n$/);
  const both = new Capture();
  assert.equal(await runLookup('x', flags({ pod: 'p.yaml' }), new Capture(), both), 1);
  assert.equal(both.text, 'clusterdns lookup: give exactly one of --pod and --resolv-conf\n');
});

test('lookup: glibc stops searching at a candidate too long to send, then tries the name', async () => {
  const out = new Capture();
  const name = `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.${'w'.repeat(50)}`;
  const code = await runLookup(name, flags({ type: 'A', json: true }), out, new Capture());
  assert.equal(code, 2);
  const result = JSON.parse(out.text);
  // name + '.default.svc.cluster.local' is over 253 characters: NO_RECOVERY ends the search.
  assert.deepEqual(
    result.queries.map((q: { name: string; outcome: { failure: string | null } }) => [
      q.name.length,
      q.outcome.failure,
    ]),
    [
      [259, 'unsendable'],
      [233, null],
    ],
  );
  assert.equal(result.error, 'HOST_NOT_FOUND');
});

test('lookup: --server forms', () => {
  assert.deepEqual(parseServer('127.0.0.1'), { host: '127.0.0.1', port: 53 });
  assert.deepEqual(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseServer('[::1]:5353'), { host: '::1', port: 5353 });
  assert.deepEqual(parseServer('::1'), { host: '::1', port: 53 });
  assert.throws(() => parseServer('127.0.0.1:99999'), /bad port/);
  assert.throws(() => parseServer('dns.example:53'), /--server must be an IP address/);
});

test('resolv-conf: prints the file, warnings on stderr, exit 1 for None without nameservers', () => {
  const out = new Capture();
  const err = new Capture();
  assert.equal(
    runResolvConf(
      {
        pod: path.join(dir, 'pod.yaml'),
        clusterDns: '10.96.0.10',
        clusterDomain: 'cluster.local.',
        hostResolv: '',
      },
      out,
      err,
    ),
    0,
  );
  assert.equal(
    out.text,
    'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
  fs.writeFileSync(path.join(dir, 'none.yaml'), 'kind: Pod\nspec:\n  dnsPolicy: None\n');
  const noneErr = new Capture();
  assert.equal(
    runResolvConf(
      {
        pod: path.join(dir, 'none.yaml'),
        clusterDns: '10.96.0.10',
        clusterDomain: 'cluster.local',
        hostResolv: '',
      },
      new Capture(),
      noneErr,
    ),
    1,
  );
  assert.equal(
    noneErr.text,
    'clusterdns resolv-conf: dnsPolicy None requires dnsConfig with at least one nameserver\n',
  );
  const missing = new Capture();
  assert.equal(
    runResolvConf(
      { pod: path.join(dir, 'absent.yaml'), clusterDns: '', clusterDomain: '', hostResolv: '' },
      new Capture(),
      missing,
    ),
    1,
  );
  assert.match(missing.text, /^clusterdns resolv-conf: ENOENT: no such file or directory/);
});

test('register: both commands are added to a commander program', () => {
  const program = new Command();
  registerLookup(program);
  registerResolvConf(program);
  assert.deepEqual(
    program.commands.map((c) => c.name()),
    ['lookup', 'resolv-conf'],
  );
});
