/**
 * The check made before measuring: each server is asked sample queries with the real `dig`,
 * and its answers are compared with the records the data set defines (rcode, answer, the SOA
 * on negative answers, SRV glue, AA, EDNS echo, case echo and compressed size). A server that
 * answers less is cheaper to run, so the comparison is only fair when these hold.
 */
import dnsPacket from 'dns-packet';
import { dig, type DigResult } from '../../test/helpers/dig.js';
import { CeilingResponder } from './ceiling-server.js';
import type { CeilingRecords } from './ceiling-records.js';

export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What differed, '' when ok. */
  readonly detail: string;
}

interface Sample {
  readonly label: string;
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'SRV';
  readonly status: string;
  readonly answer: readonly string[];
  /** Expected authority records; SOA serials are not compared. */
  readonly authority: readonly string[];
  /** Records the additional section should hold (the SRV target's address). */
  readonly additional: readonly string[];
}

/** Sample queries with the answers `records` defines, about an A and an SRV record of the set. */
export function samplesFor(records: CeilingRecords): Sample[] {
  const a = records.a[Math.min(123, records.a.length - 1)];
  const ttl = records.ttl;
  const { soa, zone } = records;
  const soaLine =
    `${zone}. ${soa.minimum} IN SOA ${soa.mname}. ${soa.rname}. * ` +
    `${soa.refresh} ${soa.retry} ${soa.expire} ${soa.minimum}`;
  const mixedCase = a.name.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c));
  const samples: Sample[] = [
    sample('A', a.name, 'A', [`${a.name}. ${ttl} IN A ${a.ip}`]),
    sample('A, mixed case', mixedCase, 'A', [`${mixedCase}. ${ttl} IN A ${a.ip}`]),
    {
      ...sample('NXDOMAIN', `nosuch-7.${zone}`, 'A', []),
      status: 'NXDOMAIN',
      authority: [soaLine],
    },
    { ...sample('NODATA', a.name, 'AAAA', []), authority: [soaLine] },
  ];
  const srv = records.srv[Math.min(45, records.srv.length - 1)];
  if (srv !== undefined) {
    const glue = records.a.find((r) => r.name === srv.target);
    const rdata = `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}.`;
    samples.push({
      ...sample('SRV', srv.name, 'SRV', [`${srv.name}. ${ttl} IN SRV ${rdata}`]),
      additional: glue === undefined ? [] : [`${glue.name}. ${ttl} IN A ${glue.ip}`],
    });
  }
  return samples;
}

function sample(label: string, name: string, type: Sample['type'], answer: string[]): Sample {
  return { label, name, type, status: 'NOERROR', answer, authority: [], additional: [] };
}

export interface VerifyOptions {
  readonly port: number;
  readonly records: CeilingRecords;
  /** Answers come from a cache: TTLs count down, so they are not compared. */
  readonly cached: boolean;
}

/** Runs every sample against one server and returns one result per check. */
export async function verifyAnswers(options: VerifyOptions): Promise<CheckResult[]> {
  const reference = new CeilingResponder(options.records);
  const results: CheckResult[] = [];
  for (const s of samplesFor(options.records)) {
    const port = options.port;
    const withEdns = await dig(s.name, s.type, { port, extra: ['+norec'] });
    const plain = await dig(s.name, s.type, { port, noEdns: true, extra: ['+norec'] });
    const norm = (lines: readonly string[]): string[] =>
      lines.map((l) => normalize(l, options.cached)).sort();
    const same = (got: readonly string[], want: readonly string[]): boolean =>
      JSON.stringify(norm(got)) === JSON.stringify(norm(want));
    const add = (check: string, ok: boolean, detail: string): void => {
      results.push({ check: `${s.label}: ${check}`, ok, detail: ok ? '' : detail });
    };
    add('rcode', withEdns.status === s.status, withEdns.status);
    add('answer', same(withEdns.answer, s.answer), withEdns.answer.join(' | ') || '(empty)');
    add('authority', same(withEdns.authority, s.authority), withEdns.authority.join(' | '));
    const additional = norm(withEdns.additional);
    const glue = s.additional.every((r) => additional.includes(normalize(r, options.cached)));
    add('additional', glue, withEdns.additional.join(' | ') || '(empty)');
    if (!options.cached) add('AA flag', withEdns.flags.includes('aa'), withEdns.flags.join(' '));
    add('EDNS echoed', withEdns.raw.includes('OPT PSEUDOSECTION'), 'no OPT record');
    const size = messageSize(plain);
    const want = reference.respond(queryBytes(s.name, s.type))?.length ?? 0;
    add('compressed size', size <= want, `${size} bytes, fully compressed is ${want}`);
  }
  return results;
}

/** One record line with the SOA serial (and, for cached answers, the TTL) masked. */
function normalize(line: string, cached: boolean): string {
  const fields = line.split(' ');
  if (fields[3] === 'SOA' && fields.length >= 7) fields[6] = '*';
  if (cached) fields[1] = '*';
  return fields.join(' ');
}

function messageSize(result: DigResult): number {
  return Number(/MSG SIZE\s+rcvd: (\d+)/.exec(result.raw)?.[1] ?? NaN);
}

function queryBytes(name: string, type: Sample['type']): Buffer {
  return dnsPacket.encode({ type: 'query', id: 1, questions: [{ type, class: 'IN', name }] });
}
