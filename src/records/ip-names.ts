/**
 * IP addresses as DNS names: canonical text, the dashed labels CoreDNS writes for endpoints
 * and pods (`10-244-1-5`, `2001-db8--1`), and the reverse names of in-addr.arpa / ip6.arpa.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { v6 } from '@leichtgewicht/ip-codec';

/**
 * The canonical text of an address: IPv4 as given (sources validate it), IPv6 in RFC 5952 form
 * (lower case, `::` compression), so that every index compares one spelling per address.
 */
export function canonicalIp(address: string): string {
  if (!address.includes(':')) return address;
  return v6.decode(v6.encode(address));
}

/** 4 or 6 for an address, 0 for text that is not one. */
export function ipFamily(address: string): 0 | 4 | 6 {
  return isIP(address) as 0 | 4 | 6;
}

/**
 * The label naming an endpoint without a hostname: dots (IPv4) or colons (IPv6) become dashes,
 * and an IPv6 label ending in a dash gets a `0` appended so it does not end in `-`
 * (CoreDNS `endpointHostname`: `2001:db8::` -> `2001-db8--0`).
 */
export function dashedIp(address: string): string {
  if (!address.includes(':')) return address.replaceAll('.', '-');
  const dashed = canonicalIp(address).replaceAll(':', '-');
  return dashed.endsWith('-') ? dashed + '0' : dashed;
}

/**
 * Reads a dashed-IP label back into a canonical address, or null. As CoreDNS parses pod names:
 * exactly three dashes and no `--` is IPv4, anything else is tried as IPv6.
 */
export function ipFromDashed(label: string): string | null {
  let dashes = 0;
  for (let i = 0; i < label.length; i++) if (label.charCodeAt(i) === 0x2d) dashes++;
  if (dashes === 3 && !label.includes('--')) {
    const v4 = label.replaceAll('-', '.');
    return isIPv4(v4) ? v4 : null;
  }
  const v6text = label.replaceAll('-', ':');
  return isIPv6(v6text) && !v6text.includes('.') ? canonicalIp(v6text) : null;
}

/**
 * The address named by the labels of a reverse name below `in-addr.arpa` or `ip6.arpa`
 * (`labels` excludes those two suffix labels), or null when the labels do not spell one whole
 * address: 4 decimal octets, or 32 hex nibbles (RFC 1035 §3.5, RFC 3596 §2.5).
 */
export function ipFromReverse(labels: readonly string[], ipv6: boolean): string | null {
  return ipv6 ? fromNibbles(labels) : fromOctets(labels);
}

function fromOctets(labels: readonly string[]): string | null {
  if (labels.length !== 4) return null;
  const text = [...labels].reverse().join('.');
  return isIPv4(text) ? text : null;
}

function fromNibbles(labels: readonly string[]): string | null {
  if (labels.length !== 32) return null;
  let hex = '';
  for (let i = 31; i >= 0; i--) {
    const nibble = labels[i];
    if (nibble.length !== 1 || !/[0-9a-f]/.test(nibble)) return null;
    hex += nibble;
    if (i % 4 === 0 && i > 0) hex += ':';
  }
  return canonicalIp(hex);
}

/** The reverse name of an address, without trailing dot (for tests and tools). */
export function reverseName(address: string): string {
  if (!address.includes(':')) return address.split('.').reverse().join('.') + '.in-addr.arpa';
  const bytes = v6.encode(address);
  const nibbles: string[] = [];
  for (const byte of bytes) nibbles.push((byte >> 4).toString(16), (byte & 0xf).toString(16));
  return nibbles.reverse().join('.') + '.ip6.arpa';
}
