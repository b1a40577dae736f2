/**
 * The question name as the client wrote it, letter case kept, for `{name}` in query logs
 * (CoreDNS logs the name as received; the parsed query holds it in lower case).
 */
import type { Query } from '../../wire/query.js';

const HEADER = 12;

/**
 * Reads the name from the question bytes, fully qualified (`Example.ORG.`, the root `.`).
 * Falls back to the parsed lower-case name if the question uses a compression pointer. Octets
 * other than letters, digits, `-`, `_` and `*` are written `\DDD`, as in the parsed name.
 */
export function questionName(wire: Buffer, query: Query): string {
  const end = query.questionEnd - 4;
  let upper = false;
  for (let i = HEADER; i < end && !upper; i++) upper = wire[i] >= 0x41 && wire[i] <= 0x5a;
  // Sent in lower case (the common case): the parsed name is already the exact text.
  if (!upper) return fallback(query);

  let out = '';
  let pos = HEADER;
  while (pos < end) {
    const length = wire[pos];
    if (length === 0) break;
    if (length > 63) return fallback(query);
    for (let i = pos + 1; i <= pos + length; i++) out += octet(wire[i]);
    out += '.';
    pos += length + 1;
  }
  return out === '' ? '.' : out;
}

function fallback(query: Query): string {
  return query.name === '' ? '.' : `${query.name}.`;
}

function octet(byte: number): string {
  const plain =
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d ||
    byte === 0x5f ||
    byte === 0x2a;
  return plain ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
}
