/**
 * Translates `clusterdns serve` flags into the server block a Corefile would hold, so flags and
 * Corefiles run through the same plugins:
 *
 *   .:53 {
 *     kubernetes ZONES... in-addr.arpa ip6.arpa {
 *       state PATH | kubeconfig PATH
 *       pods MODE
 *       ttl N
 *       namespaces NS...
 *       fallthrough in-addr.arpa ip6.arpa      (with --fallthrough)
 *     }
 *     forward . UPSTREAMS...
 *   }
 */
import type { Directive, ServerBlock } from './directive.js';
import { ConfigError, type SourcePosition } from '../errors.js';

export interface ServeFlags {
  readonly state?: string;
  readonly zones: readonly string[];
  readonly ttl: string;
  readonly pods: string;
  readonly fallthrough: boolean;
  /** Upstream resolvers, `HOST[:PORT]`; empty means the host's resolv.conf nameservers. */
  readonly upstreams: readonly string[];
  readonly kubeconfig?: string;
  /** Comma-separated namespaces to expose; empty or absent for all. */
  readonly namespaces?: string;
}

export const DEFAULT_ZONE = 'cluster.local';
export const DEFAULT_TTL = '5';
export const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'] as const;
const PODS_MODES = new Set(['disabled', 'insecure', 'verified']);

/** Where flag-made directives say they came from in error messages. */
const FROM_FLAGS: SourcePosition = { file: 'command line', line: 0 };

/**
 * Builds the block. `hostNameservers` is called only when no `--upstream` is given; throws
 * ConfigError naming the flag for bad values and when there is no upstream at all.
 */
export function flagsToBlocks(
  flags: ServeFlags,
  hostNameservers: () => readonly string[],
): ServerBlock[] {
  if (flags.state && flags.kubeconfig) {
    throw bad('--state and --kubeconfig exclude each other: cluster state comes from one source');
  }
  if (!PODS_MODES.has(flags.pods)) {
    throw bad(`--pods "${flags.pods}": expected disabled, insecure or verified`);
  }
  if (!/^\d+$/.test(flags.ttl) || Number(flags.ttl) > 3600) {
    throw bad(`--ttl "${flags.ttl}": expected an integer from 0 to 3600`);
  }
  const upstreams = flags.upstreams.length > 0 ? flags.upstreams : hostNameservers();
  if (upstreams.length === 0) {
    throw bad('no upstream resolver: give --upstream HOST[:PORT] (resolv.conf names none)');
  }
  const zones = flags.zones.length > 0 ? flags.zones : [DEFAULT_ZONE];
  const kubernetes = directive(
    'kubernetes',
    [...zones, ...REVERSE_ZONES],
    kubernetesOptions(flags),
  );
  const forward = directive('forward', ['.', ...upstreams]);
  return [{ keys: ['.:53'], directives: [kubernetes, forward], ...FROM_FLAGS }];
}

function kubernetesOptions(flags: ServeFlags): Directive[] {
  const options: Directive[] = [];
  if (flags.state) options.push(directive('state', [flags.state]));
  if (flags.kubeconfig) options.push(directive('kubeconfig', [flags.kubeconfig]));
  options.push(directive('pods', [flags.pods]), directive('ttl', [flags.ttl]));
  const namespaces = (flags.namespaces ?? '').split(',').filter(Boolean);
  if (namespaces.length > 0) options.push(directive('namespaces', namespaces));
  if (flags.fallthrough) options.push(directive('fallthrough', [...REVERSE_ZONES]));
  return options;
}

function directive(name: string, args: readonly string[], block: Directive[] = []): Directive {
  return { name, args, block, ...FROM_FLAGS };
}

function bad(problem: string): ConfigError {
  return new ConfigError('CONFIG_BAD_VALUE', FROM_FLAGS, problem);
}
