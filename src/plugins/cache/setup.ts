/**
 * The `cache` plugin: parse `cache [TTL] [ZONES...] { ... }` and build its handler.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { parseCache, type CacheConfig } from './cache-config.js';
import { CacheHandler } from './cache-handler.js';
import { cacheCounters } from './cache-metrics.js';

export const setup: PluginSetup<CacheConfig> = {
  name: 'cache',
  parse: (directive, block) => parseCache(directive, block.zones),
  create(config, next, context) {
    const zones = config.zones.map((z) => (z === '' ? '.' : `${z}.`)).join(' ');
    return new CacheHandler(config, next, {
      logger: context.logger.child({ plugin: 'cache' }),
      counters: cacheCounters(context.metrics, context.block.server, zones),
    });
  },
};
