/**
 * The search-list walk a C library performs for one host name lookup, as a model that asks a
 * caller-supplied function for each DNS query, so it runs against a real server (the `lookup`
 * command) or a table in tests.
 *
 * glibc: bminor/glibc resolv/res_query.c `__res_context_search`; musl: src/network/lookup_name.c
 * `name_from_dns_search` and `name_from_dns` (1.2.4 and later).
 */
import type { Libc, StubResolverConfig } from './stub-resolver-config.js';

export type AddressType = 'A' | 'AAAA';

/** What one DNS query came back with; rcode null when no reply came (timeout, refused). */
export interface QueryOutcome {
  readonly rcode: number | null;
  /** The answer section's record count (ANCOUNT), including CNAMEs. */
  readonly answerCount: number;
  readonly addresses: readonly string[];
  /**
   * Set when no reply came: `timeout`, `refused` (ICMP port unreachable), or `unsendable` (the
   * name is too long for a query, so nothing was sent).
   */
  readonly failure: 'timeout' | 'refused' | 'unsendable' | null;
  /** For the trace: the reply's records as zone-file lines, and where it came from. */
  readonly records: readonly string[];
  readonly via: string;
  /** Packets sent for this question: more than 1 after a TCP retry or a timeout. */
  readonly packets: number;
}

/** One query, for the trace. */
export interface WalkQuery {
  readonly name: string;
  readonly type: AddressType;
  readonly outcome: QueryOutcome;
}

export interface WalkResult {
  /** The candidate name that answered, '' when the lookup failed. */
  readonly answeredName: string;
  readonly addresses: readonly string[];
  /**
   * glibc h_errno (HOST_NOT_FOUND, NO_DATA, TRY_AGAIN, NO_RECOVERY) or musl EAI_*;
   * '' on success.
   */
  readonly error: string;
  readonly queries: readonly WalkQuery[];
}

/** Sends one query; must not throw (a failed exchange is an outcome). */
export type Ask = (name: string, type: AddressType) => Promise<QueryOutcome>;

const NOERROR = 0;
const SERVFAIL = 2;
const NXDOMAIN = 3;

/** Walks the search list for `name` as `libc` would, asking each type in `types` per name. */
export async function searchWalk(
  libc: Libc,
  name: string,
  types: readonly AddressType[],
  config: StubResolverConfig,
  ask: Ask,
): Promise<WalkResult> {
  const queries: WalkQuery[] = [];
  const tryName = async (candidate: string): Promise<WalkQuery[]> => {
    const sent = await Promise.all(
      types.map(async (type) => ({ name: candidate, type, outcome: await ask(candidate, type) })),
    );
    queries.push(...sent);
    return sent;
  };
  const walk = libc === 'glibc' ? glibcWalk : muslWalk;
  const { answered, error } = await walk(name, config, tryName);
  return {
    answeredName: answered?.[0].name ?? '',
    addresses: answered ? answered.flatMap((q) => q.outcome.addresses) : [],
    error,
    queries,
  };
}

type TryName = (candidate: string) => Promise<WalkQuery[]>;

interface Verdict {
  readonly answered: WalkQuery[] | null;
  readonly error: string;
}

function countDots(name: string): number {
  let dots = 0;
  for (const c of name) if (c === '.') dots++;
  return dots;
}

/** glibc's h_errno for a candidate that did not succeed (res_query.c `__res_context_query`). */
function glibcError(sent: readonly WalkQuery[]): { error: string; servfail: boolean } {
  const failure = sent.find((q) => q.outcome.rcode === null);
  if (failure) {
    const reason = failure.outcome.failure;
    const error =
      reason === 'refused' ? 'ECONNREFUSED' : reason === 'unsendable' ? 'NO_RECOVERY' : 'TRY_AGAIN';
    return { error, servfail: false };
  }
  // With two answers glibc reads the second's rcode when the first is NOERROR.
  const first = sent[0].outcome.rcode;
  const rcode = first === NOERROR && sent.length > 1 ? sent[1].outcome.rcode : first;
  if (rcode === NXDOMAIN) return { error: 'HOST_NOT_FOUND', servfail: false };
  if (rcode === SERVFAIL) return { error: 'TRY_AGAIN', servfail: true };
  if (rcode === NOERROR) return { error: 'NO_DATA', servfail: false };
  return { error: 'NO_RECOVERY', servfail: false };
}

function glibcSuccess(sent: readonly WalkQuery[]): boolean {
  return sent.some((q) => q.outcome.rcode === NOERROR && q.outcome.answerCount > 0);
}

async function glibcWalk(
  name: string,
  config: StubResolverConfig,
  tryName: TryName,
): Promise<Verdict> {
  const dots = countDots(name);
  const trailingDot = name.endsWith('.');
  const bare = trailingDot ? name.slice(0, -1) : name;
  let savedError = '';
  let triedAsIs = false;
  let searched = false;
  let rootOnList = false;
  let gotNodata = false;
  let gotServfail = false;
  let lastError = 'HOST_NOT_FOUND';
  // Enough dots, or an explicit trailing dot: the name as is first.
  if (dots >= config.ndots || trailingDot) {
    const sent = await tryName(bare);
    if (glibcSuccess(sent)) return { answered: sent, error: '' };
    savedError = glibcError(sent).error;
    if (trailingDot) return { answered: null, error: savedError };
    triedAsIs = true;
  }
  // Then the search list, for names with or without dots (RES_DNSRCH and RES_DEFNAMES are on).
  for (const entry of config.searches) {
    searched = true;
    const domain = entry.replace(/^\./, '').replace(/\.$/, '');
    if (domain === '') rootOnList = true;
    const sent = await tryName(domain === '' ? bare : `${bare}.${domain}`);
    if (glibcSuccess(sent)) return { answered: sent, error: '' };
    const { error, servfail } = glibcError(sent);
    lastError = error;
    if (error === 'ECONNREFUSED') return { answered: null, error: 'TRY_AGAIN' };
    if (error === 'NO_DATA') gotNodata = true;
    else if (servfail) gotServfail = true;
    else if (error !== 'HOST_NOT_FOUND') break;
  }
  // The name as is last, unless already tried (or a single label with no-tld-query).
  if ((dots > 0 || !searched || !config.noTldQuery) && !(triedAsIs || rootOnList)) {
    const sent = await tryName(bare);
    if (glibcSuccess(sent)) return { answered: sent, error: '' };
    lastError = glibcError(sent).error;
  }
  if (savedError !== '') return { answered: null, error: savedError };
  if (gotNodata) return { answered: null, error: 'NO_DATA' };
  if (gotServfail) return { answered: null, error: 'TRY_AGAIN' };
  return { answered: null, error: lastError };
}

/**
 * musl's verdict for one candidate, reading the replies in order (A first): no reply or
 * SERVFAIL stops with EAI_AGAIN, NXDOMAIN means "not here" (null), another error rcode stops
 * with EAI_FAIL; NOERROR without addresses stops with EAI_NODATA.
 */
function muslVerdict(sent: readonly WalkQuery[]): Verdict | null {
  for (const q of sent) {
    if (q.outcome.rcode === null || q.outcome.rcode === SERVFAIL)
      return { answered: null, error: 'EAI_AGAIN' };
    if (q.outcome.rcode === NXDOMAIN) return null;
    if (q.outcome.rcode !== NOERROR) return { answered: null, error: 'EAI_FAIL' };
  }
  if (sent.some((q) => q.outcome.addresses.length > 0)) return { answered: [...sent], error: '' };
  return { answered: null, error: 'EAI_NODATA' };
}

async function muslWalk(
  name: string,
  config: StubResolverConfig,
  tryName: TryName,
): Promise<Verdict> {
  const dots = countDots(name);
  const search = dots >= config.ndots || name.endsWith('.') ? [] : config.searches;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '' || bare.endsWith('.')) return { answered: null, error: 'EAI_NONAME' };
  for (const domain of search) {
    // A name of 255+ octets with the domain is skipped; so is one the query builder rejects
    // (musl's res_mkquery strips one final dot and refuses a second, e.g. from a `.` domain).
    if (domain.length >= 256 - bare.length - 1 || domain === '.' || domain.endsWith('..')) continue;
    const verdict = muslVerdict(await tryName(`${bare}.${domain.replace(/\.$/, '')}`));
    if (verdict) return verdict;
  }
  return muslVerdict(await tryName(bare)) ?? { answered: null, error: 'EAI_NONAME' };
}
