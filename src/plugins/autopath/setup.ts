/**
 * The `autopath` plugin: `autopath [ZONE...] RESOLV-CONF|@kubernetes`. With `@kubernetes` the
 * search path of each client comes from the kubernetes plugin of the same server block, found
 * with kubernetesForBlock: the chain is built from its end and autopath acts before kubernetes
 * (plugin-order.ts), so that handler already exists when autopath is created. It must run
 * with `pods verified`, the only mode that watches pods.
 */
import type { PluginSetup } from '../../chain/plugin.js';
import { ConfigError } from '../../errors.js';
import { counter } from '../../metrics/registry.js';
import { kubernetesForBlock } from '../kubernetes/block-registry.js';
import { parseAutopath, type AutopathConfig } from './autopath-config.js';
import { AutopathHandler } from './autopath-handler.js';
import { kubernetesSearchPath } from './kubernetes-search-path.js';

export const setup: PluginSetup<AutopathConfig> = {
  name: 'autopath',
  parse: parseAutopath,
  create(config, next, context) {
    const success = counter(context.metrics, {
      name: 'coredns_autopath_success_total',
      help: 'Queries answered by server-side search path completion.',
      labelNames: ['server'],
    });
    const options = { zones: config.zones, success, server: context.block.server };
    if (config.source.kind === 'static') {
      const search = config.source.search;
      return new AutopathHandler(next, { ...options, searchPath: () => search });
    }
    const kubernetes =
      config.source.plugin === 'kubernetes' ? kubernetesForBlock(context.block) : undefined;
    if (!kubernetes) {
      throw new ConfigError(
        'CONFIG_BAD_VALUE',
        config.directive,
        `autopath: @${config.source.plugin}: no such plugin providing search paths ` +
          'in this server block',
      );
    }
    const provider = kubernetesSearchPath({
      zones: kubernetes.config.zones,
      podsVerified: kubernetes.config.pods === 'verified',
      podByIp: (ip) => kubernetes.podByIp(ip),
    });
    // CoreDNS silently does nothing here; say why once, since the server still serves.
    if (provider.disabledReason !== null) {
      context.logger.warn(
        { plugin: 'autopath', reason: provider.disabledReason },
        'autopath inactive',
      );
    }
    return new AutopathHandler(next, {
      ...options,
      searchPath: (request) => provider.searchPath(request),
    });
  },
};
