/**
 * `hosts [FILE [ZONES...]] { INLINE...; ttl; no_reverse; reload; fallthrough [ZONES...] }`,
 * with CoreDNS's defaults (hosts README): /etc/hosts, TTL 3600, reload every 5 s.
 */
import net from 'node:net';
import path from 'node:path';
import type { Directive } from '../../config/directive.js';
import {
  badValue,
  expectArgs,
  normalizeZone,
  parseDuration,
  parseInteger,
  unknownOption,
} from '../forward/directive-args.js';

export interface HostsConfig {
  /** Absolute path of the hosts file. */
  readonly file: string;
  readonly zones: readonly string[];
  /** Inline lines, in hosts-file format. */
  readonly inline: readonly string[];
  readonly ttl: number;
  readonly noReverse: boolean;
  /** 0 turns reloading off. */
  readonly reloadMs: number;
  /** null: never; []: all zones; else those zones. */
  readonly fallthrough: readonly string[] | null;
}

export function parseHosts(directive: Directive, blockZones: readonly string[]): HostsConfig {
  const [file = '/etc/hosts', ...zoneArgs] = directive.args;
  const config = {
    // A relative path is relative to the Corefile's directory.
    file: path.resolve(path.dirname(directive.file), file),
    zones: zoneArgs.length > 0 ? zoneArgs.map(normalizeZone) : [...blockZones],
    inline: [] as string[],
    ttl: 3600,
    noReverse: false,
    reloadMs: 5000,
    fallthrough: null as string[] | null,
  };
  for (const option of directive.block) {
    switch (option.name) {
      case 'ttl':
        config.ttl = parseInteger(option, expectArgs(option, 1, 1)[0], 'TTL', 1, 65535);
        break;
      case 'no_reverse':
        expectArgs(option, 0, 0);
        config.noReverse = true;
        break;
      case 'reload':
        config.reloadMs = parseDuration(option, expectArgs(option, 1, 1)[0], 'interval');
        break;
      case 'fallthrough':
        config.fallthrough = option.args.map(normalizeZone);
        break;
      default:
        config.inline.push(inlineLine(option));
    }
  }
  return Object.freeze(config);
}

/**
 * Any other line in the block is an inline hosts entry: `ADDRESS NAME...`. Not implemented:
 * `fallthrough_unsupported` and `*` wildcard names (recent CoreDNS additions), and the
 * coredns_hosts_* metrics.
 */
function inlineLine(at: Directive): string {
  if (net.isIP(at.name) === 0) throw unknownOption('hosts', at);
  if (at.args.length === 0) throw badValue(at, `hosts: inline entry '${at.name}' has no name`);
  return [at.name, ...at.args].join(' ');
}
