/** Both kubeadm default Corefiles parse into exactly the blocks CoreDNS reads from them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCorefile } from '../../src/config/corefile.js';
import type { Directive } from '../../src/config/directive.js';
import { KUBEADM_COREFILE, KUBEADM_COREFILE_OLD } from './kubeadm-corefiles.js';

function show(d: Directive): string {
  const block = d.block.length ? ` { ${d.block.map(show).join('; ')} }` : '';
  return `${[d.name, ...d.args].join(' ')}${block}`;
}

const COMMON_HEAD = [
  'errors',
  'health { lameduck 5s }',
  'ready',
  'kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }',
  'prometheus :9153',
  'forward . /etc/resolv.conf { max_concurrent 1000 }',
];

describe('kubeadm default Corefiles', () => {
  it("today's, with the cluster domain kept out of the cache", () => {
    const [block, ...rest] = parseCorefile(KUBEADM_COREFILE, 'Corefile');
    assert.equal(rest.length, 0);
    assert.deepEqual(block.keys, ['.:53']);
    assert.deepEqual(block.directives.map(show), [
      ...COMMON_HEAD,
      'cache 30 { disable success cluster.local; disable denial cluster.local }',
      'loop',
      'reload',
      'loadbalance',
    ]);
    assert.deepEqual(
      block.directives.map((d) => d.line),
      [2, 3, 6, 7, 12, 13, 16, 20, 21, 22],
    );
  });

  it('the older one with a bare cache 30', () => {
    const [block] = parseCorefile(KUBEADM_COREFILE_OLD, 'Corefile');
    assert.deepEqual(block.directives.map(show), [
      ...COMMON_HEAD,
      'cache 30',
      'loop',
      'reload',
      'loadbalance',
    ]);
  });
});
