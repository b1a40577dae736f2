/**
 * The one failure boundary per query: a throw or a rejection in a chain becomes SERVFAIL,
 * is counted in coredns_panics_total and logged once with repeats folded; replies too large
 * for UDP are cut to header and question with TC set.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Handler } from '../../src/chain/handler.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { FailureLog } from '../../src/server/failure-log.js';
import { QueryDispatcher } from '../../src/server/query-dispatcher.js';
import { ServerMetrics } from '../../src/server/server-metrics.js';
import { InFlight, ZoneRouter } from '../../src/server/zone-router.js';
import { buildQuery, readHeader } from './raw-dns.js';

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

function setup(handler: Handler, clock = { now: 0 }) {
  const registry = createRegistry();
  const { logger, lines } = capture();
  const inFlight = new InFlight();
  const router = new ZoneRouter([{ zone: 'example.org', handler }], inFlight);
  const failures = new FailureLog(logger, 10_000, () => clock.now);
  const dispatcher = new QueryDispatcher(router, new ServerMetrics(registry), failures);
  const panics = async (): Promise<number> =>
    (await registry.getSingleMetric('coredns_panics_total')!.get()).values[0].value;
  return { dispatcher, lines, panics, inFlight, failures };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('query dispatcher', () => {
  it('answers SERVFAIL for a synchronous throw, counts and logs it', async () => {
    const { dispatcher, lines, panics, failures } = setup({
      name: 'boom',
      serve: () => {
        throw new Error('kaput');
      },
    });
    const reply = dispatcher.answer(buildQuery({ id: 5 }), 'udp', '127.0.0.1', 5353);
    assert.ok(Buffer.isBuffer(reply), 'a sync chain is answered synchronously');
    assert.deepEqual(
      [readHeader(reply).id, readHeader(reply).rcode, readHeader(reply).qdcount],
      [5, 2, 1],
    );
    assert.equal(await panics(), 1);
    await flush();
    assert.deepEqual(
      lines.map((l) => [l.msg, l.err, l.name]),
      [['query failed', 'kaput', 'example.org']],
    );
    failures.close();
  });

  it('answers SERVFAIL for a rejected promise and tracks it in flight until settled', async () => {
    let reject: (err: Error) => void = () => undefined;
    const { dispatcher, panics, inFlight, failures } = setup({
      name: 'slow',
      serve: () =>
        new Promise((_, r) => {
          reject = r;
        }),
    });
    const pending = dispatcher.answer(buildQuery({ id: 6, edns: {} }), 'tcp', '::1', 1);
    assert.ok(pending instanceof Promise);
    assert.equal(inFlight.count, 1);
    reject(new Error('later'));
    const reply = await pending;
    assert.ok(reply);
    assert.equal(readHeader(reply).rcode, 2);
    assert.equal(readHeader(reply).arcount, 1, 'the OPT record is kept');
    assert.equal(inFlight.count, 0);
    assert.equal(await panics(), 1);
    failures.close();
  });

  it('logs a repeated failure once per window with the repeat count', async () => {
    const clock = { now: 0 };
    const { dispatcher, lines, panics, failures } = setup(
      {
        name: 'boom',
        serve: () => {
          throw new Error('same');
        },
      },
      clock,
    );
    for (let i = 0; i < 50; i++) dispatcher.answer(buildQuery(), 'udp', '127.0.0.1', 1);
    clock.now = 10_001;
    failures.flush();
    dispatcher.answer(buildQuery(), 'udp', '127.0.0.1', 1);
    await flush();
    assert.equal(await panics(), 51);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.repeats]),
      [
        ['query failed', undefined],
        ['query failures repeated', 49],
        ['query failed', undefined],
      ],
    );
    failures.close();
  });

  it('cuts a UDP reply larger than the client accepts to header and question with TC', () => {
    const big = (query: Buffer): Buffer => {
      const reply = Buffer.alloc(900);
      query.copy(reply);
      reply.writeUInt16BE(0x8580, 2); // QR AA RD RA, NOERROR
      reply.writeUInt16BE(40, 6);
      return reply;
    };
    const { dispatcher, failures } = setup({ name: 'big', serve: (request) => big(request.wire) });
    const query = buildQuery({ id: 8 });
    const udp = dispatcher.answer(query, 'udp', '127.0.0.1', 1) as Buffer;
    assert.equal(udp.length, query.length);
    const header = readHeader(udp);
    assert.deepEqual(
      [header.id, header.tc, header.rcode, header.qdcount, header.ancount],
      [8, true, 0, 1, 0],
    );
    assert.equal(udp.readUInt16BE(2) & 0x0400, 0x0400, 'AA kept');
    const tcp = dispatcher.answer(query, 'tcp', '127.0.0.1', 1) as Buffer;
    assert.equal(tcp.length, 900, 'TCP takes the whole answer');
    const edns = dispatcher.answer(
      buildQuery({ edns: { udpSize: 1232 } }),
      'udp',
      '127.0.0.1',
      1,
    ) as Buffer;
    assert.equal(edns.length, 900, 'fits the EDNS size');
    failures.close();
  });

  it('gives plugins IPv4 clients of a dual-stack socket in plain IPv4 form', () => {
    const seen: string[] = [];
    const { dispatcher, failures } = setup({
      name: 'who',
      serve: (request) => {
        seen.push(`${request.clientAddress} ${request.family}`);
        return null;
      },
    });
    for (const address of ['::ffff:10.244.1.5', '::1', '10.0.0.1', 'fd00::ffff:1']) {
      dispatcher.answer(buildQuery(), 'udp', address, 1);
    }
    assert.deepEqual(seen, ['10.244.1.5 1', '::1 2', '10.0.0.1 1', 'fd00::ffff:1 2']);
    failures.close();
  });

  it('sends nothing when the chain replies null', () => {
    const { dispatcher, failures } = setup({ name: 'drop', serve: () => null });
    assert.equal(dispatcher.answer(buildQuery(), 'udp', '127.0.0.1', 1), null);
    failures.close();
  });
});
