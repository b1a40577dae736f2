/**
 * The native batch UDP socket (native/batch_udp.cc through src/server/batch-udp-listener.ts):
 * it is really loaded in this build, it answers byte for byte like node:dgram, it keeps every
 * query of bursts larger than one recvmmsg batch apart, it drops datagrams larger than a slot,
 * it sends replies larger than a slot and late (forwarded) replies through sendTo, and it serves
 * IPv4 and IPv6 clients on a dual-stack socket.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { batchUdpAddon } from '../../src/server/batch-udp-addon.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { writeCorefile } from './fixtures.js';
import { buildQuery, readHeader, udpExchange, type QueryShape, waitUntil } from './raw-dns.js';

const ZONE = 'shop.svc.cluster.local';
/** Ten ClusterIP services s0..s9, so a reply delivered to the wrong query shows a wrong IP. */
const SERVICE_IPS = Array.from({ length: 10 }, (_, k) => `10.96.1.${k + 10}`);
const TRIO = ['10.244.9.1', '10.244.9.2', '10.244.9.3'];
/** 400 A records of ~16 octets each: a reply of ~6.5 KB, larger than one 4096-octet slot. */
const BIG = Array.from({ length: 400 }, (_, i) => `10.245.${Math.floor(i / 200)}.${(i % 200) + 1}`);
const NOERROR = 0;
const NXDOMAIN = 3;

function service(name: string, clusterIP: string): string {
  const ips = clusterIP === 'None' ? '' : `\n  clusterIPs: [${clusterIP}]`;
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  clusterIP: ${clusterIP}${ips}
  ports: [{name: http, port: 80, protocol: TCP}]`;
}

function slice(name: string, addresses: readonly string[]): string {
  const endpoints = addresses.map((ip) => `- addresses: ["${ip}"]\n  conditions: {ready: true}`);
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: ${name}-1
  namespace: shop
  labels: {kubernetes.io/service-name: ${name}}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints:
${endpoints.join('\n')}`;
}

function stateYaml(): string {
  const docs = ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}'];
  SERVICE_IPS.forEach((ip, k) => docs.push(service(`s${k}`, ip)));
  docs.push(service('trio', 'None'), slice('trio', TRIO), service('big', 'None'), slice('big', BIG));
  return docs.join('\n---\n');
}

/** `serve` from flags (no loadbalance: answer order is stable); the upstream is a closed port. */
async function serve(state: string, listen: string, extra: readonly string[] = []) {
  const args = ['--state', state, '--upstream', '127.0.0.1:9', '--listen', listen, ...extra];
  const proc = await ClusterDnsProcess.serve(args);
  await proc.waitFor((l) => l.msg === 'state loaded', 5000);
  return proc;
}

/** The fields tests read from a decoded record (dns-packet's union type hides them on OPT). */
interface Rr {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly data?: unknown;
}

function rrs(list: readonly dnsPacket.Answer[] | undefined): Rr[] {
  return (list ?? []) as unknown as Rr[];
}

/**
 * The reply with its SOA serial zeroed: the serial is the time the state was loaded, in
 * seconds, so two servers started a moment apart may differ there and nowhere else. Only for
 * replies whose last record is the SOA (no OPT), where the serial is 20 octets from the end.
 */
function withoutSerial(reply: Buffer): Buffer {
  const message = dnsPacket.decode(reply);
  const soa = rrs(message.authorities).find((a) => a.type === 'SOA');
  if (!soa || rrs(message.additionals).length > 0) return reply;
  const copy = Buffer.from(reply);
  assert.equal(copy.readUInt32BE(copy.length - 20), (soa.data as { serial: number }).serial);
  copy.writeUInt32BE(0, copy.length - 20);
  return copy;
}

/** One client socket that collects every reply by ID, to catch lost, stray and duplicate ones. */
class Collector {
  readonly replies = new Map<number, Buffer[]>();
  readonly socket = dgram.createSocket('udp4');
  count = 0;

  constructor() {
    this.socket.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      this.replies.set(id, [...(this.replies.get(id) ?? []), msg]);
      this.count++;
    });
  }

  send(packet: Buffer, port: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }
}

/** Query `id` of a burst: three of four ask for an existing service, the rest for a missing one. */
function burstName(id: number): string {
  return id % 4 === 3 ? `nx${id}.${ZONE}` : `s${id % 10}.${ZONE}`;
}

/** Asserts that `reply` answers burst query `id`: its ID, name, rcode and address. */
function assertBurstReply(id: number, reply: Buffer): void {
  const message = dnsPacket.decode(reply);
  const name = burstName(id);
  assert.equal(message.id, id);
  assert.equal(message.questions?.[0]?.name, name);
  if (name.startsWith('nx')) {
    assert.equal(readHeader(reply).rcode, NXDOMAIN, `query ${id}`);
    assert.deepEqual(message.answers, []);
    return;
  }
  assert.equal(readHeader(reply).rcode, NOERROR, `query ${id}`);
  const answers = rrs(message.answers).map((a) => [a.name, a.type, a.ttl, a.data]);
  assert.deepEqual(answers, [[name, 'A', 5, SERVICE_IPS[id % 10]]]);
}

/** Sends `ids` from `client` in waves of `wave` (each wave sent without waiting for replies). */
async function sendWaves(client: Collector, port: number, ids: number[], wave: number) {
  for (let start = 0; start < ids.length; start += wave) {
    const chunk = ids.slice(start, start + wave);
    await Promise.all(chunk.map((id) => client.send(buildQuery({ id, name: burstName(id) }), port)));
    await waitUntil(() => client.count >= start + chunk.length, 5000, `replies to ${start}+`);
  }
}

/** A datagram that gets no reply resolves to null after this long. */
const SILENCE_MS = 700;

describe('batch UDP socket', () => {
  let dir: string;
  let state: string;
  let batch: ClusterDnsProcess;
  let plain: ClusterDnsProcess;

  before(async () => {
    dir = makeTempDir('clusterdns-batch-udp-');
    state = path.join(dir, 'state.yaml');
    await fs.writeFile(state, stateYaml());
    batch = await serve(state, '127.0.0.1:0');
    plain = await serve(state, '127.0.0.1:0', ['--udp-io', 'dgram']);
  });

  after(async () => {
    assert.equal(await batch.stop(), 0);
    assert.equal(await plain.stop(), 0);
  });

  it('loads the native addon: no silent fallback to node:dgram', () => {
    const addon = batchUdpAddon();
    // A missing build/Release/batch_udp.node must fail CI, not quietly serve through dgram.
    assert.ok(!(addon instanceof Error), addon instanceof Error ? addon.message : '');
    assert.deepEqual([addon.batch, addon.slot], [64, 4096]);
    const fallback = batch.lines.filter((l) => l.msg === 'batch UDP unavailable; serving UDP with node:dgram');
    assert.deepEqual(fallback, []);
  });

  it('answers byte for byte like node:dgram', async () => {
    const web = `s0.${ZONE}`;
    const cases: { shape: QueryShape; rcode: number; answers: string[]; soa: boolean; opt: boolean }[] = [
      { shape: { name: web }, rcode: NOERROR, answers: [`${web} A 10.96.1.10`], soa: false, opt: false },
      {
        shape: { name: `_http._tcp.${web}`, type: 33 },
        rcode: NOERROR,
        answers: [`_http._tcp.${web} SRV 100 80 ${web}`],
        soa: false,
        opt: false,
      },
      { shape: { name: `missing.${ZONE}` }, rcode: NXDOMAIN, answers: [], soa: true, opt: false },
      { shape: { name: web, type: 28 }, rcode: NOERROR, answers: [], soa: true, opt: false },
      {
        shape: { name: web, edns: { udpSize: 1232 } },
        rcode: NOERROR,
        answers: [`${web} A 10.96.1.10`],
        soa: false,
        opt: true,
      },
      // The question is echoed as sent; the records take the case of the question too.
      {
        shape: { name: `S0.ShOp.svc.Cluster.LOCAL` },
        rcode: NOERROR,
        answers: ['S0.ShOp.svc.Cluster.LOCAL A 10.96.1.10'],
        soa: false,
        opt: false,
      },
      {
        shape: { name: `trio.${ZONE}` },
        rcode: NOERROR,
        answers: TRIO.map((ip) => `trio.${ZONE} A ${ip}`),
        soa: false,
        opt: false,
      },
    ];
    for (const [index, c] of cases.entries()) {
      const query = buildQuery({ ...c.shape, id: 0xbe00 + index });
      const fromBatch = await udpExchange(batch.port, query);
      const fromDgram = await udpExchange(plain.port, query);
      assert.ok(fromBatch && fromDgram, `no reply to case ${index}`);
      assert.deepEqual(withoutSerial(fromBatch), withoutSerial(fromDgram), `case ${index}`);
      const message = dnsPacket.decode(fromBatch);
      assert.equal(message.id, 0xbe00 + index);
      assert.equal(readHeader(fromBatch).rcode, c.rcode, `case ${index}`);
      // QR, AA and the client's RD; never TC for these small answers.
      assert.equal(fromBatch.readUInt16BE(2) & 0xfff0, 0x8500, `flags of case ${index}`);
      assert.equal(message.questions?.[0]?.name, c.shape.name);
      const answers = rrs(message.answers).map((a) => {
        assert.equal(a.ttl, 5);
        const srv = a.data as { priority: number; weight: number; port: number; target: string };
        // SRV data in the form `weight port target`; priority is always 0.
        if (a.type === 'SRV') assert.equal(srv.priority, 0);
        const data = a.type === 'SRV' ? `${srv.weight} ${srv.port} ${srv.target}` : a.data;
        return `${a.name} ${a.type} ${data}`;
      });
      assert.deepEqual(answers.sort(), [...c.answers].sort(), `answers of case ${index}`);
      const soa = rrs(message.authorities).map((a) => [a.name, a.type, a.ttl]);
      assert.deepEqual(soa, c.soa ? [['cluster.local', 'SOA', 5]] : []);
      const opt = rrs(message.additionals).filter((a) => a.type === 'OPT');
      assert.equal(opt.length, c.opt ? 1 : 0, `OPT of case ${index}`);
    }
  });

  it('answers 1,000 queries from one socket, each once and right', async () => {
    const client = new Collector();
    const ids = Array.from({ length: 1000 }, (_, i) => i + 1);
    try {
      await sendWaves(client, batch.port, ids, 200);
      // Late duplicates would come right behind the last wave.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(client.count, 1000);
      for (const id of ids) {
        assert.equal(client.replies.get(id)?.length, 1, `replies to ${id}`);
        assertBurstReply(id, client.replies.get(id)![0]);
      }
    } finally {
      client.socket.close();
    }
  });

  it('answers 20 sockets sending 50 queries each at once', async () => {
    const clients = Array.from({ length: 20 }, () => new Collector());
    try {
      // Each socket sends in waves of 10, so 200 are in flight at once: more than 3 batches,
      // and still within the default socket buffer so the kernel drops none.
      await Promise.all(
        clients.map((client, c) =>
          sendWaves(client, batch.port, Array.from({ length: 50 }, (_, i) => c * 50 + i + 1), 10),
        ),
      );
      await new Promise((r) => setTimeout(r, 200));
      clients.forEach((client, c) => {
        assert.equal(client.count, 50, `socket ${c}`);
        for (let id = c * 50 + 1; id <= c * 50 + 50; id++) {
          assert.equal(client.replies.get(id)?.length, 1, `replies to ${id}`);
          assertBurstReply(id, client.replies.get(id)![0]);
        }
      });
    } finally {
      for (const client of clients) client.socket.close();
    }
  });

  it('drops datagrams larger than a slot and keeps answering', async () => {
    // A real query with padding: cut at 4096 octets it would still parse, so only the
    // truncation flag keeps the server from answering a message it did not fully receive.
    const padded = Buffer.concat([buildQuery({ id: 501, name: `s1.${ZONE}` }), Buffer.alloc(5000)]);
    assert.equal(await udpExchange(batch.port, padded, SILENCE_MS), null);
    const garbage = Buffer.alloc(65_000, 0x5a);
    assert.equal(await udpExchange(batch.port, garbage, SILENCE_MS), null);
    const reply = await udpExchange(batch.port, buildQuery({ id: 502, name: `s2.${ZONE}` }));
    assert.ok(reply, 'no reply after the oversized datagrams');
    const message = dnsPacket.decode(reply);
    assert.deepEqual([message.id, readHeader(reply).rcode], [502, NOERROR]);
    assert.deepEqual(rrs(message.answers).map((a) => a.data), ['10.96.1.12']);
    assert.equal(batch.child.exitCode, null);
  });

  it('sends a reply larger than a slot whole, and truncates it for EDNS 1232', async () => {
    const name = `big.${ZONE}`;
    const large = await udpExchange(batch.port, buildQuery({ id: 601, name, edns: { udpSize: 65000 } }));
    assert.ok(large, 'no large reply');
    assert.ok(large.length > 4096, `reply of ${large.length} octets`);
    const header = readHeader(large);
    assert.deepEqual([header.id, header.rcode, header.tc, header.ancount], [601, NOERROR, false, 400]);
    const message = dnsPacket.decode(large);
    assert.deepEqual(rrs(message.answers).map((a) => a.data).sort(), [...BIG].sort());
    assert.ok(rrs(message.answers).every((a) => a.name === name && a.type === 'A' && a.ttl === 5));

    const small = await udpExchange(batch.port, buildQuery({ id: 602, name, edns: { udpSize: 1232 } }));
    assert.ok(small, 'no truncated reply');
    const cut = readHeader(small);
    assert.deepEqual([cut.id, cut.rcode, cut.tc], [602, NOERROR, true]);
    assert.ok(small.length <= 1232 && cut.ancount < 400, `${small.length} octets, ${cut.ancount} A`);
  });

  it('serves IPv4 and IPv6 clients on a socket bound to every interface', async () => {
    const proc = await serve(state, ':0');
    try {
      const serving = proc.lines.find((l) => l.msg === 'serving');
      assert.equal((serving?.listeners as { address: string }[])[0].address, '::');
      const v4 = await udpExchange(proc.port, buildQuery({ id: 701, name: `s3.${ZONE}` }));
      assert.ok(v4, 'no reply over IPv4');
      assert.deepEqual(rrs(dnsPacket.decode(v4).answers).map((a) => [a.name, a.data]), [[`s3.${ZONE}`, '10.96.1.13']]);
      assert.equal(dnsPacket.decode(v4).id, 701);
      // IPv4 peers of a dual-stack socket are mapped addresses: sendTo must reach them too.
      const bigQuery = buildQuery({ id: 703, name: `big.${ZONE}`, edns: { udpSize: 65000 } });
      const big = await udpExchange(proc.port, bigQuery);
      assert.ok(big, 'no large reply over IPv4');
      assert.deepEqual([readHeader(big).id, readHeader(big).tc, readHeader(big).ancount], [703, false, 400]);
      // The machines this runs on have an IPv6 loopback; a host without one fails here.
      assert.ok(await hasIpv6Loopback(), 'this host has no IPv6 loopback (::1)');
      const v6 = await udpExchange(proc.port, buildQuery({ id: 702, name: `s4.${ZONE}` }), 2000, '::1');
      assert.ok(v6, 'no reply over IPv6');
      assert.deepEqual(rrs(dnsPacket.decode(v6).answers).map((a) => [a.name, a.data]), [[`s4.${ZONE}`, '10.96.1.14']]);
      assert.equal(dnsPacket.decode(v6).id, 702);
    } finally {
      assert.equal(await proc.stop(), 0);
    }
  });

  it('listens on an IPv6 address with a zone, like node:dgram', async () => {
    const proc = await serve(state, '[::1%lo]:0');
    try {
      const query = buildQuery({ id: 704, name: `s5.${ZONE}` });
      const reply = await udpExchange(proc.port, query, 2000, '::1');
      assert.ok(reply, 'no reply over IPv6');
      const answers = rrs(dnsPacket.decode(reply).answers).map((a) => [a.name, a.data]);
      assert.deepEqual(answers, [[`s5.${ZONE}`, '10.96.1.15']]);
      assert.equal(readHeader(reply).id, 704);
    } finally {
      assert.equal(await proc.stop(), 0);
    }
  });

  it('sends forwarded answers, which come after the batch, back to the client', async () => {
    const upstream = await startUpstream();
    const conf = await writeCorefile(`.:0 {\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
    const proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    try {
      const reply = await udpExchange(proc.port, buildQuery({ id: 0x4242, name: 'www.example.org' }));
      assert.ok(reply, 'no forwarded reply');
      const message = dnsPacket.decode(reply);
      assert.deepEqual([message.id, readHeader(reply).rcode], [0x4242, NOERROR]);
      assert.deepEqual(rrs(message.answers).map((a) => [a.name, a.type, a.ttl, a.data]), [
        ['www.example.org', 'A', 60, '192.0.2.1'],
      ]);
      // One question upstream: the answer came from it, not from a retry or a cache.
      assert.deepEqual(upstream.seen, ['www.example.org']);
    } finally {
      assert.equal(await proc.stop(), 0);
      upstream.socket.close();
    }
  });
});

async function hasIpv6Loopback(): Promise<boolean> {
  const socket = dgram.createSocket('udp6');
  return new Promise((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(0, '::1', () => {
      socket.close();
      resolve(true);
    });
  });
}

/** A loopback upstream that answers every A question with 192.0.2.1 (TTL 60). */
async function startUpstream(): Promise<{ socket: dgram.Socket; port: number; seen: string[] }> {
  const socket = dgram.createSocket('udp4');
  const seen: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const query = dnsPacket.decode(msg);
    const question = query.questions?.[0];
    if (!question) return;
    seen.push(question.name);
    const answers = question.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 60, data: '192.0.2.1' }] : [];
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
      questions: [question],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, seen };
}
