/**
 * The upstream forms `forward` accepts: `IP`, `IP:PORT`, `[IPv6]:PORT`, `dns://...`,
 * `tls://IP[:PORT]` (DNS over TLS, RFC 7858, port 853) and a resolv.conf-style file whose
 * `nameserver` lines give the upstreams.
 */
import fs from 'node:fs';
import net from 'node:net';
import type { Directive } from '../../config/directive.js';
import { badValue } from './directive-args.js';

export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** `HOST:PORT` as CoreDNS's `to` metric label writes it (IPv6 in brackets). */
  readonly label: string;
}

/** Expands one TO argument into its upstream addresses (a file may give several). */
export function parseUpstreams(at: Directive, text: string): UpstreamAddress[] {
  if (text.startsWith('tls://')) return [parseHostPort(at, text.slice(6), 853, true, text)];
  if (text.startsWith('dns://')) return [parseHostPort(at, text.slice(6), 53, false, text)];
  if (/^[a-z]+:\/\//i.test(text)) {
    throw badValue(at, `forward: unsupported upstream scheme in '${text}' (dns:// or tls://)`);
  }
  const direct = tryHostPort(text, 53, false);
  if (direct) return [direct];
  return readResolvConf(at, text);
}

function parseHostPort(
  at: Directive,
  text: string,
  defaultPort: number,
  tls: boolean,
  original: string,
): UpstreamAddress {
  const address = tryHostPort(text, defaultPort, tls);
  if (!address) {
    throw badValue(at, `forward: '${original}' is not an IP address with optional port`);
  }
  return address;
}

function tryHostPort(text: string, defaultPort: number, tls: boolean): UpstreamAddress | null {
  let host = text;
  let port = defaultPort;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2] === undefined ? defaultPort : Number(bracketed[2]);
  } else if (net.isIPv4(text.split(':')[0]) && text.includes(':')) {
    const colon = text.lastIndexOf(':');
    host = text.slice(0, colon);
    port = Number(text.slice(colon + 1));
  }
  if (!net.isIP(host) || !Number.isInteger(port) || port < 1 || port > 65535) return null;
  const label = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, tls, label };
}

/** Reads `nameserver` lines of a resolv.conf-style file; each must be an IP address. */
function readResolvConf(at: Directive, file: string): UpstreamAddress[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    const problem = `forward: '${file}' is neither an IP address nor a readable file (${reason})`;
    throw badValue(at, problem);
  }
  const found: UpstreamAddress[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] !== 'nameserver' || fields.length < 2) continue;
    const address = tryHostPort(fields[1].replace(/%.*$/, ''), 53, false);
    if (address) found.push(address);
  }
  if (found.length === 0) throw badValue(at, `forward: no nameserver lines in '${file}'`);
  return found;
}
