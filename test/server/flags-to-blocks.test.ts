/**
 * `serve` flags become the server block a Corefile would hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Directive } from '../../src/config/directive.js';
import { flagsToBlocks, type ServeFlags } from '../../src/config/flags-to-blocks.js';

const BASE: ServeFlags = {
  zones: [],
  ttl: '5',
  pods: 'disabled',
  fallthrough: false,
  upstreams: [],
};

function text(d: Directive, indent = ''): string {
  const head = `${indent}${[d.name, ...d.args].join(' ')}`;
  if (d.block.length === 0) return head;
  return `${head} {\n${d.block.map((b) => text(b, indent + '  ')).join('\n')}\n${indent}}`;
}

describe('flags to blocks', () => {
  it('builds kubernetes and forward from the defaults and resolv.conf', () => {
    const [block] = flagsToBlocks({ ...BASE, state: 'examples/state.yaml' }, () => [
      '10.0.0.2',
      '10.0.0.3',
    ]);
    assert.deepEqual(block.keys, ['.:53']);
    assert.equal(
      block.directives.map((d) => text(d)).join('\n'),
      [
        'kubernetes cluster.local in-addr.arpa ip6.arpa {',
        '  state examples/state.yaml',
        '  pods disabled',
        '  ttl 5',
        '}',
        'forward . 10.0.0.2 10.0.0.3',
      ].join('\n'),
    );
  });

  it('maps every flag', () => {
    const flags: ServeFlags = {
      zones: ['a.local', 'b.local'],
      ttl: '30',
      pods: 'verified',
      fallthrough: true,
      upstreams: ['127.0.0.1:5300'],
      kubeconfig: '/k/config',
      namespaces: 'shop,kube-system',
    };
    const [block] = flagsToBlocks(flags, () =>
      assert.fail('resolv.conf is not read when --upstream is given'),
    );
    assert.equal(
      block.directives.map((d) => text(d)).join('\n'),
      [
        'kubernetes a.local b.local in-addr.arpa ip6.arpa {',
        '  kubeconfig /k/config',
        '  pods verified',
        '  ttl 30',
        '  namespaces shop kube-system',
        '  fallthrough in-addr.arpa ip6.arpa',
        '}',
        'forward . 127.0.0.1:5300',
      ].join('\n'),
    );
  });

  it('refuses bad values naming the flag', () => {
    assert.throws(
      () => flagsToBlocks({ ...BASE, ttl: 'x' }, () => ['1.1.1.1']),
      /command line:0: --ttl "x"/,
    );
    assert.throws(() => flagsToBlocks({ ...BASE, pods: 'all' }, () => ['1.1.1.1']), /--pods "all"/);
    assert.throws(() => flagsToBlocks(BASE, () => []), /no upstream resolver/);
    assert.throws(
      () => flagsToBlocks({ ...BASE, state: 's', kubeconfig: 'k' }, () => ['1.1.1.1']),
      /exclude each other/,
    );
  });
});
