/**
 * Addresses the DNS listeners bind: `127.0.0.1:1053`, `[::1]:1053`, `:53` (every interface).
 */
import { isIP } from 'node:net';
import { ConfigError, type SourcePosition } from '../errors.js';

export interface ListenAddress {
  /** An IPv4 or IPv6 literal, or '' for every interface (IPv6 and IPv4 when the host has both). */
  readonly host: string;
  /** 0 asks the system for a free port; UDP and TCP then share the port it picked. */
  readonly port: number;
}

/** Parses `HOST:PORT`, `[V6]:PORT` or `:PORT`; throws ConfigError naming where it came from. */
export function parseListenAddress(text: string, position: SourcePosition): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.%a-zA-Z]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const host = match ? (match[1] ?? match[2]) : '';
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      position,
      `listen address "${text}": expected HOST:PORT, [IPV6]:PORT or :PORT`,
    );
  }
  if (host !== '' && isIP(host) === 0) {
    throw new ConfigError('CONFIG_BAD_VALUE', position, `listen address "${text}": not an IP`);
  }
  return { host, port };
}

/** Parses a bare IP for `bind`; throws ConfigError when it is not one. */
export function parseBindHost(text: string, position: SourcePosition): string {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(host) === 0) {
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      position,
      `bind "${text}": expected an IPv4 or IPv6 address (interface names are not supported)`,
    );
  }
  return host;
}

/** `127.0.0.1:53`, `[::1]:53`, `:53`: the form used in logs and listener keys. */
export function formatListenAddress(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
