/**
 * `coredns_plugin_enabled{server,zone,view,name}`: set to 1 for each plugin of a block. Only the
 * chain assembly knows every plugin of a block, so it calls this once per chain it builds.
 */
import type { BlockInfo } from '../../chain/plugin.js';
import type { Registry } from '../../metrics/registry.js';
import { dnsFamilies, zoneLabel } from './dns-families.js';

export function markPluginsEnabled(
  registry: Registry,
  block: BlockInfo,
  names: readonly string[],
): void {
  const enabled = dnsFamilies(registry).pluginEnabled;
  for (const zone of block.zones) {
    for (const name of names) enabled.labels(block.server, zoneLabel(zone), '', name).set(1);
  }
}
