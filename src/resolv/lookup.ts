/**
 * A host name lookup as a pod's C library performs it: the search walk of search-walk.ts over
 * real DNS exchanges, trying each nameserver in turn for `attempts` rounds like the libraries.
 */
import type { Answer, DecodedPacket } from 'dns-packet';
import { buildQuery, exchange, replyRcode, type ServerAddress } from './dns-client.js';
import { searchWalk, type AddressType, type QueryOutcome, type WalkResult } from './search-walk.js';
import type { Libc, StubResolverConfig } from './stub-resolver-config.js';

export interface LookupOptions {
  readonly libc: Libc;
  readonly types: readonly AddressType[];
  /** Servers to ask, in order (the resolv.conf nameservers, or one given explicitly). */
  readonly servers: readonly ServerAddress[];
  /** Overrides the resolv.conf timeout, for tests; undefined keeps it. */
  readonly timeoutMs?: number;
  /** Query ID source; injectable for determinism. */
  readonly nextId?: () => number;
}

/** Runs the lookup. Never rejects for DNS failures: they are outcomes in the result. */
export function lookup(
  name: string,
  config: StubResolverConfig,
  options: LookupOptions,
): Promise<WalkResult> {
  const nextId = options.nextId ?? (() => Math.floor(Math.random() * 0x10000));
  const timeoutMs = options.timeoutMs ?? config.timeoutSeconds * 1000;
  const ednsSize = options.libc === 'glibc' && config.edns0 ? 1200 : 0;
  const ask = async (candidate: string, type: AddressType): Promise<QueryOutcome> => {
    if (!isQueryName(candidate)) return noReply('unsendable', '', 0);
    let last: QueryOutcome = noReply('timeout', '', 0);
    let packets = 0;
    for (let round = 0; round < config.attempts; round++) {
      for (const server of options.servers) {
        const exchangeOptions = { timeoutMs, id: nextId(), ednsSize };
        const done = await exchange(
          server,
          buildQuery(candidate, type, exchangeOptions),
          exchangeOptions,
        );
        packets += done.transport === 'tcp' ? 2 : 1;
        const via = `${server.host}:${server.port}/${done.transport}`;
        if (done.ok) return outcomeOf(done.reply, type, via, packets);
        last = noReply(done.failure, via, packets);
      }
    }
    return last;
  };
  return searchWalk(options.libc, name, options.types, config, ask);
}

/** True when `name` fits a query: labels of 1 to 63 octets, 253 characters at most. */
export function isQueryName(name: string): boolean {
  if (name.length === 0 || Buffer.byteLength(name) > 253) return false;
  return name.split('.').every((label) => label.length > 0 && Buffer.byteLength(label) <= 63);
}

function noReply(
  failure: 'timeout' | 'refused' | 'unsendable',
  via: string,
  packets: number,
): QueryOutcome {
  return { rcode: null, answerCount: 0, addresses: [], failure, records: [], via, packets };
}

function outcomeOf(
  reply: DecodedPacket,
  type: AddressType,
  via: string,
  packets: number,
): QueryOutcome {
  const answers = reply.answers ?? [];
  const addresses = answers.filter((a) => a.type === type).map((a) => (a as { data: string }).data);
  const records = [...answers, ...(reply.authorities ?? [])].map(formatRecord);
  return {
    rcode: replyRcode(reply),
    answerCount: answers.length,
    addresses,
    failure: null,
    records,
    via,
    packets,
  };
}

/** A record as a zone-file line, for the trace. */
export function formatRecord(record: Answer): string {
  const head = `${record.name}. ${'ttl' in record ? record.ttl : 0} IN ${record.type}`;
  const data = (record as { data?: unknown }).data;
  if (record.type === 'SOA' && data && typeof data === 'object') {
    const soa = data as Record<string, unknown>;
    const fields = ['mname', 'rname', 'serial', 'refresh', 'retry', 'expire', 'minimum'];
    const values = fields.map((f) => (typeof soa[f] === 'string' ? `${soa[f]}.` : String(soa[f])));
    return `${head} ${values.join(' ')}`;
  }
  if (typeof data === 'string') return `${head} ${record.type === 'CNAME' ? `${data}.` : data}`;
  return `${head} ${JSON.stringify(data)}`;
}
