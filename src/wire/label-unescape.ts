/**
 * The inverse of the `\DDD` escaping that parseQuery (query.ts) applies to label octets outside
 * [a-z0-9-_*], shared by the answer encoder and the query-name encoder.
 */

/**
 * The octets of one label's text: each `\DDD` (three decimal digits) becomes the octet DDD
 * (taken modulo 256), every other character its low byte. Never throws; the caller checks
 * the length (at most 63 octets, RFC 1035 §2.3.4).
 */
export function unescapeLabel(label: string): Buffer {
  if (!label.includes('\\')) return Buffer.from(label, 'latin1');
  const out: number[] = [];
  for (let i = 0; i < label.length; i++) {
    if (label[i] === '\\' && /^\d{3}$/.test(label.slice(i + 1, i + 4))) {
      out.push(Number(label.slice(i + 1, i + 4)) & 0xff);
      i += 3;
    } else {
      out.push(label.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(out);
}
