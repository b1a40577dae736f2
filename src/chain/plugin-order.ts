/**
 * The one place that fixes the order in which plugins act on a query.
 *
 * As in CoreDNS, the order comes from the build (its `plugin.cfg`), never from the Corefile:
 * the Corefile only enables and configures plugins. A plugin sees the effects of every plugin
 * after it and must not care about those before it. Names listed here that have no setup in
 * the registry are simply not available yet; the relative order follows CoreDNS's plugin.cfg.
 */
export const PLUGIN_ORDER: readonly string[] = [
  'reload',
  'bind',
  'ready',
  'health',
  'prometheus',
  'errors',
  'log',
  'acl',
  'any',
  'chaos',
  'loadbalance',
  'cache',
  'rewrite',
  'autopath',
  'template',
  'hosts',
  'k8s_external',
  'kubernetes',
  'file',
  'loop',
  'forward',
  'whoami',
];

const rank = new Map(PLUGIN_ORDER.map((name, index) => [name, index]));

/** Position of a plugin in the chain (0 acts first), or -1 when the name is not ordered. */
export function pluginRank(name: string): number {
  return rank.get(name) ?? -1;
}

/**
 * Directives that configure the server itself and never become a chain link (CoreDNS's
 * `bind` acts only at setup).
 */
export const SETUP_ONLY_DIRECTIVES: ReadonlySet<string> = new Set(['bind']);
