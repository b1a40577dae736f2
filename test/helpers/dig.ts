/**
 * Runs the real `dig` (Debian bind9-dnsutils) and parses its text output into sections of
 * normalized record lines, so tests can assert exact records, rcodes, flags and TTLs.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DigResult {
  /** e.g. 'NOERROR', 'NXDOMAIN', 'SERVFAIL'. */
  readonly status: string;
  /** Header flags in dig's order, e.g. ['qr', 'aa', 'rd']. */
  readonly flags: readonly string[];
  /** Records as `name ttl class type rdata` with single spaces. */
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  /** The whole dig output, for failure messages. */
  readonly raw: string;
}

export interface DigOptions {
  readonly port: number;
  readonly server?: string;
  readonly tcp?: boolean;
  /** `+bufsize=N`; undefined leaves dig's default (EDNS with 1232). */
  readonly bufsize?: number;
  /** Send no OPT record (`+noedns`). */
  readonly noEdns?: boolean;
  /** Extra dig arguments. */
  readonly extra?: readonly string[];
}

/** Queries `name` for `type` and parses the answer. Rejects only when dig itself fails. */
export async function dig(name: string, type: string, options: DigOptions): Promise<DigResult> {
  const args = [
    `@${options.server ?? '127.0.0.1'}`,
    '-p',
    String(options.port),
    name,
    type,
    '+tries=1',
    '+time=3',
    '+nocookie',
    '+nottlunits',
  ];
  if (options.tcp) args.push('+tcp');
  if (options.noEdns) args.push('+noedns');
  if (options.bufsize !== undefined) args.push(`+bufsize=${options.bufsize}`);
  if (options.extra) args.push(...options.extra);
  const { stdout } = await run('dig', args, { timeout: 10_000 });
  return parseDig(stdout);
}

/** Parses dig's default text output. */
export function parseDig(text: string): DigResult {
  const status = /status: ([A-Z0-9]+)/.exec(text)?.[1] ?? '';
  const flags = (/;; flags: ([a-z ]*);/.exec(text)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const sections: Record<string, string[]> = { ANSWER: [], AUTHORITY: [], ADDITIONAL: [] };
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const header = /^;; (ANSWER|AUTHORITY|ADDITIONAL) SECTION:/.exec(line);
    if (header) {
      current = sections[header[1]];
      continue;
    }
    if (line.trim() === '' || line.startsWith(';')) {
      current = line.trim() === '' ? null : current;
      continue;
    }
    current?.push(line.trim().split(/\s+/).join(' '));
  }
  return {
    status,
    flags,
    answer: sections.ANSWER,
    authority: sections.AUTHORITY,
    additional: sections.ADDITIONAL,
    raw: text,
  };
}
