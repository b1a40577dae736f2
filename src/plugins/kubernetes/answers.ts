/**
 * Small constructors for the kubernetes plugin's answers and records: every answer from a
 * cluster zone is authoritative, and every negative answer carries the zone's SOA.
 */
import { Rcode, RRType } from '../../wire/constants.js';
import type { Answer, ResourceRecord } from '../../wire/record.js';
import { under } from './zone-names.js';

/** SOA timers CoreDNS's kubernetes plugin writes (refresh, retry, expire). */
const SOA_REFRESH = 7200;
const SOA_RETRY = 1800;
const SOA_EXPIRE = 86400;

/** The apex SOA of a zone; MINIMUM and TTL both follow the `ttl` option, as in CoreDNS. */
export function soaRecord(zone: string, ttl: number, serial: number): ResourceRecord {
  return {
    name: zone,
    type: RRType.SOA,
    ttl,
    soa: {
      mname: under('ns.dns', zone),
      rname: under('hostmaster', zone),
      serial,
      refresh: SOA_REFRESH,
      retry: SOA_RETRY,
      expire: SOA_EXPIRE,
      minimum: ttl,
    },
  };
}

/** A NOERROR answer with records. */
export function positive(
  answer: readonly ResourceRecord[],
  additional: readonly ResourceRecord[] = [],
): Answer {
  return { rcode: Rcode.NOERROR, authoritative: true, answer, authority: [], additional };
}

/** NODATA (NOERROR, no records) or NXDOMAIN, with the zone's SOA in authority (RFC 2308). */
export function negative(rcode: number, soa: ResourceRecord): Answer {
  return { rcode, authoritative: true, answer: [], authority: [soa], additional: [] };
}

/** An address record of the right type for the address text. */
export function addressRecord(name: string, address: string, ttl: number): ResourceRecord {
  return { name, type: address.includes(':') ? RRType.AAAA : RRType.A, ttl, address };
}

/** True when the address belongs to the family the query type asks for (ANY takes both). */
export function wantsAddress(type: number, address: string): boolean {
  if (type === RRType.ANY) return true;
  return address.includes(':') ? type === RRType.AAAA : type === RRType.A;
}
