/**
 * Turns the reply for a later search-path name into the answer to the client's question: the
 * question is the client's own, and a CNAME from the asked name to the name that answered
 * leads the answer section, so the client's resolver accepts records for another name
 * (CoreDNS autopath `cnamer`): it points at the owner of the first answer record not named
 * like the question, with that record's TTL (see leadingCname for NODATA).
 */
import dnsPacket, { type Answer as PacketRecord } from 'dns-packet';
import type { DnsRequest } from '../../chain/request.js';
import { Flag, RRType } from '../../wire/constants.js';
import { encodeAnswer } from '../../wire/message-writer.js';
import type { ResourceRecord } from '../../wire/record.js';

/**
 * The rewritten wire answer, or null when the reply cannot be carried over faithfully (records
 * the model cannot hold, or a truncated reply); the caller then leaves the walk to the client.
 */
export function cnameReply(request: DnsRequest, reply: Buffer, candidate: string): Buffer | null {
  let packet: ReturnType<typeof dnsPacket.decode>;
  try {
    packet = dnsPacket.decode(reply);
  } catch {
    return null;
  }
  // A truncated reply is incomplete: rewriting it would hide that from the client.
  if (((packet.flags ?? 0) & Flag.TC) !== 0) return null;
  const answer = convertAll(packet.answers ?? []);
  const authority = convertAll(packet.authorities ?? []);
  const additional = convertAll((packet.additionals ?? []).filter((r) => r.type !== 'OPT'));
  if (!answer || !authority || !additional) return null;
  const flags = packet.flags ?? 0;
  const cname = leadingCname(request.query.name, candidate, answer, authority);
  const encoded = encodeAnswer(
    request.query,
    request.wire,
    {
      rcode: flags & 0xf,
      authoritative: (flags & Flag.AA) !== 0,
      answer: cname ? [cname, ...answer] : answer,
      authority,
      additional,
    },
    request.maxSize,
    (flags & Flag.RA) !== 0,
  );
  return encoded.wire;
}

/**
 * The CNAME from the asked name: to the owner of the first answer record named otherwise, with
 * its TTL. For NODATA (no answer records), CoreDNS adds none; we point at the candidate with
 * the negative TTL, so that A and AAAA answers for one name agree on where it leads and glibc
 * stops its walk there too instead of asking the next search domain.
 */
function leadingCname(
  asked: string,
  candidate: string,
  answer: readonly ResourceRecord[],
  authority: readonly ResourceRecord[],
): ResourceRecord | null {
  const leading = answer.find((rr) => rr.name !== asked);
  if (leading) return { name: asked, type: RRType.CNAME, ttl: leading.ttl, target: leading.name };
  if (answer.length > 0) return null;
  const soa = authority.find((rr) => rr.type === RRType.SOA);
  const ttl = soa && soa.type === RRType.SOA ? Math.min(soa.ttl, soa.soa.minimum) : 0;
  return { name: asked, type: RRType.CNAME, ttl, target: candidate };
}

function convertAll(records: readonly PacketRecord[]): ResourceRecord[] | null {
  const out: ResourceRecord[] = [];
  for (const record of records) {
    const converted = convert(record);
    if (converted === null) return null;
    out.push(converted);
  }
  return out;
}

/** Names we can write back as query-name text: plain octets only, no escapes needed. */
const PLAIN_NAME = /^[a-z0-9_*.-]*$/;

function plainName(name: string): string | null {
  const lower = name.toLowerCase();
  return PLAIN_NAME.test(lower) ? lower : null;
}

/** One decoded record in our model; null for a class, type or octets the model cannot hold. */
function convert(record: PacketRecord): ResourceRecord | null {
  const name = plainName(record.name);
  if (name === null || ('class' in record && record.class !== 'IN')) return null;
  const ttl = 'ttl' in record && record.ttl !== undefined ? record.ttl : 0;
  const data = (record as { data?: unknown }).data;
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return {
        name,
        type: record.type === 'A' ? RRType.A : RRType.AAAA,
        ttl,
        address: data as string,
      };
    case 'NS':
    case 'CNAME':
    case 'PTR': {
      const target = plainName(data as string);
      if (target === null) return null;
      return { name, type: RRType[record.type], ttl, target };
    }
    case 'SOA': {
      const soa = data as {
        mname: string;
        rname: string;
        serial: number;
        refresh: number;
        retry: number;
        expire: number;
        minimum: number;
      };
      const mname = plainName(soa.mname);
      const rname = plainName(soa.rname);
      if (mname === null || rname === null) return null;
      return { name, type: RRType.SOA, ttl, soa: { ...soa, mname, rname } };
    }
    case 'SRV': {
      const srv = data as { priority: number; weight: number; port: number; target: string };
      const target = plainName(srv.target);
      if (target === null) return null;
      return {
        name,
        type: RRType.SRV,
        ttl,
        srv: { priority: srv.priority ?? 0, weight: srv.weight ?? 0, port: srv.port, target },
      };
    }
    case 'TXT':
      return txtRecord(name, ttl, data);
    default:
      return null;
  }
}

/** TXT strings survive only when they are valid UTF-8 (the writer encodes strings as UTF-8). */
function txtRecord(name: string, ttl: number, data: unknown): ResourceRecord | null {
  const chunks = (Array.isArray(data) ? data : [data]) as (Buffer | string)[];
  const text: string[] = [];
  for (const chunk of chunks) {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (typeof chunk !== 'string' && !Buffer.from(s, 'utf8').equals(chunk)) return null;
    text.push(s);
  }
  return { name, type: RRType.TXT, ttl, text };
}
