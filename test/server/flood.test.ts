/**
 * Bad bytes never stop the server: thousands of random and mutated packets over UDP, and
 * garbage over TCP, followed by correct queries that must still be answered correctly.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { metricValue, writeCorefile } from './fixtures.js';
import { buildQuery, frame, readHeader, TcpClient, udpExchange } from './raw-dns.js';

/** mulberry32: a seeded generator so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = [
  buildQuery({ name: 'www.example.org' }),
  buildQuery({ name: 'example.org', type: 28, edns: { udpSize: 4096 } }),
  buildQuery({ name: 'x.other.test', type: 33, edns: { version: 0, dnssecOk: true } }),
];

/** Random bytes, or a valid query with a few octets flipped, cut short or extended. */
function badPacket(rand: () => number): Buffer {
  const kind = rand();
  if (kind < 0.3) {
    const bytes = Buffer.alloc(Math.floor(rand() * 600));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
    return bytes;
  }
  const packet = Buffer.from(VALID[Math.floor(rand() * VALID.length)]);
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++)
    packet[Math.floor(rand() * packet.length)] = Math.floor(rand() * 256);
  if (kind < 0.5) return packet.subarray(0, Math.floor(rand() * packet.length));
  if (kind < 0.6) return Buffer.concat([packet, Buffer.alloc(Math.floor(rand() * 40), 0xc0)]);
  return packet;
}

describe('flood of malformed packets', () => {
  let proc: ClusterDnsProcess;
  let port: number;

  before(async () => {
    const conf = await writeCorefile('example.org:0 {\n  prometheus 127.0.0.1:0\n}\n');
    proc = await ClusterDnsProcess.serve(['--conf', conf, '--listen', '127.0.0.1:0']);
    port = proc.port;
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
  });

  it('survives 5000 bad UDP packets and still answers correctly', async () => {
    const rand = random(20261203);
    const socket = dgram.createSocket('udp4');
    socket.on('message', () => undefined);
    for (let batch = 0; batch < 50; batch++) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () => new Promise((r) => socket.send(badPacket(rand), port, '127.0.0.1', r)),
        ),
      );
      await new Promise((r) => setTimeout(r, 2));
    }
    socket.close();
    // The kernel may drop datagrams while the backlog drains, so a query may need a retry;
    // what matters is that the server answers, and answers right.
    let reply: Buffer | null = null;
    for (let attempt = 0; attempt < 3 && !reply; attempt++) {
      reply = await udpExchange(port, buildQuery({ id: 4321, name: 'a.example.org' }), 2000);
    }
    assert.ok(reply, 'no answer after the flood');
    assert.deepEqual([readHeader(reply).id, readHeader(reply).rcode], [4321, 2]);
    const result = await dig('other.test', 'A', { port });
    assert.equal(result.status, 'REFUSED');
    const formerr = await metricValue(
      proc.httpPort('prometheus'),
      'clusterdns_malformed_queries_total{reason="formerr"}',
    );
    assert.ok((formerr ?? 0) > 100, `formerr count ${formerr}`);
  });

  it('survives garbage on TCP connections and still answers over TCP', async () => {
    const rand = random(7);
    const clients = await Promise.all([0, 1, 2, 3].map(() => TcpClient.connect(port)));
    for (const client of clients) {
      for (let i = 0; i < 200; i++) client.send(frame(badPacket(rand)));
      const junk = Buffer.alloc(3000);
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rand() * 256);
      client.send(junk);
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const client of clients) client.close();
    const result = await dig('www.example.org', 'A', { port, tcp: true });
    assert.equal(result.status, 'SERVFAIL');
    assert.equal(proc.lines.filter((l) => (l.level ?? 0) >= 40).length, 0, proc.output());
  });
});
