/**
 * Reads a node's resolv.conf the way the kubelet does (kubelet `parseResolvConf`), not the way
 * a C library does: the result is the "host" base of Default-policy pods and the host search
 * domains appended after the cluster ones.
 */
import { ClusterDnsError } from '../errors.js';
import type { DnsConfig } from './dns-config.js';

/** The kubelet refuses node files larger than this (maxResolvConfLength, 10 MiB). */
export const MAX_RESOLV_CONF_BYTES = 10 * 1024 * 1024;

/**
 * Parses kubelet-style: lines starting with `#` are comments (`;` is not a comment here);
 * every `nameserver` line adds its first address; the last `search` line replaces earlier ones,
 * with one trailing dot stripped from each entry and `.` entries left out; the last `options`
 * line replaces earlier ones; `domain` and other keywords are ignored. Throws
 * ClusterDnsError(STATE_PARSE) naming file and line for a `nameserver` line without address.
 */
export function parseHostResolvConf(text: string, file: string): DnsConfig {
  if (Buffer.byteLength(text) > MAX_RESOLV_CONF_BYTES) {
    throw new ClusterDnsError('STATE_PARSE', `${file}: larger than ${MAX_RESOLV_CONF_BYTES} bytes`);
  }
  const nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    const [keyword, ...rest] = fields;
    if (keyword === 'nameserver') {
      if (rest.length === 0) {
        throw new ClusterDnsError(
          'STATE_PARSE',
          `${file}:${i + 1}: nameserver line without address`,
        );
      }
      nameservers.push(rest[0]);
    } else if (keyword === 'search') {
      searches = rest.filter((s) => s !== '.').map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    } else if (keyword === 'options') {
      options = rest;
    }
  }
  return { nameservers, searches, options };
}
