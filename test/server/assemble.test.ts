/**
 * Chain assembly: plugins act in the declared order whatever the Corefile order, unknown
 * directives are errors naming file:line, blocks become listener routes (keys, ports, bind,
 * --listen), and one zone cannot be served twice on one address.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { assemble, type AssembleOptions } from '../../src/chain/assemble.js';
import type { Handler } from '../../src/chain/handler.js';
import type { Lifecycle, PluginSetup } from '../../src/chain/plugin.js';
import { PluginRegistry } from '../../src/chain/plugin-registry.js';
import { SharedResourcePool } from '../../src/chain/shared-resources.js';
import { DnsRequest } from '../../src/chain/request.js';
import type { Directive, ServerBlock } from '../../src/config/directive.js';
import { ConfigError } from '../../src/errors.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { parseQuery } from '../../src/wire/query.js';
import { buildQuery } from './raw-dns.js';

/** A setup whose handler appends its name to the reply text and calls next. */
function tracer(name: string): PluginSetup<string> {
  return {
    name,
    parse: (d) => d.args.join(' '),
    create: (_config, next: Handler): Handler => ({
      name,
      serve(request) {
        const rest = next.serve(request) as Buffer;
        const fromChainEnd = rest.readUInt16BE(0) === 0x1234; // the SERVFAIL echoes our query ID
        return Buffer.from(`${name}>${fromChainEnd ? 'end' : rest.toString()}`);
      },
    }),
  };
}

const registry = new PluginRegistry(
  ['log', 'cache', 'kubernetes', 'forward', 'errors'].map(tracer),
);

function d(name: string, line: number, ...args: string[]): Directive {
  return { name, args, block: [], file: 'Corefile', line };
}

function block(keys: string[], directives: Directive[], line = 1): ServerBlock {
  return { keys, directives, file: 'Corefile', line };
}

const lifecycle: Lifecycle = {
  draining: false,
  readiness: () => [],
  setLameduck: () => undefined,
  requestReload: () => undefined,
  configFiles: [],
  configDigest: '',
  readConfigDigest: () => '',
  addStartup: () => undefined,
};

function options(listen: AssembleOptions['listen'] = null): AssembleOptions {
  return {
    registry,
    logger: pino({ level: 'silent' }),
    metrics: createRegistry(),
    shared: new SharedResourcePool().scope(),
    lifecycle,
    addReadiness: () => undefined,
    addClosable: () => undefined,
    listen,
  };
}

function run(handler: Handler): string {
  const wire = buildQuery({ id: 0x1234 });
  const parsed = parseQuery(wire);
  assert.ok(parsed.ok);
  return (
    handler.serve(new DnsRequest(parsed.query, wire, 'udp', '127.0.0.1', 1, 0n)) as Buffer
  ).toString();
}

describe('assemble', () => {
  it('orders the chain by plugin-order.ts, not by the Corefile', () => {
    const blocks = [
      block(
        ['.:53'],
        [
          d('forward', 2, '.', '1.1.1.1'),
          d('cache', 3),
          d('errors', 4),
          d('kubernetes', 5),
          d('log', 6),
        ],
      ),
    ];
    const [plan] = assemble(blocks, options());
    assert.equal(run(plan.routes[0].handler), 'errors>log>cache>kubernetes>forward>end');
  });

  it('rejects an unknown directive naming file and line', () => {
    const blocks = [block(['.:53'], [d('cache', 2), d('frobnicate', 3)])];
    assert.throws(
      () => assemble(blocks, options()),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'CONFIG_UNKNOWN_PLUGIN' &&
        err.message === 'Corefile:3: unknown plugin "frobnicate"',
    );
  });

  it('groups keys by port into listeners on every interface', () => {
    const blocks = [
      block(['cluster.local:53', 'in-addr.arpa:53'], [d('cache', 2)]),
      block(['.:53'], [d('forward', 5, '.', '1.1.1.1')], 4),
      block(['example.org:5300'], [d('log', 8)], 7),
    ];
    const plans = assemble(blocks, options());
    assert.deepEqual(
      plans.map((p) => [p.key, p.routes.map((r) => r.zone)]),
      [
        [':53', ['cluster.local', 'in-addr.arpa', '']],
        [':5300', ['example.org']],
      ],
    );
  });

  it('binds the addresses of bind, and --listen overrides the rest', () => {
    const blocks = [
      block(['.:53'], [d('bind', 2, '127.0.0.1', '::1'), d('log', 3)]),
      block(['example.org:53'], [d('log', 6)], 5),
    ];
    assert.deepEqual(
      assemble(blocks, options()).map((p) => p.key),
      ['127.0.0.1:53', '[::1]:53', ':53'],
    );
    const listen = [{ host: '127.0.0.2', port: 1053 }];
    assert.deepEqual(
      assemble(blocks, options(listen)).map((p) => p.key),
      ['127.0.0.1:1053', '[::1]:1053', '127.0.0.2:1053'],
    );
  });

  it('refuses bind without an IP address', () => {
    assert.throws(
      () => assemble([block(['.:53'], [d('bind', 2, 'eth0')])], options()),
      /Corefile:2: bind "eth0"/,
    );
  });

  it('refuses one zone served twice on one address', () => {
    const blocks = [
      block(['example.org:53'], [d('log', 2)]),
      block(['example.org:1053'], [d('log', 5)], 4),
    ];
    assert.equal(assemble(blocks, options()).length, 2);
    assert.throws(
      () => assemble(blocks, options([{ host: '127.0.0.1', port: 0 }])),
      /Corefile:4: zone example.org is served twice on 127.0.0.1:0/,
    );
  });
});
