/**
 * The client-network test of the `acl` plugin, as a table: IPv4 and IPv6 prefixes of every
 * length class, single addresses, and IPv4-mapped IPv6 peers (how a dual-stack socket reports
 * an IPv4 client) matching IPv4 networks only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Network } from '../../src/plugins/acl/network.js';

const TABLE: readonly [network: string, client: string, inside: boolean][] = [
  ['10.0.0.0/8', '10.255.1.2', true],
  ['10.0.0.0/8', '11.0.0.1', false],
  ['192.168.1.0/24', '192.168.1.255', true],
  ['192.168.1.0/24', '192.168.2.0', false],
  ['172.16.0.0/12', '172.31.255.255', true],
  ['172.16.0.0/12', '172.32.0.0', false],
  ['10.1.2.3/32', '10.1.2.3', true],
  ['10.1.2.3', '10.1.2.4', false],
  ['0.0.0.0/0', '203.0.113.9', true],
  ['0.0.0.0/0', '::1', false],
  ['10.0.0.0/8', '::ffff:10.9.8.7', true],
  ['10.0.0.0/8', '::ffff:11.9.8.7', false],
  ['fd00::/8', 'fd12:3456::1', true],
  ['fd00::/8', 'fe80::1', false],
  ['2001:db8::/33', '2001:db8:7fff::1', true],
  ['2001:db8::/33', '2001:db8:8000::1', false],
  ['::1', '::1', true],
  ['::/0', '127.0.0.1', false],
  ['10.1.2.200/25', '10.1.2.130', true],
  ['10.1.2.200/25', '10.1.2.127', false],
];

describe('acl networks', () => {
  for (const [text, client, inside] of TABLE) {
    it(`${client} ${inside ? 'is' : 'is not'} in ${text}`, () => {
      const network = Network.parse(text);
      assert.ok(network instanceof Network, String(network));
      assert.equal(network.contains(client), inside);
    });
  }

  it('refuses what is not a network', () => {
    assert.equal(Network.parse('10.0.0.0/33'), '"10.0.0.0/33" has a prefix length outside 0..32');
    assert.equal(Network.parse('10.0.0.0/-1'), '"10.0.0.0/-1" has a prefix length outside 0..32');
    assert.equal(Network.parse('fd00::/x'), '"fd00::/x" has a prefix length outside 0..128');
    assert.equal(Network.parse('host.example'), '"host.example" is not an IP address or CIDR network');
  });
});
