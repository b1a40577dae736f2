/**
 * ExternalName Services whose target lies outside the cluster zones, in the real process: the
 * target is resolved through the server's own blocks and its records follow the CNAME in one
 * answer (issue 5). A target in a stub domain (`consul.local`) is answered by that block's
 * forward to a real dnsmasq; any other target by the root block's forward to another dnsmasq.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { writeCorefile } from '../server/fixtures.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const service = (name: string, target: string): string =>
  [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: default}`,
    `spec: {type: ExternalName, externalName: ${target}}`,
  ].join('\n');

const STATE = [
  service('svc-ext', 'db.consul.local'),
  service('svc-missing', 'missing.consul.local'),
  service('svc-big', 'big.consul.local'),
  service('svc-web', 'www.example.net'),
  service('svc-inner', 'svc-ext.default.svc.cluster.local'),
  // A loop across two kubernetes blocks: cluster.local -> other.local -> cluster.local.
  service('svc-ping', 'svc-pong.default.svc.other.local'),
  service('svc-pong', 'svc-ping.default.svc.cluster.local'),
  [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web, namespace: default}',
    'spec: {clusterIP: 10.96.0.20, clusterIPs: [10.96.0.20], ports: [{name: http, port: 80}]}',
  ].join('\n'),
].join('\n---\n');

/** 150 characters: four of these TXT strings do not fit a 512-octet UDP answer. */
const LONG = 'x'.repeat(150);

function corefile(state: string, consulPort: number, rootPort: number): string {
  return `cluster.local:53 {
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       state ${state}
       ttl 30
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loadbalance
}
other.local:53 {
    kubernetes other.local {
       state ${state}
       ttl 20
    }
}
consul.local:53 {
    errors
    forward . 127.0.0.1:${consulPort}
}
.:53 {
    errors
    forward . 127.0.0.1:${rootPort}
}
`;
}

describe('ExternalName with a target outside the cluster zones', () => {
  let consul: Dnsmasq;
  let root: Dnsmasq;
  let proc: ClusterDnsProcess;
  let port: number;

  let hosts: string;

  before(async () => {
    const dir = makeTempDir('clusterdns-extname-');
    hosts = path.join(dir, 'consul.hosts');
    await fs.writeFile(hosts, '192.0.2.7 db.consul.local\n');
    consul = await Dnsmasq.start([
      `--addn-hosts=${hosts}`,
      ...[1, 2, 3, 4].map((i) => `--txt-record=big.consul.local,${i}${LONG}`),
      '--local-ttl=30',
      '--local=/consul.local/',
    ]);
    root = await Dnsmasq.start(['--host-record=www.example.net,192.0.2.80', '--local-ttl=40']);
    const state = path.join(dir, 'state.yaml');
    await fs.writeFile(state, STATE);
    const conf = await writeCorefile(corefile(state, consul.port, root.port));
    proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    port = proc.port;
    await proc.waitFor((l) => l.msg === 'state loaded', 5000);
  });

  after(async () => {
    if (proc) await proc.stop();
    await consul?.stop();
    await root?.stop();
  });

  it('answers the CNAME and the stub domain A record in one answer', async () => {
    const result = await dig('svc-ext.default.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    // AA clear: the A record is the stub's data, not ours.
    assert.deepEqual(result.flags, ['qr', 'rd']);
    assert.deepEqual(result.answer, [
      'svc-ext.default.svc.cluster.local. 30 IN CNAME db.consul.local.',
      'db.consul.local. 30 IN A 192.0.2.7',
    ]);
    assert.deepEqual(result.authority, []);
  });

  it('resolves other targets through the root block', async () => {
    const result = await dig('svc-web.default.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'rd']);
    assert.deepEqual(result.answer, [
      'svc-web.default.svc.cluster.local. 30 IN CNAME www.example.net.',
      'www.example.net. 40 IN A 192.0.2.80',
    ]);
  });

  it('follows an ExternalName chain inside the zone, then leaves it', async () => {
    const result = await dig('svc-inner.default.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.answer, [
      'svc-inner.default.svc.cluster.local. 30 IN CNAME svc-ext.default.svc.cluster.local.',
      'svc-ext.default.svc.cluster.local. 30 IN CNAME db.consul.local.',
      'db.consul.local. 30 IN A 192.0.2.7',
    ]);
  });

  it('ends a CNAME loop across blocks with the first CNAME alone', async () => {
    const result = await dig('svc-ping.default.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(result.answer, [
      'svc-ping.default.svc.cluster.local. 30 IN CNAME svc-pong.default.svc.other.local.',
    ]);
    const other = await dig('svc-pong.default.svc.other.local', 'A', { port });
    assert.deepEqual(other.answer, [
      'svc-pong.default.svc.other.local. 20 IN CNAME svc-ping.default.svc.cluster.local.',
    ]);
  });

  it("passes on the stub's NXDOMAIN for the target behind the CNAME", async () => {
    const result = await dig('svc-missing.default.svc.cluster.local', 'A', { port });
    assert.equal(result.status, 'NXDOMAIN');
    assert.deepEqual(result.flags, ['qr', 'rd']);
    assert.deepEqual(result.answer, [
      'svc-missing.default.svc.cluster.local. 30 IN CNAME missing.consul.local.',
    ]);
  });

  it('answers the CNAME alone, authoritatively, when asked for the CNAME', async () => {
    const result = await dig('svc-ext.default.svc.cluster.local', 'CNAME', { port });
    assert.equal(result.status, 'NOERROR');
    assert.deepEqual(result.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(result.answer, [
      'svc-ext.default.svc.cluster.local. 30 IN CNAME db.consul.local.',
    ]);
  });

  it("truncates to the client's UDP size and answers in full over TCP", async () => {
    const name = 'svc-big.default.svc.cluster.local';
    const udp = await dig(name, 'TXT', { port, noEdns: true, extra: ['+ignore'] });
    assert.equal(udp.status, 'NOERROR');
    assert.ok(udp.flags.includes('tc'), udp.raw);
    const tcp = await dig(name, 'TXT', { port, tcp: true });
    assert.equal(tcp.status, 'NOERROR');
    assert.deepEqual(tcp.flags, ['qr', 'rd']);
    assert.equal(tcp.answer[0], `${name}. 30 IN CNAME big.consul.local.`);
    assert.deepEqual(
      tcp.answer.slice(1).sort(),
      [1, 2, 3, 4].map((i) => `big.consul.local. 30 IN TXT "${i}${LONG}"`),
    );
  });

  it('still answers cluster names from the cluster zone', async () => {
    const result = await dig('web.default.svc.cluster.local', 'A', { port });
    assert.deepEqual(result.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(result.answer, ['web.default.svc.cluster.local. 30 IN A 10.96.0.20']);
  });

  // Last: it changes the stub's data. The answer holds upstream data, so nothing of it may be
  // kept until the cluster data changes (the fast-path cache's rule): a change upstream shows.
  it('shows a change of the stub data on the next query', async () => {
    await fs.writeFile(hosts, '192.0.2.8 db.consul.local\n');
    process.kill(consul.pid as number, 'SIGHUP');
    const deadline = Date.now() + 5000;
    let direct = await dig('db.consul.local', 'A', { port: consul.port });
    while (direct.answer[0] !== 'db.consul.local. 30 IN A 192.0.2.8' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      direct = await dig('db.consul.local', 'A', { port: consul.port });
    }
    assert.deepEqual(direct.answer, ['db.consul.local. 30 IN A 192.0.2.8']);
    // Over UDP: forward asks with the client's transport, and a TCP connection kept open to
    // dnsmasq is served by a child forked before the SIGHUP, which keeps the old data.
    const result = await dig('svc-ext.default.svc.cluster.local', 'A', { port });
    assert.deepEqual(result.answer, [
      'svc-ext.default.svc.cluster.local. 30 IN CNAME db.consul.local.',
      'db.consul.local. 30 IN A 192.0.2.8',
    ]);
  });
});
