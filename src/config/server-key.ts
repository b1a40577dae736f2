/**
 * Server block keys: `.:53`, `cluster.local:53`, `dns://.:53`, `example.org.`, `:1053`, and
 * reverse networks written as CIDR (`10.0.0.0/8` is `10.in-addr.arpa`), as CoreDNS reads them.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError, type SourcePosition } from '../errors.js';

export const DEFAULT_DNS_PORT = 53;

/** A normalized key: zone lower case without trailing dot ('' is the root), and the port. */
export interface ServerKey {
  readonly zone: string;
  readonly port: number;
  /** Canonical text `zone:port`, the root written `.`: `.:53`, `cluster.local:53`. */
  readonly text: string;
}

/** Parses one key; throws ConfigError CONFIG_BAD_VALUE naming the key and the problem. */
export function parseServerKey(raw: string, at: SourcePosition): ServerKey {
  const fail = (problem: string) =>
    new ConfigError('CONFIG_BAD_VALUE', at, `server block key "${raw}": ${problem}`);

  let rest = raw;
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1].toLowerCase() !== 'dns') {
      throw fail(`scheme ${scheme[1]}:// is not supported (only dns://)`);
    }
    rest = rest.slice(scheme[0].length);
  }

  let port = DEFAULT_DNS_PORT;
  const withPort = /^(.*):(\d*)$/.exec(rest);
  if (withPort) {
    if (!/^\d{1,5}$/.test(withPort[2]) || Number(withPort[2]) > 65535) {
      throw fail(`port "${withPort[2]}" is not a number in 0..65535`);
    }
    port = Number(withPort[2]);
    rest = withPort[1];
  }
  const zone = rest.includes('/') ? reverseZone(rest, fail) : forwardZone(rest, fail);
  return { zone, port, text: `${zone || '.'}:${port}` };
}

/**
 * A block's keys grouped by port: each port's zones in key order, without repeats. Keys with
 * the same port share one chain, as one CoreDNS server does. `mapPort` lets a caller put keys
 * on other ports (`serve --listen` puts them all on one). Throws as parseServerKey.
 */
export function zonesByPort(
  keys: readonly string[],
  at: SourcePosition,
  mapPort: (port: number) => number = (port) => port,
): Map<number, string[]> {
  const byPort = new Map<number, string[]>();
  for (const raw of keys) {
    const key = parseServerKey(raw, at);
    const port = mapPort(key.port);
    const zones = byPort.get(port) ?? [];
    if (!zones.includes(key.zone)) zones.push(key.zone);
    byPort.set(port, zones);
  }
  return byPort;
}

function forwardZone(text: string, fail: (p: string) => ConfigError): string {
  const zone = text.toLowerCase().replace(/\.$/, '');
  if (zone === '') return '';
  if (zone.length > 253) throw fail('zone name longer than 253 characters');
  for (const label of zone.split('.')) {
    if (label === '') throw fail('empty label in zone name');
    if (label.length > 63) throw fail(`label "${label}" longer than 63 characters`);
    if (!/^[a-z0-9_*-]+$/.test(label)) {
      throw fail(`label "${label}" has characters not allowed in a zone`);
    }
  }
  return zone;
}

function reverseZone(text: string, fail: (p: string) => ConfigError): string {
  const zone = cidrZone(text);
  if (typeof zone !== 'string') throw fail(zone.problem);
  return zone;
}

/**
 * A CIDR network (`10.0.0.0/8`) as its reverse zone (`10.in-addr.arpa`), or the problem with
 * it. Only prefixes on a label boundary (a multiple of 8 bits for IPv4, of 4 bits for IPv6) are
 * accepted: other prefixes would need several zones, which CoreDNS generates but clusterdns
 * does not (no cluster needs them for its service or pod networks).
 */
export function cidrZone(text: string): string | { readonly problem: string } {
  const [address, prefixText] = text.split('/');
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? '')) return { problem: 'prefix length is not a number' };
  if (isIPv4(address)) {
    if (prefix > 32 || prefix % 8 !== 0) {
      return { problem: 'IPv4 prefix must be 0, 8, 16, 24 or 32' };
    }
    const octets = address
      .split('.')
      .slice(0, prefix / 8)
      .reverse();
    return [...octets, 'in-addr', 'arpa'].join('.');
  }
  if (isIPv6(address)) {
    if (prefix > 128 || prefix % 4 !== 0) return { problem: 'IPv6 prefix must be a multiple of 4' };
    const nibbles = expandIPv6(address)
      .slice(0, prefix / 4)
      .split('')
      .reverse();
    return [...nibbles, 'ip6', 'arpa'].join('.');
  }
  return { problem: `"${address}" is not an IP address` };
}

function expandIPv6(address: string): string {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = address.includes('::') && tail ? tail.split(':') : [];
  const fill = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(fill).fill('0'), ...tailGroups];
  return groups.map((g) => g.padStart(4, '0')).join('');
}
