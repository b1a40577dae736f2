/**
 * The answer section of a reply (typically one `forward` got from a stub domain's server) as
 * records of clusterdns's model, so that an answering plugin can append them to its own
 * answer: the kubernetes plugin chasing an ExternalName whose target lies in a stub domain
 * (issue 5: "resolves through that stub, in one answer").
 *
 * Records of types the model cannot write (MX, CAA, DNSSEC types...) are left out, as are
 * records of classes other than IN. Decoding uses dns-packet: this is not the hot path.
 */
import dnsPacket from 'dns-packet';
import type { ResourceRecord } from './record.js';

export interface ChasedAnswer {
  readonly rcode: number;
  /** The answer section. */
  readonly records: ResourceRecord[];
  /** The SOA records of the authority section: what a negative answer is cached by. */
  readonly soa: ResourceRecord[];
}

/** Decodes `reply`; null when it is not a well-formed DNS message. */
export function answerRecords(reply: Buffer): ChasedAnswer | null {
  let packet: dnsPacket.DecodedPacket;
  try {
    packet = dnsPacket.decode(reply);
  } catch {
    return null;
  }
  const rcode = reply.readUInt16BE(2) & 0xf;
  const records: ResourceRecord[] = [];
  for (const rr of packet.answers ?? []) {
    const record = toRecord(rr);
    if (record) records.push(record);
  }
  const soa: ResourceRecord[] = [];
  for (const rr of packet.authorities ?? []) {
    const record = rr.type === 'SOA' ? toRecord(rr) : null;
    if (record) soa.push(record);
  }
  return { rcode, records, soa };
}

function toRecord(rr: dnsPacket.Answer): ResourceRecord | null {
  if ('class' in rr && rr.class !== undefined && rr.class !== 'IN') return null;
  const name = bare(rr.name);
  const ttl = 'ttl' in rr && rr.ttl !== undefined ? rr.ttl : 0;
  switch (rr.type) {
    case 'A':
      return { name, type: 1, ttl, address: rr.data };
    case 'AAAA':
      return { name, type: 28, ttl, address: rr.data };
    case 'CNAME':
      return { name, type: 5, ttl, target: bare(rr.data) };
    case 'NS':
      return { name, type: 2, ttl, target: bare(rr.data) };
    case 'PTR':
      return { name, type: 12, ttl, target: bare(rr.data) };
    case 'SRV':
      return {
        name,
        type: 33,
        ttl,
        srv: {
          priority: rr.data.priority ?? 0,
          weight: rr.data.weight ?? 0,
          port: rr.data.port,
          target: bare(rr.data.target),
        },
      };
    case 'SOA':
      return {
        name,
        type: 6,
        ttl,
        soa: {
          mname: bare(rr.data.mname),
          rname: bare(rr.data.rname),
          serial: rr.data.serial ?? 0,
          refresh: rr.data.refresh ?? 0,
          retry: rr.data.retry ?? 0,
          expire: rr.data.expire ?? 0,
          minimum: rr.data.minimum ?? 0,
        },
      };
    case 'TXT': {
      const parts = Array.isArray(rr.data) ? rr.data : [rr.data];
      return { name, type: 16, ttl, text: parts.map((p) => p.toString()) };
    }
    default:
      return null;
  }
}

/** Lower case, no trailing dot: the model's name form. */
function bare(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}
