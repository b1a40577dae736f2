/**
 * Query log formats: CoreDNS's placeholders compiled once into a list of small functions, so a
 * log line is a join of strings, not a search-and-replace per query.
 *
 * The default is CoreDNS's common log format (plugin/log README), printed after `[INFO] `:
 * `{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode}
 * {>rflags} {rsize} {duration}`. `{combined}` appends ` "{>opcode}"`. An empty value prints `-`.
 */
import type { DnsRequest } from '../../chain/request.js';
import { rcodeLabel } from '../prometheus/dns-families.js';
import { classMnemonic, typeMnemonic } from './dns-mnemonics.js';
import { questionName } from './question-name.js';

export const COMMON_LOG_FORMAT =
  '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" ' +
  '{rcode} {>rflags} {rsize} {duration}';
export const COMBINED_LOG_FORMAT = `${COMMON_LOG_FORMAT} "{>opcode}"`;

/** What one log line is made of: the query, the reply sent, and how long it took. */
export interface LogEntry {
  readonly request: DnsRequest;
  readonly reply: Buffer;
  /** Nanoseconds from receipt to reply. */
  readonly durationNs: number;
}

type Field = (entry: LogEntry) => string;
export type CompiledFormat = readonly (string | Field)[];

const FLAG_NAMES: readonly [number, string][] = [
  [0x8000, 'qr'],
  [0x0400, 'aa'],
  [0x0200, 'tc'],
  [0x0100, 'rd'],
  [0x0080, 'ra'],
  [0x0040, 'z'],
  [0x0020, 'ad'],
  [0x0010, 'cd'],
];

const FIELDS: Readonly<Record<string, Field>> = {
  '{type}': (e) => typeMnemonic(e.request.query.type),
  '{name}': (e) => questionName(e.request.wire, e.request.query),
  '{class}': (e) => classMnemonic(e.request.query.class),
  '{proto}': (e) => e.request.transport,
  '{remote}': (e) => remoteAddress(e.request.clientAddress),
  '{port}': (e) => String(e.request.clientPort),
  '{size}': (e) => String(e.request.wire.length),
  '{duration}': (e) => seconds(e.durationNs),
  '{rcode}': (e) => rcodeLabel(e.reply[3] & 0x0f),
  '{rsize}': (e) => String(e.reply.length),
  '{>rflags}': (e) => flags(e.reply.readUInt16BE(2)),
  '{>bufsize}': (e) => String(e.request.maxSize),
  '{>do}': (e) => String(e.request.query.edns?.dnssecOk ?? false),
  '{>id}': (e) => String(e.request.query.id),
  '{>opcode}': (e) => String((e.request.query.flags >> 11) & 0xf),
};

/**
 * Compiles a format. Unknown placeholders stay as written; metadata placeholders (`{/LABEL}`)
 * print `-` because clusterdns has no metadata plugin; `{local}` prints `-` because the server
 * does not pass the local address down the chain.
 */
export function compileFormat(format: string): CompiledFormat {
  const text = format
    .replaceAll('{common}', COMMON_LOG_FORMAT)
    .replaceAll('{combined}', COMBINED_LOG_FORMAT);
  const parts: (string | Field)[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{[^{}\s]+\}/g)) {
    const key = match[0].startsWith('{>') ? match[0].toLowerCase() : match[0];
    const field = FIELDS[key] ?? (key === '{local}' || key.startsWith('{/') ? () => '' : undefined);
    if (!field) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(field);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Renders one line (without the `[INFO] ` prefix and newline). */
export function renderLine(format: CompiledFormat, entry: LogEntry): string {
  let line = '';
  for (const part of format) {
    if (typeof part === 'string') {
      line += part;
      continue;
    }
    const value = part(entry);
    line += value === '' ? '-' : value;
  }
  return line;
}

function remoteAddress(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address.includes(':') ? `[${address}]` : address;
}

/** `{>rflags}` text for each combination of the eight header flag bits, built once. */
const FLAG_TEXT: readonly string[] = Array.from({ length: 256 }, (_, combo) =>
  FLAG_NAMES.filter((_f, i) => (combo >> i) & 1)
    .map(([, name]) => name)
    .join(','),
);

function flags(word: number): string {
  let combo = 0;
  for (let i = 0; i < FLAG_NAMES.length; i++) if (word & FLAG_NAMES[i][0]) combo |= 1 << i;
  return FLAG_TEXT[combo];
}

/**
 * Seconds with an `s` suffix, in the shortest decimal form (as Go's FormatFloat(-1) writes a
 * duration's seconds): whole nanoseconds have at most nine decimals, so trimming zeros from
 * the exact decimal gives it without formatting a float.
 */
function seconds(ns: number): string {
  const whole = Math.floor(ns / 1e9);
  const fraction = ns - whole * 1e9;
  if (fraction === 0) return `${whole}s`;
  return `${whole}.${String(fraction).padStart(9, '0').replace(/0+$/, '')}s`;
}
