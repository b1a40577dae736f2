/**
 * Table tests for the glibc and musl search-walk models: each row gives the zone's names
 * (name -> A answer, AAAA answer) and pins the exact query sequence and the result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchWalk, type AddressType, type QueryOutcome } from '../../src/resolv/search-walk.js';
import { parseStubResolverConfig, type Libc } from '../../src/resolv/stub-resolver-config.js';

const POD_RESOLV =
  'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';

/** An answer: an address, NODATA, NXDOMAIN (absent name), SERVFAIL or no reply. */
type Canned = string | 'NODATA' | 'SERVFAIL' | 'TIMEOUT';

function answer(canned: Canned | undefined): QueryOutcome {
  const base = { failure: null, records: [], via: 'table', packets: 1 } as const;
  if (canned === undefined) return { ...base, rcode: 3, answerCount: 0, addresses: [] };
  if (canned === 'NODATA') return { ...base, rcode: 0, answerCount: 0, addresses: [] };
  if (canned === 'SERVFAIL') return { ...base, rcode: 2, answerCount: 0, addresses: [] };
  if (canned === 'TIMEOUT')
    return { ...base, rcode: null, answerCount: 0, addresses: [], failure: 'timeout' };
  return { ...base, rcode: 0, answerCount: 1, addresses: [canned] };
}

interface Row {
  readonly name: string;
  readonly libc: Libc;
  readonly lookup: string;
  readonly types?: readonly AddressType[];
  readonly resolv?: string;
  /** name -> [A, AAAA]; absent names are NXDOMAIN. */
  readonly zone: Record<string, readonly [Canned, Canned]>;
  /** Expected queries as `name TYPE`. */
  readonly queries: readonly string[];
  readonly result: string;
}

const REDIS: Record<string, readonly [Canned, Canned]> = {
  'redis-master.default.svc.cluster.local': ['10.96.130.112', 'NODATA'],
  'example.com': ['192.0.2.10', 'NODATA'],
};
const both = (names: string[]): string[] => names.flatMap((n) => [`${n} A`, `${n} AAAA`]);

const rows: Row[] = [
  {
    name: 'short service name hits the first search domain (2 queries)',
    libc: 'glibc',
    lookup: 'redis-master',
    zone: REDIS,
    queries: both(['redis-master.default.svc.cluster.local']),
    result: 'redis-master.default.svc.cluster.local 10.96.130.112',
  },
  {
    name: 'external name walks the 3 cluster domains first (8 queries)',
    libc: 'glibc',
    lookup: 'example.com',
    zone: REDIS,
    queries: both([
      'example.com.default.svc.cluster.local',
      'example.com.svc.cluster.local',
      'example.com.cluster.local',
      'example.com',
    ]),
    result: 'example.com 192.0.2.10',
  },
  {
    name: 'musl takes the same path for an external name',
    libc: 'musl',
    lookup: 'example.com',
    zone: REDIS,
    queries: both([
      'example.com.default.svc.cluster.local',
      'example.com.svc.cluster.local',
      'example.com.cluster.local',
      'example.com',
    ]),
    result: 'example.com 192.0.2.10',
  },
  {
    name: 'a trailing dot: exactly one name',
    libc: 'glibc',
    lookup: 'example.com.',
    zone: REDIS,
    queries: both(['example.com']),
    result: 'example.com 192.0.2.10',
  },
  {
    name: 'glibc: NODATA in a search step continues the walk',
    libc: 'glibc',
    lookup: 'web',
    zone: {
      'web.default.svc.cluster.local': ['NODATA', 'NODATA'],
      'web.svc.cluster.local': ['192.0.2.7', 'NODATA'],
    },
    queries: both(['web.default.svc.cluster.local', 'web.svc.cluster.local']),
    result: 'web.svc.cluster.local 192.0.2.7',
  },
  {
    name: 'musl: NODATA in a search step stops the walk',
    libc: 'musl',
    lookup: 'web',
    zone: {
      'web.default.svc.cluster.local': ['NODATA', 'NODATA'],
      'web.svc.cluster.local': ['192.0.2.7', 'NODATA'],
    },
    queries: both(['web.default.svc.cluster.local']),
    result: 'EAI_NODATA',
  },
  {
    name: 'glibc: SERVFAIL continues; the final error is TRY_AGAIN',
    libc: 'glibc',
    lookup: 'db',
    zone: { 'db.default.svc.cluster.local': ['SERVFAIL', 'SERVFAIL'] },
    queries: both([
      'db.default.svc.cluster.local',
      'db.svc.cluster.local',
      'db.cluster.local',
      'db',
    ]),
    result: 'TRY_AGAIN',
  },
  {
    name: 'musl: SERVFAIL stops with EAI_AGAIN',
    libc: 'musl',
    lookup: 'db',
    zone: { 'db.default.svc.cluster.local': ['SERVFAIL', 'SERVFAIL'] },
    queries: both(['db.default.svc.cluster.local']),
    result: 'EAI_AGAIN',
  },
  {
    name: 'glibc: dots >= ndots tries as is first, then still walks the search list',
    libc: 'glibc',
    lookup: 'a.b.c.d.e.example',
    zone: { 'a.b.c.d.e.example.svc.cluster.local': ['192.0.2.5', 'NODATA'] },
    queries: both([
      'a.b.c.d.e.example',
      'a.b.c.d.e.example.default.svc.cluster.local',
      'a.b.c.d.e.example.svc.cluster.local',
    ]),
    result: 'a.b.c.d.e.example.svc.cluster.local 192.0.2.5',
  },
  {
    name: 'musl: dots >= ndots asks only the absolute name',
    libc: 'musl',
    lookup: 'a.b.c.d.e.example',
    zone: { 'a.b.c.d.e.example.svc.cluster.local': ['192.0.2.5', 'NODATA'] },
    queries: both(['a.b.c.d.e.example']),
    result: 'EAI_NONAME',
  },
  {
    name: 'glibc: nothing anywhere is HOST_NOT_FOUND after 4 names',
    libc: 'glibc',
    lookup: 'nope',
    zone: {},
    queries: both([
      'nope.default.svc.cluster.local',
      'nope.svc.cluster.local',
      'nope.cluster.local',
      'nope',
    ]),
    result: 'HOST_NOT_FOUND',
  },
  {
    name: 'glibc: the as-is error wins when dots >= ndots',
    libc: 'glibc',
    lookup: 'x.y',
    resolv: 'search s.example\noptions ndots:1\n',
    zone: { 'x.y.s.example': ['NODATA', 'NODATA'] },
    queries: both(['x.y', 'x.y.s.example']),
    result: 'HOST_NOT_FOUND',
  },
  {
    name: 'glibc: a timeout stops the walk, then the name is tried as is',
    libc: 'glibc',
    lookup: 'slow',
    zone: {
      'slow.default.svc.cluster.local': ['TIMEOUT', 'TIMEOUT'],
      slow: ['192.0.2.9', 'NODATA'],
    },
    queries: both(['slow.default.svc.cluster.local', 'slow']),
    result: 'slow 192.0.2.9',
  },
  {
    name: 'glibc: no-tld-query skips the single-label as-is try',
    libc: 'glibc',
    lookup: 'solo',
    resolv: 'search a.example\noptions no-tld-query\n',
    zone: { solo: ['192.0.2.1', 'NODATA'] },
    queries: both(['solo.a.example']),
    result: 'HOST_NOT_FOUND',
  },
  {
    name: 'glibc --type A: one query per name',
    libc: 'glibc',
    lookup: 'example.com',
    types: ['A'],
    zone: REDIS,
    queries: [
      'example.com.default.svc.cluster.local A',
      'example.com.svc.cluster.local A',
      'example.com.cluster.local A',
      'example.com A',
    ],
    result: 'example.com 192.0.2.10',
  },
  {
    name: 'musl: a search line over 254 characters is ignored entirely',
    libc: 'musl',
    lookup: 'redis-master',
    resolv: `search default.svc.cluster.local ${'x'.repeat(250)}.example\noptions ndots:5\n`,
    zone: REDIS,
    queries: both(['redis-master']),
    result: 'EAI_NONAME',
  },
];

for (const row of rows) {
  test(`search walk: ${row.name}`, async () => {
    const config = parseStubResolverConfig(row.resolv ?? POD_RESOLV, row.libc);
    const result = await searchWalk(
      row.libc,
      row.lookup,
      row.types ?? ['A', 'AAAA'],
      config,
      async (name, type) => answer(row.zone[name]?.[type === 'A' ? 0 : 1]),
    );
    assert.deepEqual(
      result.queries.map((q) => `${q.name} ${q.type}`),
      row.queries,
    );
    assert.equal(
      result.error === '' ? `${result.answeredName} ${result.addresses.join(' ')}` : result.error,
      row.result,
    );
  });
}

test('stub resolver config: glibc and musl read ndots (capped 15), nameservers (first 3), last search', () => {
  const text =
    'nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n' +
    'search a.example\ndomain b.example\noptions ndots:20 timeout:2 attempts:3 edns0\n';
  const glibc = parseStubResolverConfig(text, 'glibc');
  assert.deepEqual(
    { ...glibc },
    {
      nameservers: ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
      searches: ['b.example'],
      ndots: 15,
      timeoutSeconds: 2,
      attempts: 3,
      edns0: true,
      noTldQuery: false,
      ignored: [],
    },
  );
  assert.equal(parseStubResolverConfig(text, 'musl').edns0, false);
});
