/**
 * The checks on a whole Corefile that no single plugin parser can make: which plugins a block
 * repeats, what `bind` names, and which listener would serve a zone twice. `serve` (through
 * `assemble`) and `check` both run `validateBlocks`, so a Corefile `check` accepts is one
 * `serve` accepts; it binds nothing and starts nothing.
 */
import type { Directive, ServerBlock } from '../config/directive.js';
import { zonesByPort } from '../config/server-key.js';
import { ConfigError } from '../errors.js';
import {
  formatListenAddress,
  parseBindHost,
  type ListenAddress,
} from '../server/listen-address.js';
import type { BlockInfo } from './plugin.js';
import type { PluginRegistry } from './plugin-registry.js';

/**
 * Directives a server block may hold more than once, as in CoreDNS: `bind` adds addresses,
 * `log` adds rules (its setup combines them into one link: the first rule matching a name
 * logs it), `forward` adds a stanza tried after the earlier ones (CoreDNS 1.10+; each is a
 * link that passes names outside its FROM zone on), `acl` adds rules.
 * Shortcoming: repeated `acl` lines are successive links, so an `allow` in an earlier one does
 * not exempt a query from a later one's block (CoreDNS stops at the first allow); combining
 * them needs the acl handler to hold several rule sets.
 * Every other plugin of CoreDNS either refuses a repeat or silently keeps only one of them
 * (autopath, chaos, health, loadbalance, reload); clusterdns refuses them all.
 */
export const REPEATABLE_DIRECTIVES: ReadonlySet<string> = new Set(['bind', 'acl', 'log', 'forward']);

/** The keys of one port of a block: one chain, listening on each of `addresses`. */
export interface PortGroup {
  readonly info: BlockInfo;
  readonly addresses: ListenAddress[];
}

/**
 * Throws ConfigError (file:line) for the first unknown or repeated plugin, bad `bind` value or
 * zone served twice on one address; `listen` is `serve --listen` (null: the blocks' addresses).
 */
export function validateBlocks(
  blocks: readonly ServerBlock[],
  listen: readonly ListenAddress[] | null,
  registry: PluginRegistry,
): void {
  const served = new Map<string, Set<string>>();
  for (const block of blocks) {
    rejectRepeats(block, registry);
    for (const group of portGroups(block, listen)) {
      for (const address of group.addresses) claimZones(served, address, group.info.zones, block);
    }
  }
}

function rejectRepeats(block: ServerBlock, registry: PluginRegistry): void {
  const first = new Map<string, Directive>();
  for (const directive of block.directives) {
    // An unknown name is reported as such, at its first use.
    if (!registry.has(directive.name)) registry.require(directive);
    const earlier = first.get(directive.name);
    if (earlier === undefined) {
      first.set(directive.name, directive);
      continue;
    }
    if (REPEATABLE_DIRECTIVES.has(directive.name)) continue;
    throw new ConfigError(
      'CONFIG_BAD_VALUE',
      directive,
      `plugin "${directive.name}" can only be used once per server block ` +
        `(first used at ${earlier.file}:${earlier.line})`,
    );
  }
}

function claimZones(
  served: Map<string, Set<string>>,
  address: ListenAddress,
  zones: readonly string[],
  block: ServerBlock,
): void {
  const key = formatListenAddress(address);
  const taken = served.get(key) ?? new Set<string>();
  served.set(key, taken);
  for (const zone of zones) {
    if (taken.has(zone)) {
      const shown = zone === '' ? '.' : zone;
      throw new ConfigError('CONFIG_BAD_VALUE', block, `zone ${shown} is served twice on ${key}`);
    }
    taken.add(zone);
  }
}

/** Splits a block by port: keys with the same port share one chain, as one CoreDNS server. */
export function portGroups(
  block: ServerBlock,
  listen: readonly ListenAddress[] | null,
): PortGroup[] {
  const binds = bindHosts(block.directives);
  // `serve --listen` puts every key on the listen ports: one chain for the whole block.
  const byPort = zonesByPort(block.keys, block, (port) => (listen ? -1 : port));
  return [...byPort].map(([port, zones]) => {
    const addresses = listen
      ? listen.flatMap((l) => (binds.length ? binds.map((host) => ({ host, port: l.port })) : [l]))
      : (binds.length ? binds : ['']).map((host) => ({ host, port }));
    const first = addresses[0];
    const server = `dns://${binds.length ? formatListenAddress(first) : `:${first.port}`}`;
    return { info: { zones, port: first.port, server }, addresses };
  });
}

function bindHosts(directives: readonly Directive[]): string[] {
  const hosts: string[] = [];
  for (const d of directives) {
    if (d.name !== 'bind') continue;
    if (d.args.length === 0 || d.block.length > 0) {
      throw new ConfigError('CONFIG_BAD_VALUE', d, 'bind needs one or more addresses');
    }
    for (const arg of d.args) hosts.push(parseBindHost(arg, d));
  }
  return [...new Set(hosts)];
}
