/**
 * A resolv.conf as a C library's stub resolver reads it (glibc res_init, musl
 * __get_resolv_conf), which differs from the kubelet's reading: this is what the pod's
 * resolver will actually use.
 */

export type Libc = 'glibc' | 'musl';

export interface StubResolverConfig {
  /** At most 3, in file order. */
  readonly nameservers: readonly string[];
  /** From the last `search` or `domain` line. */
  readonly searches: readonly string[];
  /** Default 1, capped at 15 by both libraries. */
  readonly ndots: number;
  /** Seconds per try; default 5 (capped 30 by glibc, 60 by musl). */
  readonly timeoutSeconds: number;
  /** Rounds over the nameservers; default 2 (capped 5 by glibc, 10 by musl). */
  readonly attempts: number;
  /** glibc `edns0`: send an OPT record. musl never does. */
  readonly edns0: boolean;
  /** glibc `no-tld-query`: no as-is try for single-label names after the search list. */
  readonly noTldQuery: boolean;
  /** Lines the library ignored, with the reason (musl drops lines of 255+ characters). */
  readonly ignored: readonly string[];
}

const MAX_NAMESERVERS = 3;
/** musl reads lines into a 256-byte buffer and skips any line that does not fit. */
const MUSL_MAX_LINE = 254;

/** Caps on `timeout` (seconds) and `attempts`: glibc RES_MAXRETRANS 30 / RES_MAXRETRY 5. */
const LIMITS = { glibc: { timeout: 30, attempts: 5 }, musl: { timeout: 60, attempts: 10 } };

function clamp(n: number, low: number, high: number): number {
  return Math.min(Math.max(n, low), high);
}

/** Parses resolv.conf text as `libc` would. Never throws: unknown lines are skipped. */
export function parseStubResolverConfig(text: string, libc: Libc): StubResolverConfig {
  const nameservers: string[] = [];
  const ignored: string[] = [];
  let searches: string[] = [];
  let ndots = 1;
  let timeoutSeconds = 5;
  let attempts = 2;
  let edns0 = false;
  let noTldQuery = false;
  const limits = LIMITS[libc];
  for (const line of text.split('\n')) {
    if (libc === 'musl' && line.length > MUSL_MAX_LINE) {
      ignored.push(
        `${line.slice(0, 40)}... (${line.length} characters: musl skips lines over 254)`,
      );
      continue;
    }
    const fields = line.trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0 || fields[0].startsWith('#') || fields[0].startsWith(';')) continue;
    const [keyword, ...rest] = fields;
    if (keyword === 'nameserver' && rest.length > 0 && nameservers.length < MAX_NAMESERVERS) {
      nameservers.push(rest[0]);
    } else if (keyword === 'search' || keyword === 'domain') {
      searches = keyword === 'domain' ? rest.slice(0, 1) : rest;
    } else if (keyword === 'options') {
      for (const option of rest) {
        const [name, value] = option.split(':', 2);
        const n = Number.parseInt(value ?? '', 10);
        if (name === 'ndots' && Number.isFinite(n)) ndots = Math.min(Math.max(n, 0), 15);
        if (name === 'timeout' && Number.isFinite(n)) timeoutSeconds = clamp(n, 1, limits.timeout);
        if (name === 'attempts' && Number.isFinite(n)) attempts = clamp(n, 1, limits.attempts);
        if (name === 'edns0' && libc === 'glibc') edns0 = true;
        if (name === 'no-tld-query' && libc === 'glibc') noTldQuery = true;
      }
    }
  }
  return { nameservers, searches, ndots, timeoutSeconds, attempts, edns0, noTldQuery, ignored };
}
