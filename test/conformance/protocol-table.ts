/**
 * The conformance table: each row is a query (exact bytes) and what an authoritative server
 * must answer, after RFC 8906 §8 (its test list), RFC 6891 (EDNS) and RFC 1035. A row is run
 * over UDP and over TCP (RFC 7766 §6.2.1: same answers on both).
 */
import { buildQuery, encodeName, Flags } from './query-builder.js';
import { WEB_NAME } from './cluster-fixture.js';

/** What a reply must be; omitted fields are not part of the row's claim. */
export interface Expected {
  readonly rcode: number;
  readonly aa?: boolean;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  /** Present: OPT with exactly these fields; null: no OPT. */
  readonly opt: { extendedRcode: number; version: number; flags: number; options: number[] } | null;
  /** Answer records as `name ttl type data` (dns-packet's rendering). */
  readonly answer?: readonly string[];
  /** Authority record types. */
  readonly authorityTypes?: readonly string[];
}

export interface Row {
  readonly name: string;
  readonly packet: (id: number) => Buffer;
  /** 'dropped': no reply may come; 'formerr-or-dropped': FORMERR without OPT, or nothing. */
  readonly expect: Expected | 'dropped' | 'formerr-or-dropped';
}

export const NOERROR = 0;
export const FORMERR = 1;
export const NXDOMAIN = 3;
export const NOTIMP = 4;
export const REFUSED = 5;
export const BADVERS = 16;

const OPT0 = { extendedRcode: 0, version: 0, flags: 0, options: [] };
const WEB_A = [`${WEB_NAME} 5 A 10.96.0.20`];
const answered = { rcode: NOERROR, aa: true, qdcount: 1, ancount: 1, nscount: 0, answer: WEB_A };
const web = (id: number, more: Parameters<typeof buildQuery>[0] = {}): Buffer =>
  buildQuery({ id, name: WEB_NAME, ...more });

/** A 255-octet name in the cluster zone: 3 labels of 63, one of 47, then `cluster.local`. */
export const LONGEST_NAME = [
  'a'.repeat(63),
  'b'.repeat(63),
  'c'.repeat(63),
  'd'.repeat(47),
  'cluster',
  'local',
].join('.');

export const PROTOCOL_ROWS: readonly Row[] = [
  {
    name: 'no EDNS: answer without OPT',
    packet: (id) => web(id),
    expect: { ...answered, opt: null },
  },
  {
    name: 'EDNS version 0: OPT echoed, version 0, size 1232 offered',
    packet: (id) => web(id, { edns: { version: 0 } }),
    expect: { ...answered, opt: OPT0 },
  },
  {
    name: 'EDNS version 1: BADVERS with OPT version 0, no answer',
    packet: (id) => web(id, { edns: { version: 1 } }),
    expect: {
      rcode: BADVERS,
      qdcount: 1,
      ancount: 0,
      nscount: 0,
      opt: { ...OPT0, extendedRcode: 1 },
    },
  },
  {
    name: 'unknown EDNS option 100: ignored and not echoed',
    packet: (id) => web(id, { edns: { options: [[100, Buffer.from('abcd')]] } }),
    expect: { ...answered, opt: OPT0 },
  },
  {
    name: 'EDNS version 1 with an unknown option: BADVERS, option not echoed',
    packet: (id) => web(id, { edns: { version: 1, options: [[100, Buffer.alloc(0)]] } }),
    expect: {
      rcode: BADVERS,
      qdcount: 1,
      ancount: 0,
      nscount: 0,
      opt: { ...OPT0, extendedRcode: 1 },
    },
  },
  {
    name: 'unknown EDNS flag 0x0040: ignored and cleared in the reply',
    packet: (id) => web(id, { edns: { flags: 0x0040 } }),
    expect: { ...answered, opt: OPT0 },
  },
  {
    name: 'DO set: echoed in the OPT flags',
    packet: (id) => web(id, { edns: { flags: 0x8000 } }),
    expect: { ...answered, opt: { ...OPT0, flags: 0x8000 } },
  },
  {
    name: 'DO and unknown EDNS flags: only DO echoed',
    packet: (id) => web(id, { edns: { flags: 0xffff } }),
    expect: { ...answered, opt: { ...OPT0, flags: 0x8000 } },
  },
  {
    name: 'header Z bit set: ignored and clear in the reply',
    packet: (id) => web(id, { flags: Flags.RD | Flags.Z }),
    expect: { ...answered, opt: null },
  },
  {
    name: 'QDCOUNT 0: FORMERR',
    packet: (id) => web(id, { questions: 0 }),
    expect: { rcode: FORMERR, qdcount: 0, ancount: 0, nscount: 0, opt: null },
  },
  {
    name: 'QDCOUNT 2: FORMERR',
    packet: (id) => web(id, { questions: 2 }),
    expect: { rcode: FORMERR, qdcount: 0, ancount: 0, nscount: 0, opt: null },
  },
  {
    name: 'opcode 15: NOTIMP',
    packet: (id) => web(id, { flags: (15 << 11) | Flags.RD }),
    expect: { rcode: NOTIMP, aa: false, qdcount: 1, ancount: 0, nscount: 0, opt: null },
  },
  {
    // RFC 6891 §6.1.1: an OPT in the request means an OPT in the response, errors included.
    name: 'opcode 15 with EDNS: NOTIMP with OPT',
    packet: (id) => web(id, { flags: (15 << 11) | Flags.RD, edns: {} }),
    expect: { rcode: NOTIMP, aa: false, qdcount: 1, ancount: 0, nscount: 0, opt: OPT0 },
  },
  {
    name: 'a response (QR set): dropped',
    packet: (id) => web(id, { flags: Flags.QR | Flags.AA }),
    expect: 'dropped',
  },
  {
    name: 'ANY for a Service: one RRset only (RFC 8482)',
    packet: (id) => web(id, { type: 255, edns: {} }),
    expect: { ...answered, opt: OPT0 },
  },
  {
    name: 'unknown type 65280 for an existing name: NODATA with SOA',
    packet: (id) => web(id, { type: 65280, edns: {} }),
    expect: {
      rcode: NOERROR,
      aa: true,
      qdcount: 1,
      ancount: 0,
      nscount: 1,
      authorityTypes: ['SOA'],
      opt: OPT0,
    },
  },
  {
    name: 'a name of 255 octets: parsed, NXDOMAIN with SOA',
    packet: (id) => buildQuery({ id, name: LONGEST_NAME }),
    expect: { rcode: NXDOMAIN, aa: true, qdcount: 1, ancount: 0, nscount: 1, opt: null },
  },
  {
    name: 'a name of 256 octets',
    packet: (id) => buildQuery({ id, name: 'e' + LONGEST_NAME }),
    expect: 'formerr-or-dropped',
  },
  {
    name: 'a label of 64 octets',
    packet: (id) => buildQuery({ id, name: 'x'.repeat(64) + '.cluster.local' }),
    expect: 'formerr-or-dropped',
  },
  {
    name: 'a compression pointer to itself',
    packet: (id) => rawQuestion(id, Buffer.from([0xc0, 12])),
    expect: 'formerr-or-dropped',
  },
  {
    name: 'a pointer loop between two labels',
    packet: (id) => rawQuestion(id, Buffer.from([3, 0x77, 0x65, 0x62, 0xc0, 12])),
    expect: 'formerr-or-dropped',
  },
  {
    name: 'a pointer forward past the question',
    packet: (id) => rawQuestion(id, Buffer.from([0xc0, 40])),
    expect: 'formerr-or-dropped',
  },
  {
    name: 'a label length running past the packet',
    packet: (id) => rawQuestion(id, Buffer.from([60, 0x61, 0x62])),
    expect: 'formerr-or-dropped',
  },
];

/** A header for one question followed by `nameBytes` as the question name and A/IN. */
function rawQuestion(id: number, nameBytes: Buffer): Buffer {
  const header = buildQuery({ id, questions: 0 });
  header.writeUInt16BE(1, 4);
  const tail = Buffer.from([0, 1, 0, 1]);
  return Buffer.concat([header, nameBytes, tail, encodeName('padding.cluster.local')]);
}
