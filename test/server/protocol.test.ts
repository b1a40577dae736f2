/**
 * The server's protocol behaviour with real clients (dig, c-ares, raw sockets): routing to
 * server blocks (REFUSED outside every zone, SERVFAIL when no plugin answers), EDNS echoed,
 * FORMERR / NOTIMP / BADVERS for malformed queries, silence for responses and runts, over UDP
 * and TCP, IPv4 and IPv6.
 */
import assert from 'node:assert/strict';
import { promises as dnsPromises } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { dig } from '../helpers/dig.js';
import { metricValue, writeCorefile } from './fixtures.js';
import { buildQuery, frame, readHeader, TcpClient, udpExchange } from './raw-dns.js';

const COREFILE = `
example.org:0 {
  prometheus 127.0.0.1:0
}
`;

describe('protocol', () => {
  let proc: ClusterDnsProcess;
  let port: number;
  let port6: number;
  let metricsPort: number;

  before(async () => {
    const conf = await writeCorefile(COREFILE);
    proc = await ClusterDnsProcess.serve([
      '--conf',
      conf,
      '--listen',
      '127.0.0.1:0',
      '--listen',
      '[::1]:0',
    ]);
    const serving = proc.lines.find((l) => l.msg === 'serving');
    const listeners = serving?.listeners as { address: string; port: number }[];
    port = listeners[0].port;
    port6 = listeners[1].port;
    metricsPort = proc.httpPort('prometheus');
  });

  after(async () => {
    assert.equal(await proc.stop(), 0);
  });

  it('logs one serving line with every listener', () => {
    const serving = proc.lines.filter((l) => l.msg === 'serving');
    assert.equal(serving.length, 1);
    const listeners = serving[0].listeners as { address: string; port: number }[];
    assert.deepEqual(
      listeners.map((l) => l.address),
      ['127.0.0.1', '::1'],
    );
    assert.ok(listeners.every((l) => l.port > 0));
  });

  const table = [
    { name: 'example.org', status: 'SERVFAIL', why: 'in the zone, no plugin answers' },
    { name: 'www.example.org', status: 'SERVFAIL', why: 'below the zone' },
    { name: 'EXAMPLE.ORG', status: 'SERVFAIL', why: 'zone matched without regard to case' },
    { name: 'badexample.org', status: 'REFUSED', why: 'a suffix that is not a label boundary' },
    { name: 'other.test', status: 'REFUSED', why: 'no block serves it' },
  ];
  for (const tcp of [false, true]) {
    for (const row of table) {
      it(`${row.name} over ${tcp ? 'TCP' : 'UDP'} is ${row.status} (${row.why})`, async () => {
        const result = await dig(row.name, 'A', { port, tcp });
        assert.equal(result.status, row.status, result.raw);
        assert.deepEqual(result.flags, ['qr', 'rd']);
        assert.deepEqual(result.answer, []);
        assert.match(result.raw, /; EDNS: version: 0, flags:; udp: 1232\n/);
        assert.match(result.raw, new RegExp(`;${row.name}\\.\\s+IN\\s+A\\n`));
      });
    }
  }

  it('answers on the IPv6 listener', async () => {
    const result = await dig('other.test', 'A', { port: port6, server: '::1' });
    assert.equal(result.status, 'REFUSED');
  });

  it('answers without EDNS when the query has none', async () => {
    const result = await dig('example.org', 'A', { port, noEdns: true });
    assert.equal(result.status, 'SERVFAIL');
    assert.doesNotMatch(result.raw, /OPT PSEUDOSECTION/);
  });

  it('echoes the DO bit in the OPT record', async () => {
    const result = await dig('example.org', 'A', { port, extra: ['+dnssec'] });
    assert.match(result.raw, /; EDNS: version: 0, flags: do; udp: 1232\n/);
  });

  it('gives c-ares the same rcodes', async () => {
    const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    await assert.rejects(resolver.resolve4('other.test'), { code: 'EREFUSED' });
    await assert.rejects(resolver.resolve4('example.org'), { code: 'ESERVFAIL' });
  });

  for (const transport of ['udp', 'tcp'] as const) {
    const exchange = async (packet: Buffer, timeoutMs = 2000): Promise<Buffer | null> => {
      if (transport === 'udp') return udpExchange(port, packet, timeoutMs);
      const client = await TcpClient.connect(port);
      client.send(frame(packet));
      try {
        return (await client.waitReplies(1, timeoutMs))[0];
      } catch {
        return null;
      } finally {
        client.close();
      }
    };

    it(`${transport}: QDCOUNT 0 and 2 get FORMERR with the ID echoed`, async () => {
      for (const qdcount of [0, 2]) {
        const reply = await exchange(buildQuery({ id: 0x4242 + qdcount, qdcount }));
        assert.ok(reply, `no reply for QDCOUNT ${qdcount}`);
        const header = readHeader(reply);
        assert.deepEqual(
          {
            id: header.id,
            qr: header.qr,
            rcode: header.rcode,
            qdcount: header.qdcount,
            ancount: header.ancount,
          },
          { id: 0x4242 + qdcount, qr: true, rcode: 1, qdcount: 0, ancount: 0 },
        );
      }
    });

    it(`${transport}: opcode 5 (UPDATE) gets NOTIMP echoing opcode and question`, async () => {
      const reply = await exchange(buildQuery({ id: 7, flags: 5 << 11 }));
      assert.ok(reply);
      const header = readHeader(reply);
      assert.deepEqual(
        {
          id: header.id,
          qr: header.qr,
          opcode: header.opcode,
          rcode: header.rcode,
          qdcount: header.qdcount,
        },
        { id: 7, qr: true, opcode: 5, rcode: 4, qdcount: 1 },
      );
    });

    it(`${transport}: EDNS version 1 gets BADVERS carried in an OPT record`, async () => {
      const query = buildQuery({ id: 9, edns: { version: 1, dnssecOk: true } });
      const reply = await exchange(query);
      assert.ok(reply);
      const header = readHeader(reply);
      assert.equal(header.rcode, 0, 'the lower 4 bits of BADVERS (16) are 0');
      assert.equal(header.arcount, 1);
      const opt = reply.subarray(query.length - 11);
      assert.equal(opt.readUInt16BE(1), 41, 'OPT type');
      assert.equal(opt[5], 1, 'extended rcode 1: 16 >> 4');
      assert.equal(opt[6], 0, 'we speak version 0');
      assert.equal(opt.readUInt16BE(7), 0x8000, 'DO echoed');
    });

    it(`${transport}: a response packet is dropped`, async () => {
      const reply = await exchange(buildQuery({ flags: 0x8100 }), 500);
      assert.equal(reply, null);
    });
  }

  it('udp: a packet shorter than a header is dropped', async () => {
    assert.equal(await udpExchange(port, Buffer.from([1, 2, 3, 4, 5]), 500), null);
  });

  it('counts malformed packets by reason', async () => {
    const sample = (reason: string): string =>
      `clusterdns_malformed_queries_total{reason="${reason}"}`;
    assert.equal(await metricValue(metricsPort, sample('formerr')), 4);
    assert.equal(await metricValue(metricsPort, sample('opcode')), 2);
    assert.equal(await metricValue(metricsPort, sample('edns_version')), 2);
    assert.equal(await metricValue(metricsPort, sample('response')), 2);
    assert.equal(await metricValue(metricsPort, sample('short')), 1);
    assert.equal(
      proc.lines.filter(
        (l) => (l.level ?? 0) >= 30 && l.msg !== 'serving' && l.msg !== 'http listening',
      ).length,
      0,
    );
  });
});
