/**
 * The errors plugin: a throwing chain becomes SERVFAIL and one `query failed` log line; a
 * plugin's own SERVFAIL is logged too; `consolidate` folds repeats into one summary per period
 * (timers injected), `show_first` logs the first at once; bad options name file and line.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Closable, Handler, Reply } from '../../src/chain/handler.js';
import type { PluginContext } from '../../src/chain/plugin.js';
import { DnsRequest } from '../../src/chain/request.js';
import { createRegistry } from '../../src/metrics/registry.js';
import type { Timers } from '../../src/plugins/errors/error-folder.js';
import { createErrorsHandler, setup as errorsSetup } from '../../src/plugins/errors/setup.js';
import { encodeError } from '../../src/wire/message-writer.js';
import { parseQuery } from '../../src/wire/query.js';
import { buildQuery } from '../upstreams/query-udp.js';
import { parseDirectiveForTest } from './directive-text.js';

const INFO = { zones: [''], port: 53, server: 'dns://:53' };

class ManualTimers implements Timers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  private next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.callback();
  }
}

function harness(directive: string) {
  const out = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  out.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const logger = pino({ level: 'debug', base: undefined, timestamp: false }, out);
  const metrics = createRegistry();
  const closables: Closable[] = [];
  const context: PluginContext = {
    logger,
    metrics,
    block: INFO,
    shared: { acquire: (_k, create) => create() },
    addReadiness: () => undefined,
    addClosable: (c) => closables.push(c),
  };
  const timers = new ManualTimers();
  const config = errorsSetup.parse(parseDirectiveForTest(directive), INFO);
  return {
    lines,
    metrics,
    timers,
    closables,
    build: (next: Handler) => createErrorsHandler(config, next, context, timers),
  };
}

function request(name = 'a.test'): DnsRequest {
  const wire = buildQuery(name, 'A', { id: 9 });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  return new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1000, 0n);
}

const throwing = (message: string): Handler => ({
  name: 'kubernetes',
  serve: () => {
    throw new Error(message);
  },
});

const rejecting = (message: string): Handler => ({
  name: 'forward',
  serve: () => Promise.reject(new Error(message)),
});

const servfail: Handler = {
  name: 'forward',
  serve(req: DnsRequest): Reply {
    req.answeredBy = 'forward';
    return encodeError(req.wire, req.query.questionEnd, 2, null);
  },
};

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('errors plugin', () => {
  it('answers SERVFAIL for a throwing chain and logs it once', async () => {
    const h = harness('errors');
    const reply = (await h.build(throwing('index broken')).serve(request())) as Buffer;
    assert.equal(reply[3] & 0x0f, 2);
    assert.equal(reply.readUInt16BE(0), 9);
    assert.match(await h.metrics.metrics(), /^coredns_panics_total 1$/m);
    await settle();
    assert.deepEqual(h.lines, [
      {
        level: 50,
        rcode: 'SERVFAIL',
        name: 'a.test.',
        type: 'A',
        error: 'index broken',
        msg: 'query failed',
      },
    ]);
  });

  it('answers SERVFAIL for a rejected promise', async () => {
    const h = harness('errors');
    const reply = (await h
      .build(rejecting('read udp 127.0.0.1:53: i/o timeout'))
      .serve(request())) as Buffer;
    assert.equal(reply[3] & 0x0f, 2);
    await settle();
    assert.equal(h.lines.length, 1);
    assert.equal(h.lines[0].error, 'read udp 127.0.0.1:53: i/o timeout');
  });

  it("logs a plugin's own SERVFAIL reply and passes it through unchanged", async () => {
    const h = harness('errors');
    const req = request('b.test');
    const reply = (await h.build(servfail).serve(req)) as Buffer;
    assert.equal(reply[3] & 0x0f, 2);
    await settle();
    assert.match(await h.metrics.metrics(), /^coredns_panics_total 0$/m);
    assert.deepEqual(
      h.lines.map((l) => [l.name, l.error]),
      [['b.test.', 'forward answered SERVFAIL']],
    );
  });

  it('adds the stack with stacktrace', async () => {
    const h = harness('errors {\n  stacktrace\n}');
    await h.build(throwing('boom')).serve(request());
    await settle();
    assert.match(String(h.lines[0].stack), /^Error: boom\n {4}at /);
  });

  it('folds matching errors into one summary per period; others are logged as they come', async () => {
    const h = harness(
      'errors {\n  consolidate 30s "i/o timeout$" warning\n  consolidate 5m ^refused\n}',
    );
    const handler = h.build(rejecting('read udp: i/o timeout'));
    for (let i = 0; i < 3; i++) await handler.serve(request());
    await h.build(throwing('something else')).serve(request());
    await settle();
    assert.deepEqual(
      h.lines.map((l) => l.error),
      ['something else'],
    );
    assert.deepEqual(
      [...h.timers.pending.values()].map((t) => t.ms),
      [30_000],
    );
    h.timers.fireAll();
    await settle();
    assert.deepEqual(h.lines.slice(1), [
      { level: 40, count: 3, pattern: 'i/o timeout$', period: '30s', msg: 'errors folded' },
    ]);
    await handler.serve(request());
    h.timers.fireAll();
    await settle();
    assert.equal(h.lines.length, 3);
    assert.equal(h.lines[2].count, 1);
  });

  it('with show_first logs the first error at once, and a summary only if more followed', async () => {
    const h = harness('errors {\n  consolidate 1m timeout info show_first\n}');
    const handler = h.build(rejecting('timeout'));
    await handler.serve(request());
    await settle();
    assert.deepEqual(
      h.lines.map((l) => l.msg),
      ['query failed'],
    );
    h.timers.fireAll();
    await settle();
    assert.equal(h.lines.length, 1);
    await handler.serve(request());
    await handler.serve(request());
    h.timers.fireAll();
    await settle();
    assert.deepEqual(h.lines.slice(1), [
      {
        level: 50,
        rcode: 'SERVFAIL',
        name: 'a.test.',
        type: 'A',
        error: 'timeout',
        msg: 'query failed',
      },
      { level: 30, count: 2, pattern: 'timeout', period: '1m0s', msg: 'errors folded' },
    ]);
  });

  it('flushes pending summaries when the chain is closed', async () => {
    const h = harness('errors {\n  consolidate 1h x\n}');
    await h.build(throwing('x')).serve(request());
    assert.equal(h.closables.length, 1);
    await h.closables[0].close();
    await settle();
    assert.deepEqual(
      h.lines.map((l) => [l.msg, l.count]),
      [['errors folded', 1]],
    );
    assert.equal(h.timers.pending.size, 0);
  });

  const bad: [string, string][] = [
    ['errors extra', 'Corefile:1: errors: expected 0 argument(s), got 1'],
    ['errors {\n  colour red\n}', 'Corefile:2: errors: unknown option "colour"'],
    [
      'errors {\n  consolidate 30s\n}',
      'Corefile:2: consolidate: expected 2 to 4 argument(s), got 1',
    ],
    [
      'errors {\n  consolidate 30 x\n}',
      'Corefile:2: consolidate: "30" is not a duration (e.g. 5s, 1m30s)',
    ],
    ['errors {\n  consolidate 30s x loud\n}', 'Corefile:2: consolidate: unknown level "loud"'],
    [
      'errors {\n  consolidate 30s "(" error\n}',
      'Corefile:2: consolidate: bad expression: Invalid regular expression: /(/: Unterminated group',
    ],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => errorsSetup.parse(parseDirectiveForTest(text), INFO), { message });
    });
  }
});
