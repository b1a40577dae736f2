/**
 * Configuration of the `autopath` plugin: `autopath [ZONE...] RESOLV-CONF|@PLUGIN`. The last
 * argument is either a resolv.conf-style file whose `search` line is the search path of every
 * client, or `@PLUGIN` (`@kubernetes`) naming the plugin that knows each client's path.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BlockInfo } from '../../chain/plugin.js';
import type { Directive } from '../../config/directive.js';
import { expectArgs, expectNoBlock } from '../../config/option-values.js';
import { ConfigError } from '../../errors.js';
import { parseStubResolverConfig } from '../../resolv/stub-resolver-config.js';
import { normalizeZone } from '../kubernetes/zone-names.js';

export type AutopathSource =
  | { readonly kind: 'plugin'; readonly plugin: string }
  /** A fixed search path, ending with '' (the bare name). */
  | { readonly kind: 'static'; readonly search: readonly string[] };

export interface AutopathConfig {
  /** Zones autopath acts in (default: the block's), normalized, root ''. */
  readonly zones: readonly string[];
  readonly source: AutopathSource;
  /** Where the directive is, for errors found when the chain is built. */
  readonly directive: Directive;
}

/** Parses the directive; throws ConfigError naming file, line and problem. */
export function parseAutopath(directive: Directive, block: BlockInfo): AutopathConfig {
  expectArgs(directive, 1, Infinity);
  expectNoBlock(directive);
  const last = directive.args[directive.args.length - 1];
  const zoneArgs = directive.args.slice(0, -1);
  const zones =
    zoneArgs.length === 0 ? [...block.zones] : zoneArgs.map((arg) => zoneOf(directive, arg));
  if (last.startsWith('@')) {
    if (last.length === 1)
      throw bad(directive, 'autopath: "@" needs a plugin name, e.g. @kubernetes');
    return { zones, source: { kind: 'plugin', plugin: last.slice(1) }, directive };
  }
  return { zones, source: { kind: 'static', search: readSearch(directive, last) }, directive };
}

function zoneOf(directive: Directive, arg: string): string {
  const zone = normalizeZone(arg);
  if (zone === null) throw bad(directive, `autopath: "${arg}" is not a zone name`);
  return zone;
}

function readSearch(directive: Directive, file: string): string[] {
  const resolved = path.resolve(path.dirname(directive.file), file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_BAD_VALUE', directive, `autopath: cannot read ${resolved}`, {
      cause: err,
    });
  }
  const searches = parseStubResolverConfig(text, 'glibc').searches.map((s) =>
    s.toLowerCase().replace(/\.$/, ''),
  );
  if (searches.length === 0) throw bad(directive, `autopath: ${resolved} has no search line`);
  return [...new Set([...searches, ''])];
}

function bad(directive: Directive, problem: string): ConfigError {
  return new ConfigError('CONFIG_BAD_VALUE', directive, problem);
}
