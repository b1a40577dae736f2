/**
 * The log plugin: CoreDNS's common log format, exactly, both from a running clusterdns (real
 * UDP and TCP clients, a real dnsmasq upstream) and from the handler with a fixed clock for the
 * formats, classes and names it selects.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import type { Handler, Reply } from '../../src/chain/handler.js';
import { DnsRequest } from '../../src/chain/request.js';
import { parseDirectiveForTest } from './directive-text.js';
import { LineSink } from '../../src/plugins/log/line-sink.js';
import { createLogHandler, setup as logSetup } from '../../src/plugins/log/setup.js';
import { encodeError } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import { ClusterDnsProcess } from '../helpers/clusterdns-process.js';
import { buildQuery } from '../upstreams/query-udp.js';
import { Dnsmasq } from '../upstreams/dnsmasq.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const DURATION = /^\d+(\.\d+)?s$/;

/** Sends a query from a socket bound to a known port; resolves with the reply and the port. */
async function udpQuery(port: number, wire: Buffer): Promise<{ reply: Buffer; from: number }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const from = socket.address().port;
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 3000);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
    socket.send(wire, port, '127.0.0.1');
  });
  socket.close();
  return { reply, from };
}

async function tcpQuery(port: number, wire: Buffer): Promise<{ reply: Buffer; from: number }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const from = socket.localPort!;
  const length = Buffer.alloc(2);
  length.writeUInt16BE(wire.length);
  socket.write(Buffer.concat([length, wire]));
  let data = Buffer.alloc(0);
  const reply = await new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0))
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
    });
    socket.once('error', reject);
  });
  socket.destroy();
  return { reply, from };
}

/** The rcode and `{>rflags}` text a reply should be logged with, read from its bytes. */
function rcodeAndFlags(reply: Buffer): string {
  const rcode = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][reply[3] & 0xf];
  const word = reply.readUInt16BE(2);
  const names: [number, string][] = [
    [0x8000, 'qr'],
    [0x400, 'aa'],
    [0x200, 'tc'],
    [0x100, 'rd'],
    [0x80, 'ra'],
  ];
  return `${rcode} ${names
    .filter(([bit]) => (word & bit) !== 0)
    .map(([, n]) => n)
    .join(',')}`;
}

describe('log plugin in a running clusterdns', () => {
  let upstream: Dnsmasq;
  let server: ClusterDnsProcess;
  let dir: string;

  before(async () => {
    upstream = await Dnsmasq.start(['--address=/a.test/192.0.2.1', '--address=/gone.test/']);
    dir = makeTempDir('log-');
    const corefile = path.join(dir, 'Corefile');
    fs.writeFileSync(corefile, `.:0 {\n  log\n  forward . 127.0.0.1:${upstream.port}\n}\n`);
    server = await ClusterDnsProcess.serve(['--conf', corefile]);
  });

  after(async () => {
    await server?.stop();
    await upstream?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const queryLine = (id: number) =>
    server.waitFor((l) => typeof l.text === 'string' && l.text.includes(` - ${id} "`), 5000);

  it("writes one common-format line per UDP query, the name in the client's letter case", async () => {
    const wire = buildQuery('A.test', 'A', { id: 4660 });
    const { reply, from } = await udpQuery(server.port, wire);
    const line = String((await queryLine(4660)).text);
    const [head, duration] = [
      line.slice(0, line.lastIndexOf(' ')),
      line.slice(line.lastIndexOf(' ') + 1),
    ];
    assert.equal(
      head,
      `[INFO] 127.0.0.1:${from} - 4660 "A IN A.test. udp ${wire.length} false 512" NOERROR qr,aa,rd,ra ${reply.length}`,
    );
    assert.match(duration, DURATION);
  });

  it('shows DO, the EDNS buffer size and NXDOMAIN', async () => {
    const wire = buildQuery('x.gone.test', 'AAAA', { id: 4661, ednsSize: 1232, dnssecOk: true });
    const { reply, from } = await udpQuery(server.port, wire);
    const line = String((await queryLine(4661)).text);
    assert.equal(
      line.slice(0, line.lastIndexOf(' ')),
      `[INFO] 127.0.0.1:${from} - 4661 "AAAA IN x.gone.test. udp ${wire.length} true 1232" NXDOMAIN qr,rd,ra ${reply.length}`,
    );
  });

  it('writes 65535 as the buffer size over TCP', async () => {
    const wire = buildQuery('a.test', 'MX', { id: 4662 });
    const { reply, from } = await tcpQuery(server.port, wire);
    const line = String((await queryLine(4662)).text);
    assert.equal(
      line.slice(0, line.lastIndexOf(' ')),
      `[INFO] 127.0.0.1:${from} - 4662 "MX IN a.test. tcp ${wire.length} false 65535" ${rcodeAndFlags(reply)} ${reply.length}`,
    );
  });
});

/** A chain end that answers with a fixed rcode and answer count, or throws. */
function fixedNext(
  rcode: number,
  answers: number,
  mode: 'sync' | 'async' | 'throw' = 'sync',
): Handler {
  return {
    name: 'fixed',
    serve(request: DnsRequest): Reply | Promise<Reply> {
      if (mode === 'throw') throw new Error('boom');
      const reply = encodeError(request.wire, request.query.questionEnd, rcode, null);
      reply.writeUInt16BE(reply.readUInt16BE(2) | 0x0400, 2);
      reply.writeUInt16BE(answers, 6);
      return mode === 'async' ? Promise.resolve(reply) : reply;
    },
  };
}

function request(
  name: string,
  type: dnsPacket.RecordType | number,
  address = '10.0.0.7',
  transport: 'udp' | 'tcp' = 'udp',
): DnsRequest {
  const wire = buildQuery(name, typeof type === 'number' ? 'A' : type, { id: 77, ednsSize: 4096 });
  // A type dns-packet has no name for is written into the question by hand.
  if (typeof type === 'number') wire.writeUInt16BE(type, 12 + name.length + 2);
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  return new DnsRequest(parsed.query, wire, transport, address, 5353, 1_000_000n);
}

/** Runs one query through a log handler built from directive text; returns the lines written. */
async function logged(directive: string, next: Handler, req: DnsRequest): Promise<string[]> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  const sink = new LineSink(out);
  const config = logSetup.parse(parseDirectiveForTest(directive), {
    zones: [''],
    port: 53,
    server: 'dns://:53',
  });
  const handler = createLogHandler(config, next, sink, () => 1_000_000n + 123_456n);
  try {
    await handler.serve(req);
  } catch {
    // The throw path is logged before it propagates.
  }
  sink.flush();
  return chunks.join('').split('\n').filter(Boolean);
}

describe('log plugin formats and selection', () => {
  it('renders the common format with a fixed clock, IPv6 in brackets', async () => {
    const lines = await logged('log', fixedNext(0, 1), request('Svc.Test', 'SRV', 'fd00::5'));
    assert.deepEqual(lines, [
      '[INFO] [fd00::5]:5353 - 77 "SRV IN Svc.Test. udp 37 false 4096" NOERROR qr,aa,rd 26 0.000123456s',
    ]);
  });

  it('logs IPv4-mapped clients as IPv4', async () => {
    const lines = await logged('log', fixedNext(0, 1), request('a.test', 'A', '::ffff:10.1.2.3'));
    assert.match(lines[0], /^\[INFO\] 10\.1\.2\.3:5353 - 77 /);
  });

  it('supports {combined} and custom formats, empty values as -', async () => {
    const combined = await logged('log . {combined}', fixedNext(0, 1), request('a.test', 'TXT'));
    assert.equal(
      combined[0],
      '[INFO] 10.0.0.7:5353 - 77 "TXT IN a.test. udp 35 false 4096" NOERROR qr,aa,rd 24 0.000123456s "0"',
    );
    const custom = await logged(
      'log . "{proto} {>ID} {name} {type} {rcode} {local} {/k8s/ns} {unknown}"',
      fixedNext(3, 0),
      request('b.test', 65280),
    );
    assert.deepEqual(custom, ['[INFO] udp 77 b.test. TYPE65280 NXDOMAIN - - {unknown}']);
  });

  it('logs a throwing chain as the SERVFAIL the server sends', async () => {
    const lines = await logged('log', fixedNext(0, 0, 'throw'), request('a.test', 'A'));
    assert.deepEqual(lines, [
      '[INFO] 10.0.0.7:5353 - 77 "A IN a.test. udp 35 false 4096" SERVFAIL qr,rd 35 0.000123456s',
    ]);
  });

  it('waits for an asynchronous reply', async () => {
    const lines = await logged('log', fixedNext(5, 0, 'async'), request('a.test', 'A'));
    assert.match(lines[0], /" REFUSED qr,aa,rd 24 0\.000123456s$/);
  });

  const classes: [string, number, number, boolean][] = [
    ['success', 0, 1, true],
    ['success', 0, 0, false],
    ['denial', 0, 0, true],
    ['denial', 3, 0, true],
    ['denial', 2, 0, false],
    ['error', 2, 0, true],
    ['error', 5, 0, true],
    ['error', 0, 1, false],
    ['denial error', 0, 1, false],
    ['all', 1, 0, true],
  ];
  for (const [cls, rcode, answers, shown] of classes) {
    it(`class ${cls}: rcode ${rcode} with ${answers} answers is ${shown ? 'logged' : 'not logged'}`, async () => {
      const lines = await logged(
        `log {\n class ${cls}\n}`,
        fixedNext(rcode, answers),
        request('a.test', 'A'),
      );
      assert.equal(lines.length, shown ? 1 : 0);
    });
  }

  it('logs only names under the given zones', async () => {
    assert.equal(
      (await logged('log example.org', fixedNext(0, 1), request('www.example.org', 'A'))).length,
      1,
    );
    assert.equal(
      (await logged('log example.org', fixedNext(0, 1), request('example.org', 'A'))).length,
      1,
    );
    assert.equal(
      (await logged('log example.org', fixedNext(0, 1), request('badexample.org', 'A'))).length,
      0,
    );
  });

  it('refuses unknown options and classes with file and line', () => {
    const info = { zones: [''], port: 53, server: 'dns://:53' };
    assert.throws(() => logSetup.parse(parseDirectiveForTest('log {\n  color on\n}'), info), {
      message: 'Corefile:2: log: unknown option "color"',
    });
    assert.throws(() => logSetup.parse(parseDirectiveForTest('log {\n  class loud\n}'), info), {
      message: 'Corefile:2: log: unknown class "loud"',
    });
  });
});

describe('log plugin {name}', () => {
  it('escapes octets outside letters, digits, - _ * as \\DDD and writes the root as .', async () => {
    const odd = await logged('log . {name}', fixedNext(0, 1), request('a b.Test', 'A'));
    assert.deepEqual(odd, ['[INFO] a\\032b.Test.']);
    const root = await logged('log . {name}', fixedNext(0, 1), request('.', 'NS'));
    assert.deepEqual(root, ['[INFO] .']);
  });
});
