/**
 * DNS protocol numbers used across clusterdns (RFC 1035, RFC 3596, RFC 2782, RFC 6891).
 * Plain numeric constants so the answer path compares integers, never strings.
 */

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

export const RRClass = {
  IN: 1,
  CH: 3,
  ANY: 255,
} as const;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended rcode 16 (RFC 6891 §6.1.3): upper 8 bits go in the OPT TTL field. */
  BADVERS: 16,
} as const;

export const Opcode = {
  QUERY: 0,
} as const;

/** Bits of the 16-bit header flags word (RFC 1035 §4.1.1, RFC 4035 §3.2). */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const HEADER_SIZE = 12;
/** Largest UDP answer to a client that sent no OPT record (RFC 1035 §4.2.1). */
export const CLASSIC_UDP_SIZE = 512;
/** Our advertised EDNS buffer size: the DNS Flag Day 2020 value, safe from fragmentation. */
export const SERVER_UDP_SIZE = 1232;
export const MAX_NAME_OCTETS = 255;
export const MAX_LABEL_OCTETS = 63;

const typeNames = new Map<number, string>(
  Object.entries(RRType).map(([name, code]) => [code, name]),
);

/** The mnemonic of an RR type, or `TYPEnnn` (RFC 3597 §5) when unknown. */
export function typeName(code: number): string {
  return typeNames.get(code) ?? `TYPE${code}`;
}

const rcodeNames = new Map<number, string>(
  Object.entries(Rcode).map(([name, code]) => [code, name]),
);

/** The mnemonic of an rcode, or `RCODEnnn` when unknown. */
export function rcodeName(code: number): string {
  return rcodeNames.get(code) ?? `RCODE${code}`;
}
